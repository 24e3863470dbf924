import type { MetaFunction } from "@remix-run/node";
import { NotificationsPage } from "~/components/NotificationsPage";
import { PageError } from "~/components/PageError";
import { markReadAction, notificationsPageLoader } from "~/contracts/dashboard/notifications-page.server";
import { dashboardMeta } from "~/contracts/dashboard/pages";

// /dashboard/notifications: the signed-in member's notifications, a page at a time, to mark as read.
export const meta: MetaFunction = () => dashboardMeta("Notifications");
export const loader = notificationsPageLoader;
export const action = markReadAction;

export default NotificationsPage;

export function ErrorBoundary() {
  return <PageError title="Notifications" heading="Notifications could not be loaded" />;
}
