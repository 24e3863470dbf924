import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { exportPaymentRequestsCsv } from "~/contracts/dashboard/exports/payments-csv.server";

/** The payment requests as CSV, with the list's tab and search (the same query string), streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  return exportPaymentRequestsCsv({ workspaceId: session.workspaceId, url: new URL(request.url) });
}
