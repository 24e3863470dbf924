import { transition } from "~/domain/campaigns/campaigns.server";
import { CampaignIdParamsSchema, CampaignSchema } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const activate = defineEndpoint({
  method: "POST",
  path: "/api/v1/campaigns/{id}/activate",
  scope: "write:campaigns",
  summary: "Activate a campaign",
  description: "A `draft` or `paused` campaign starts enrolling failed payments that match its trigger and filters; a paused one's enrollments pick up their next email (never within a day of the customer's last). Any other status is a 409.",
  tags: ["Campaigns"],
  params: CampaignIdParamsSchema,
  response: CampaignSchema,
  errors: ["campaign_not_found", "campaign_state_conflict"],
  handler: ({ workspaceId, params }) => transition({ workspaceId, id: params.id, command: "activate" }),
});

const route = routeOf(activate);
export const loader = route.loader;
export const action = route.action;
