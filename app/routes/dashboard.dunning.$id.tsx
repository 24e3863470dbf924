import { DunningEditorError, dunningEditorShouldRevalidate, DunningSequenceEditor } from "~/components/DunningSequenceEditor";
import { dashboardCaller, dunningEditorAction, dunningEditorLoader } from "~/http/dunning-pages.server";

// /dashboard/dunning/:id (or /new): one sequence's editor (the same page as /app/dunning/:id).
export const loader = dunningEditorLoader(dashboardCaller, "/dashboard");
export const action = dunningEditorAction(dashboardCaller);
export const shouldRevalidate = dunningEditorShouldRevalidate("/dashboard");

export default DunningSequenceEditor;

export function ErrorBoundary() {
  return <DunningEditorError basePath="/dashboard" />;
}
