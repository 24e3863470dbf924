import type { MetaFunction } from "@remix-run/node";
import { dashboardMeta } from "~/contracts/dashboard/pages";
import { DunningEditorError, dunningEditorShouldRevalidate, DunningSequenceEditor } from "~/components/DunningSequenceEditor";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { dunningEditorAction, dunningEditorLoader } from "~/contracts/dashboard/dunning-pages.server";

// /dashboard/dunning/:id (or /new): one sequence's editor (the same page as /app/dunning/:id).
export const meta: MetaFunction<typeof loader> = ({ data }) => dashboardMeta(data?.draft.name || "New sequence", "Dunning");
export const loader = dunningEditorLoader(requireDashboardSession, "/dashboard");
export const action = dunningEditorAction(requireDashboardSession);
export const shouldRevalidate = dunningEditorShouldRevalidate("/dashboard");

export default DunningSequenceEditor;

export function ErrorBoundary() {
  return <DunningEditorError basePath="/dashboard" />;
}
