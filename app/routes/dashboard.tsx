import { redirect, type LinksFunction, type LoaderFunctionArgs, type MetaFunction } from "@remix-run/node";
import { Form, NavLink, Outlet, isRouteErrorResponse, useLoaderData, useRouteError } from "@remix-run/react";
import { AppProvider, Banner, Box, Button, InlineStack, Page, Text } from "@shopify/polaris";
import en from "@shopify/polaris/locales/en.json";
import polarisStyles from "@shopify/polaris/build/esm/styles.css?url";
import { PolarisLink } from "~/components/PolarisLink";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { outboxEnabled } from "~/domain/mail/outbox.server";
import { findDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { signInUrlFor } from "~/http/redirect-to";

// The standalone dashboard's frame: who is signed in, and Polaris around every page under /dashboard.

export const links: LinksFunction = () => [
  { rel: "stylesheet", href: polarisStyles },
  { rel: "icon", href: "data:," },
];

export const meta: MetaFunction = () => [{ title: "Recoup" }, { name: "robots", content: "noindex, nofollow" }];

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await findDashboardSession(request);
  // A browser goes to the sign-in page and comes back here afterwards.
  if (!session) throw redirect(signInUrlFor(request));
  const workspace = await getWorkspace(session.workspaceId);
  return {
    workspace: { id: workspace.id, name: workspace.name, timezone: workspace.timezone },
    outbox: outboxEnabled(),
  };
}

function Frame({ children }: { children: React.ReactNode }) {
  return (
    <AppProvider i18n={en} linkComponent={PolarisLink}>
      {children}
    </AppProvider>
  );
}

/** The standalone dashboard's sections (each a route under /dashboard). */
const NAV = [
  { to: "/dashboard", label: "Overview", end: true },
  // Campaigns generalise the dunning sequences; /dashboard/dunning still opens them as sequences.
  { to: "/dashboard/campaigns", label: "Campaigns", end: false },
  { to: "/dashboard/payments", label: "Payments", end: false },
  { to: "/dashboard/settings", label: "Settings", end: false },
] as const;

export default function Dashboard() {
  const loaded = useLoaderData<typeof loader>();
  const nav = loaded.outbox ? [...NAV, { to: "/outbox", label: "Outbox", end: false }] : NAV;
  return (
    <Frame>
      {/* As wide as Polaris' Page, so that the header lines up with the content below. */}
      <div style={{ maxWidth: "62.375rem", margin: "0 auto" }}>
        <Box paddingInline={{ xs: "400", sm: "600" }} paddingBlockStart="300">
          <InlineStack align="space-between" blockAlign="center" gap="200">
            <InlineStack gap="400" blockAlign="center">
              <Text as="p" variant="headingSm">
                Recoup · {loaded.workspace.name}
              </Text>
              <nav aria-label="Dashboard">
                <InlineStack gap="300">
                  {nav.map((item) => (
                    <NavLink key={item.to} to={item.to} end={item.end} style={({ isActive }) => ({ fontWeight: isActive ? 650 : 450, color: "inherit", textDecoration: isActive ? "underline" : "none" })}>
                      {item.label}
                    </NavLink>
                  ))}
                </InlineStack>
              </nav>
            </InlineStack>
            <Form method="post" action="/auth/logout">
              <Button submit variant="plain">
                Sign out
              </Button>
            </Form>
          </InlineStack>
        </Box>
      </div>
      <Outlet />
    </Frame>
  );
}

export function ErrorBoundary() {
  const error = useRouteError();
  const detail = isRouteErrorResponse(error) && typeof error.data === "string" ? error.data : "Please reload the page in a moment.";
  return (
    <Frame>
      <Page narrowWidth title="Recoup">
        <Banner tone="critical" title="The dashboard could not be loaded">
          <p>{detail}</p>
        </Banner>
      </Page>
    </Frame>
  );
}
