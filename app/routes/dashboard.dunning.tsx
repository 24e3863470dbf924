import { DunningListError, dunningListShouldRevalidate, DunningSequenceList } from "~/components/DunningSequenceList";
import { dashboardCaller, dunningListLoader } from "~/http/dunning-pages.server";

// /dashboard/dunning: the workspace's email sequences (the same page as /app/dunning).
export const loader = dunningListLoader(dashboardCaller, "/dashboard");
export const shouldRevalidate = dunningListShouldRevalidate("/dashboard");

export default DunningSequenceList;
export const ErrorBoundary = DunningListError;
