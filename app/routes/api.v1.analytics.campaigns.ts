import { CampaignAnalyticsQuerySchema, CampaignAnalyticsSchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { pageRequest, pageSchema } from "~/contracts/api-v1/pagination.server";
import { campaignReport } from "~/domain/analytics/reports.server";

const campaigns = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/campaigns",
  scope: "analytics|read",
  summary: "Campaign metrics",
  description: "Per campaign, newest first (cursor pages): the recoveries it followed and their results to date, the recovery rate and the revenue recovered.",
  tags: ["Analytics"],
  query: CampaignAnalyticsQuerySchema,
  response: pageSchema(CampaignAnalyticsSchema),
  errors: ["invalid_cursor"],
  example: { query: { limit: "50" } },
  handler: ({ scope, query }) => campaignReport({ ...scope, page: pageRequest(query, "cursor") }),
});

const route = routeOf(campaigns);
export const loader = route.loader;
export const action = route.action;
