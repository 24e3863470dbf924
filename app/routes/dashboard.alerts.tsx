import type { MetaFunction } from "@remix-run/node";
import { AlertsPage, AlertsPageError } from "~/components/AlertsPage";
import { alertsAction, alertsLoader } from "~/contracts/dashboard/alerts-page.server";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";

// /dashboard/alerts: alert rules (list, create, edit, on/off, delete) and the alerts they sent lately.
export const loader = alertsLoader(requireDashboardSession);
export const action = alertsAction(requireDashboardSession);

export const meta: MetaFunction = () => [{ title: "Alerts · Recoup" }];

export default AlertsPage;
export const ErrorBoundary = AlertsPageError;
