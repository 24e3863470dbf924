import type { MetaFunction } from "@remix-run/node";
import { dashboardMeta } from "~/contracts/dashboard/pages";
import { DunningListError, dunningListShouldRevalidate, DunningSequenceList } from "~/components/DunningSequenceList";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { dunningListLoader } from "~/contracts/dashboard/dunning-pages.server";

// /dashboard/dunning: the workspace's email sequences (the same page as /app/dunning).
export const meta: MetaFunction = () => dashboardMeta("Dunning sequences");
export const loader = dunningListLoader(requireDashboardSession, "/dashboard");
export const shouldRevalidate = dunningListShouldRevalidate("/dashboard");

export default DunningSequenceList;
export const ErrorBoundary = DunningListError;
