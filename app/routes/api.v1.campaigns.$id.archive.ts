import { transition } from "~/domain/campaigns/campaigns.server";
import { CampaignIdParamsSchema, CampaignSchema } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const archive = defineEndpoint({
  method: "POST",
  path: "/api/v1/campaigns/{id}/archive",
  scope: "write:campaigns",
  summary: "Archive a campaign",
  description: "A `draft`, `paused` or `completed` campaign is put away: nothing more is sent. Any other status is a 409.",
  tags: ["Campaigns"],
  params: CampaignIdParamsSchema,
  response: CampaignSchema,
  errors: ["campaign_not_found", "campaign_state_conflict"],
  handler: ({ workspaceId, params }) => transition({ workspaceId, id: params.id, command: "archive" }),
});

const route = routeOf(archive);
export const loader = route.loader;
export const action = route.action;
