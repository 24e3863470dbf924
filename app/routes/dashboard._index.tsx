import type { LinksFunction, LoaderFunctionArgs } from "@remix-run/node";
import { Form, useLoaderData } from "@remix-run/react";
import { Banner, Button } from "@shopify/polaris";
import { z } from "zod";
import { PageError } from "~/components/PageError";
import vizStyles from "@shopify/polaris-viz/build/esm/styles.css?url";
import { ConnectStripeEmptyState } from "~/components/ConnectStripeEmptyState";
import { listConnectedAccounts, missingConnectSettings } from "~/providers/stripe/connect.server";
import { stripeEventBacklog, type StripeEventBacklog } from "~/providers/stripe/failures.server";
import { can } from "~/domain/access/roles";
import { OverviewView } from "~/components/OverviewView";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { loadOverviewPage } from "~/contracts/dashboard/overview-page.server";

export const links: LinksFunction = () => [{ rel: "stylesheet", href: vizStyles }];

// The Connect flow's outcome, shown once.
const NoticeSchema = z.object({
  connected: z.string().regex(/^acct_\w{1,64}$/).optional().catch(undefined),
  connect: z.enum(["failed", "denied", "not_configured", "forbidden"]).optional().catch(undefined),
  replayed: z.coerce.number().int().min(0).optional().catch(undefined),
  replay: z.enum(["forbidden"]).optional().catch(undefined),
});

export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  const [page, accounts, eventBacklog] = await Promise.all([
    loadOverviewPage({ workspaceId: session.workspaceId, request }),
    listConnectedAccounts(session.workspaceId),
    stripeEventBacklog({ workspaceId: session.workspaceId }),
  ]);
  const notices = NoticeSchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  return {
    ...page,
    query: { ...page.query, ...notices },
    stripeMissing: missingConnectSettings(),
    connectedAccounts: accounts.map((a) => a.stripeAccountId),
    canConnect: can(session.role, "manage_connections"),
    eventBacklog,
  };
}

// One-shot notices from the Connect flow do not follow the merchant around.
const NOTICE_PARAMS = Object.keys(NoticeSchema.shape);

/** Stripe events acknowledged but not yet applied (docs/decisions/0025): delayed, then given up. */
function EventBacklogBanner({ backlog, canReplay }: { backlog: StripeEventBacklog; canReplay: boolean }) {
  if (backlog.delayed === 0 && backlog.failed === 0) return null;
  const failed = backlog.failed > 0;
  const count = failed ? backlog.failed : backlog.delayed;
  const events = count === 1 ? "1 payment event" : `${count} payment events`;
  return (
    <Banner tone={failed ? "critical" : "warning"} title={failed ? `Recoup could not process ${events} from Stripe` : `${events} from Stripe are delayed`}>
      <p>
        {failed
          ? "Recoup tried for three days and gave up: the failed payments behind them may not be recovered until they are processed."
          : "Recoup could not process them yet and keeps retrying every two hours for up to three days."}
        {backlog.lastError ? ` Last error: ${backlog.lastError}` : ""}
      </p>
      {canReplay ? (
        <Form method="post" action="/dashboard/events/replay">
          <Button submit>Retry now</Button>
        </Form>
      ) : (
        <p>An admin or the owner can retry them now.</p>
      )}
    </Banner>
  );
}

function Notices({ query, stripeMissing, dismiss }: { query: z.infer<typeof NoticeSchema>; stripeMissing: string[]; dismiss: () => void }) {
  return (
    <>
      {query.replayed !== undefined ? (
        <Banner tone="info" title="Retrying" onDismiss={dismiss}>
          <p>{query.replayed === 0 ? "There was nothing left to retry." : `${query.replayed} event(s) will be processed again in a moment.`}</p>
        </Banner>
      ) : null}
      {query.replay === "forbidden" ? (
        <Banner tone="warning" title="Only admins can retry events" onDismiss={dismiss}>
          <p>Ask the workspace&apos;s owner or an admin to retry them.</p>
        </Banner>
      ) : null}
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
  const { stripeMissing, connectedAccounts, canConnect, eventBacklog, ...page } = useLoaderData<typeof loader>();
  return (
    <OverviewView
      page={page}
      basePath="/dashboard"
      oneShotParams={NOTICE_PARAMS}
      notices={(dismiss) => (
        <>
          <EventBacklogBanner backlog={eventBacklog} canReplay={canConnect} />
          <Notices query={page.query} stripeMissing={stripeMissing} dismiss={dismiss} />
        </>
      )}
      customerUrl={(id) => `/dashboard/customers/${id}`}
      exportUrl={(search) => `/dashboard/export/recoveries.csv${search ? `?${search}` : ""}`}
      trendEmptyText={connectedAccounts.length ? undefined : "Connect Stripe below: from then on, failed and recovered payments show up here, day by day."}
      emptyState={<ConnectStripeEmptyState connectAction="/dashboard/connect" disabled={stripeMissing.length > 0 || !canConnect} connectedAccounts={connectedAccounts} />}
    />
  );
}

export function ErrorBoundary() {
  return <PageError title="Overview" heading="The overview could not be loaded" />;
}
