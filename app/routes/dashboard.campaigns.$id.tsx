import type { MetaFunction } from "@remix-run/node";
import { CampaignEditor, CampaignEditorError, campaignEditorShouldRevalidate } from "~/components/CampaignEditor";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { campaignEditorAction, campaignEditorLoader } from "~/contracts/dashboard/campaign-pages.server";

// /dashboard/campaigns/:id (or /new): one campaign's editor, lifecycle and simulation.
export const loader = campaignEditorLoader(requireDashboardSession, "/dashboard");
export const action = campaignEditorAction(requireDashboardSession);
export const shouldRevalidate = campaignEditorShouldRevalidate("/dashboard");

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.form.name} · Campaigns · Recoup` : "Campaign · Recoup" }];

export default CampaignEditor;

export function ErrorBoundary() {
  return <CampaignEditorError basePath="/dashboard" />;
}
