import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { exportCustomersCsv } from "~/contracts/dashboard/exports/recoveries-csv.server";

/** The customers list as CSV, with the list's search, streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  return exportCustomersCsv({ workspaceId: session.workspaceId, url: new URL(request.url) });
}
