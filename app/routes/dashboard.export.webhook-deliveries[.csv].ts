import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { exportWebhookDeliveriesCsv } from "~/contracts/dashboard/exports/webhooks-csv.server";

/** The webhook delivery log as CSV, with the log's status and endpoint filters, streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  return exportWebhookDeliveriesCsv({ workspaceId: session.workspaceId, url: new URL(request.url) });
}
