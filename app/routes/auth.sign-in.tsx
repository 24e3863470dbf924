import { data, redirect, type ActionFunctionArgs, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, useActionData, useNavigation } from "@remix-run/react";
import { AppProvider, Banner, BlockStack, Button, Card, InlineStack, Page, Text, TextField } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { useState } from "react";
import { z } from "zod";
import { PolarisLink } from "~/components/PolarisLink";
import { requestSignInLink } from "~/domain/auth/sign-in.server";
import { findDashboardSession } from "~/http/dashboard-session.server";
import { env } from "~/utils/env.server";
import { readForm } from "~/http/body.server";

// "Email me a sign-in link": the same answer for every address (no account enumeration).

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Sign in · Recoup" }, { name: "robots", content: "noindex, nofollow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  if (await findDashboardSession(request)) throw redirect("/dashboard");
  return null;
}

const EmailSchema = z.email().max(320);

export async function action({ request }: ActionFunctionArgs) {
  const email = String((await readForm(request)).get("email") ?? "").trim();
  if (!EmailSchema.safeParse(email).success) {
    return data({ sent: false as const, email, error: "Enter the email address you use for Recoup, like name@example.com." }, { status: 400 });
  }
  const { message } = await requestSignInLink({ email, appUrl: env().APP_URL });
  return { sent: true as const, email, message };
}

export default function SignIn() {
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
              <Text as="p">{result.message}</Text>
              <Text as="p" tone="subdued">
                You asked for {result.email}. Nothing after a few minutes? Check the address and your spam folder, or ask again.
              </Text>
              <InlineStack gap="400">
                <Form method="post" replace>
                  <input type="hidden" name="email" value={result.email} />
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
                <Text as="p">Enter your email address and we&apos;ll email you a link that signs you in. No password needed.</Text>
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
