import { DunningEditorError, dunningEditorShouldRevalidate, DunningSequenceEditor } from "~/components/DunningSequenceEditor";
import { requireDashboardSession } from "~/http/dashboard-session.server";
import { dunningEditorAction, dunningEditorLoader } from "~/http/dunning-pages.server";

// /dashboard/dunning/:id (or /new): one sequence's editor (the same page as /app/dunning/:id).
const callerOf = (request: Request) => requireDashboardSession(request);

export const loader = dunningEditorLoader(callerOf, "/dashboard");
export const action = dunningEditorAction(callerOf);
export const shouldRevalidate = dunningEditorShouldRevalidate("/dashboard");

export default DunningSequenceEditor;

export function ErrorBoundary() {
  return <DunningEditorError basePath="/dashboard" />;
}
