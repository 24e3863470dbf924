import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { exportRecoveriesCsv } from "~/contracts/dashboard/exports/recoveries-csv.server";

/** The recoveries list as CSV, with the list's filters (the same query string), streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  return exportRecoveriesCsv({ workspaceId: session.workspaceId, url: new URL(request.url) });
}
