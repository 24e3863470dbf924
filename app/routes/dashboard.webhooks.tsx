import type { MetaFunction } from "@remix-run/node";
import { WebhooksPage, WebhooksPageError } from "~/components/WebhooksPage";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { dashboardMeta } from "~/contracts/dashboard/pages";
import { webhooksAction, webhooksLoader } from "~/contracts/dashboard/webhooks-page.server";

// /dashboard/webhooks: the workspace's webhook endpoints (add, edit, test, rotate, delete) and the delivery log with replay.
export const loader = webhooksLoader(requireDashboardSession);
export const action = webhooksAction(requireDashboardSession);

export const meta: MetaFunction = () => dashboardMeta("Webhooks");

export default WebhooksPage;
export const ErrorBoundary = WebhooksPageError;
