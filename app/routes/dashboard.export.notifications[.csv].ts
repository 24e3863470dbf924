import type { LoaderFunctionArgs } from "@remix-run/node";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { exportNotificationsCsv } from "~/contracts/dashboard/exports/notifications-csv.server";

/** The signed-in member's own notifications as CSV, streamed. */
export async function loader({ request }: LoaderFunctionArgs) {
  const session = await requireDashboardSession(request);
  return exportNotificationsCsv({ workspaceId: session.workspaceId, userId: session.userId });
}
