import { transition } from "~/domain/campaigns/campaigns.server";
import { CampaignIdParamsSchema, CampaignSchema } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const complete = defineEndpoint({
  method: "POST",
  path: "/api/v1/campaigns/{id}/complete",
  scope: "write:campaigns",
  summary: "Complete a campaign",
  description: "An `active` or `paused` campaign stops enrolling for good; enrollments already running finish their emails, paused ones end. Any other status is a 409.",
  tags: ["Campaigns"],
  params: CampaignIdParamsSchema,
  response: CampaignSchema,
  errors: ["campaign_not_found", "campaign_state_conflict"],
  handler: ({ workspaceId, params }) => transition({ workspaceId, id: params.id, command: "complete" }),
});

const route = routeOf(complete);
export const loader = route.loader;
export const action = route.action;
