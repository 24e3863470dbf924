import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { useLoaderData } from "@remix-run/react";
import { Banner } from "@shopify/polaris";
import { z } from "zod";
import { PageError } from "~/components/PageError";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { ConnectStripeEmptyState } from "~/components/ConnectStripeEmptyState";
import { listConnectedAccounts, missingConnectSettings } from "~/domain/connect/connect.server";
import { can } from "~/domain/team/roles";
import { OverviewView } from "~/components/OverviewView";
import { requireDashboardSession } from "~/http/dashboard-session.server";
import { loadOverviewPage } from "~/http/overview-page.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

// The Connect flow's outcome, shown once.
const NoticeSchema = z.object({
  connected: z.string().regex(/^acct_\w{1,64}$/).optional().catch(undefined),
  connect: z.enum(["failed", "denied", "not_configured", "forbidden"]).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  const [page, accounts] = await Promise.all([loadOverviewPage({ workspaceId: session.workspaceId, request }), listConnectedAccounts(session.workspaceId)]);
  const notices = NoticeSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return {
    ...page,
    query: { ...page.query, ...notices },
    stripeMissing: missingConnectSettings(),
    connectedAccounts: accounts.map((a) => a.stripeAccountId),
    canConnect: can(session.role, "manage_connections"),
  };
}

// One-shot notices from the Connect flow do not follow the merchant around.
const NOTICE_PARAMS = Object.keys(NoticeSchema.shape);

function Notices({ query, stripeMissing, dismiss }: { query: z.infer<typeof NoticeSchema>; stripeMissing: string[]; dismiss: () => void }) {
  return (
    <>
      {query.connected ? (
        <Banner tone="success" title="Stripe is connected" onDismiss={dismiss}>
          <p>Account {query.connected} is connected. Recoup will recover its failed payments from now on.</p>
        </Banner>
      ) : null}
      {query.connect === "failed" ? (
        <Banner tone="critical" title="Connecting Stripe didn't finish" onDismiss={dismiss}>
          <p>Stripe did not confirm the connection, or the connect link had expired. Please try again.</p>
        </Banner>
      ) : null}
      {query.connect === "denied" ? (
        <Banner tone="warning" title="Stripe was not connected" onDismiss={dismiss}>
          <p>The connection was cancelled on Stripe&apos;s page. Connect again whenever you&apos;re ready.</p>
        </Banner>
      ) : null}
      {query.connect === "forbidden" ? (
        <Banner tone="warning" title="Only admins can connect Stripe" onDismiss={dismiss}>
          <p>Ask the workspace&apos;s owner or an admin to connect the account, or to make you an admin.</p>
        </Banner>
      ) : null}
      {stripeMissing.length ? (
        <Banner tone="warning" title="Stripe is not configured on this server">
          <p>
            Set {stripeMissing.map((name, i) => (
              <span key={name}>
                {i > 0 ? " and " : ""}
                <code>{name}</code>
              </span>
            ))}{" "}
            in the server&apos;s environment (see <code>.env.example</code>), then restart Recoup. Until then, Stripe can&apos;t be connected and no
            failed payment can be recovered.
          </p>
        </Banner>
      ) : null}
    </>
  );
}

export default function Overview() {
  const { stripeMissing, connectedAccounts, canConnect, ...page } = useLoaderData<typeof loader>();
  return (
    <OverviewView
      page={page}
      basePath="/dashboard"
      oneShotParams={NOTICE_PARAMS}
      notices={(dismiss) => <Notices query={page.query} stripeMissing={stripeMissing} dismiss={dismiss} />}
      trendEmptyText={connectedAccounts.length ? undefined : "Connect Stripe below: from then on, failed and recovered payments show up here, day by day."}
      emptyState={<ConnectStripeEmptyState connectAction="/dashboard/connect" disabled={stripeMissing.length > 0 || !canConnect} connectedAccounts={connectedAccounts} />}
    />
  );
}

export function ErrorBoundary() {
  return <PageError title="Overview" heading="The overview could not be loaded" />;
}
