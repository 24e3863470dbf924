import { DunningListError, dunningListShouldRevalidate, DunningSequenceList } from "~/components/DunningSequenceList";
import { requireDashboardSession } from "~/http/dashboard-session.server";
import { dunningListLoader } from "~/http/dunning-pages.server";

// /dashboard/dunning: the workspace's email sequences (the same page as /app/dunning).
const callerOf = (request: Request) => requireDashboardSession(request);

export const loader = dunningListLoader(callerOf, "/dashboard");
export const shouldRevalidate = dunningListShouldRevalidate("/dashboard");

export default DunningSequenceList;
export const ErrorBoundary = DunningListError;
