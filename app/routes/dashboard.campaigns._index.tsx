import type { MetaFunction } from "@remix-run/node";
import { CampaignList, CampaignListError } from "~/components/CampaignList";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { campaignListAction, campaignListLoader } from "~/contracts/dashboard/campaign-pages.server";

// /dashboard/campaigns: the workspace's campaigns, by status and name; new ones blank or from a template.
export const loader = campaignListLoader(requireDashboardSession, "/dashboard");
export const action = campaignListAction(requireDashboardSession, "/dashboard");

export const meta: MetaFunction = () => [{ title: "Campaigns · Recoup" }];

export default CampaignList;
export const ErrorBoundary = CampaignListError;
