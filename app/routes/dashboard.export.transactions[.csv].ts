import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { exportTransactionsCsv } from "~/contracts/dashboard/exports/payments-csv.server";

/** One payment request's payments (`?payment=<id>`) as CSV, streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  return exportTransactionsCsv({ workspaceId: session.workspaceId, url: new URL(request.url) });
}
