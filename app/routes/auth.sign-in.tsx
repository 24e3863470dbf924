import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useLoaderData, useNavigation } from "@remix-run/react";
import { AppProvider, Banner, BlockStack, Button, Card, InlineStack, Page, Text, TextField } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { z } from "zod";
import { PolarisLink } from "~/components/PolarisLink";
import { requestSignInLink } from "~/domain/auth/sign-in.server";
import { emailConfigured } from "~/domain/mail/outbox.server";
import { findDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { safeRedirectTo } from "~/http/redirect-to";
import { env } from "~/utils/env.server";
import { readForm } from "~/http/body.server";

// "Email me a sign-in link": the same answer for every address (no account enumeration). The
// page a signed-out browser asked for rides along (`redirectTo`, a path on this server only) and
// the link lands there. Without SMTP the page says so, and where the link can come from instead
// (docs/decisions/0034-one-mail-port-and-a-private-outbox.md): nothing about the address.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Sign in · Recoup" }, { name: "robots", content: "noindex, nofollow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const params = new URL(request.url).searchParams;
  const redirectTo = safeRedirectTo(params.get("redirectTo"));
  if (await findDashboardSession(request)) throw redirect(redirectTo);
  return { redirectTo, linkExpired: params.has("expired"), emailConfigured: emailConfigured() };
}

const EmailSchema = z.email().max(320);

export async function action({ request }: ActionFunctionArgs) {
  const form = await readForm(request);
  const email = String(form.get("email") ?? "").trim();
  const redirectTo = safeRedirectTo(String(form.get("redirectTo") ?? ""));
  if (!EmailSchema.safeParse(email).success) {
    return data({ sent: false as const, email, error: "Enter the email address you use for Recoup, like name@example.com." }, { status: 400 });
  }
  const { message } = await requestSignInLink({ email, appUrl: env().APP_URL, redirectTo });
  return { sent: true as const, email, message };
}

export default function SignIn() {
  const { redirectTo, linkExpired, emailConfigured } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const navigation = useNavigation();
  const [email, setEmail] = useState(result?.email ?? "");

  return (
    <AppProvider i18n={en} linkComponent={PolarisLink}>
      <Page narrowWidth title="Sign in to Recoup">
        {result?.sent ? (
          <Card>
            <BlockStack gap="300">
              <Text as="h2" variant="headingMd">
                Check your email
              </Text>
              {emailConfigured ? <Text as="p">{result.message}</Text> : <NoEmailHere email={result.email} />}
              <Text as="p" tone="subdued">
                You asked for {result.email}. Nothing after a few minutes? Check the address and your spam folder, or ask again.
              </Text>
              <InlineStack gap="400">
                <Form method="post" replace>
                  <input type="hidden" name="email" value={result.email} />
                  <input type="hidden" name="redirectTo" value={redirectTo} />
                  <Button submit variant="plain" loading={navigation.state === "submitting"}>
                    Send another link
                  </Button>
                </Form>
                <Button url="/auth/sign-in" variant="plain">
                  Use another address
                </Button>
              </InlineStack>
            </BlockStack>
          </Card>
        ) : (
          <Card>
            <Form method="post" replace>
              <BlockStack gap="400">
                {linkExpired ? (
                  <Banner tone="warning" title="This sign-in link has expired or was already used">
                    <p>Each link works once and for 24 hours. Get a fresh one below.</p>
                  </Banner>
                ) : null}
                <Text as="p">Enter your email address and we&apos;ll email you a link that signs you in. No password needed.</Text>
                {emailConfigured ? null : <NoEmailHere />}
                <input type="hidden" name="redirectTo" value={redirectTo} />
                {result?.error ? (
                  <Banner tone="critical">
                    <p>{result.error}</p>
                  </Banner>
                ) : null}
                <TextField
                  label="Email"
                  type="email"
                  name="email"
                  autoComplete="email"
                  value={email}
                  onChange={setEmail}
                  error={Boolean(result?.error)}
                />
                <Button submit variant="primary" loading={navigation.state === "submitting"}>
                  Email me a sign-in link
                </Button>
              </BlockStack>
            </Form>
          </Card>
        )}
      </Page>
    </AppProvider>
  );
}

/** Without SMTP no link can reach anyone's mailbox: where one comes from instead (never this page). */
function NoEmailHere({ email }: { email?: string }) {
  return (
    <Banner tone="warning" title="This server doesn't send email">
      <BlockStack gap="200">
        <p>
          SMTP_URL isn&apos;t set, so no sign-in link is emailed{email ? ` to ${email}` : ""}. Ask the person who runs this server for a one-time
          link; they get one with:
        </p>
        <p>
          <code>npm run cli -- sign-in-link --email {email || "you@example.com"}</code>
        </p>
        <p>Already signed in elsewhere? Your sign-in links are also kept in the outbox at /outbox.</p>
      </BlockStack>
    </Banner>
  );
}
