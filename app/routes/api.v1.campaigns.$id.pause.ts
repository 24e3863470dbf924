import { transition } from "~/domain/campaigns/campaigns.server";
import { CampaignIdParamsSchema, CampaignSchema } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const pause = defineEndpoint({
  method: "POST",
  path: "/api/v1/campaigns/{id}/pause",
  scope: "write:campaigns",
  summary: "Pause a campaign",
  description: "An `active` campaign stops enrolling, and its enrollments hold their next email until it is activated again. Any other status is a 409.",
  tags: ["Campaigns"],
  params: CampaignIdParamsSchema,
  response: CampaignSchema,
  errors: ["campaign_not_found", "campaign_state_conflict"],
  handler: ({ workspaceId, params }) => transition({ workspaceId, id: params.id, command: "pause" }),
});

const route = routeOf(pause);
export const loader = route.loader;
export const action = route.action;
