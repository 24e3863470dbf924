import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { exportAlertDispatchesCsv } from "~/contracts/dashboard/exports/alerts-csv.server";

/** What the workspace's alert rules sent, as CSV, streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  return exportAlertDispatchesCsv({ workspaceId: session.workspaceId });
}
