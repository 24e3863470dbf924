import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { dunningPreviewAction } from "~/contracts/dashboard/dunning-pages.server";

// POST /dashboard/dunning/preview: the editor's live preview of one step (nothing is written).
export const action = dunningPreviewAction(requireDashboardSession);

export const loader = () => new Response("Not found", { status: 404 });
