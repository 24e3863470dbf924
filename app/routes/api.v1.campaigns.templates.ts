import { z } from "zod";
import { listTemplates } from "~/domain/campaigns/campaigns.server";
import { CampaignTemplateSchema } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/campaigns/templates",
  scope: "read:campaigns",
  summary: "List campaign templates",
  description: "Pre-built campaigns to start from (POST /api/v1/campaigns/from-template): trigger, filters and emails.",
  tags: ["Campaigns"],
  response: z.array(CampaignTemplateSchema),
  handler: async () => listTemplates(),
});

const route = routeOf(list);
export const loader = route.loader;
export const action = route.action;
