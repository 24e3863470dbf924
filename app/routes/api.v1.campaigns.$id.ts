import { getCampaign, updateCampaign } from "~/domain/campaigns/campaigns.server";
import { CampaignIdParamsSchema, CampaignSchema, UpdateCampaignSchema, parseFilters } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/campaigns/{id}",
  scope: "read:campaigns",
  summary: "Get a campaign",
  description: "The campaign with all its steps and results.",
  tags: ["Campaigns"],
  params: CampaignIdParamsSchema,
  response: CampaignSchema,
  errors: ["campaign_not_found"],
  handler: ({ workspaceId, params }) => getCampaign({ workspaceId, id: params.id }),
});

const update = defineEndpoint({
  method: "PUT",
  path: "/api/v1/campaigns/{id}",
  scope: "write:campaigns",
  summary: "Update a campaign",
  description:
    "Changes the name, trigger, filters, priority or steps (the whole list). Only a `draft` or `paused` campaign can change: anything else is a 409 naming its status. Fields left out stay as they are.",
  tags: ["Campaigns"],
  params: CampaignIdParamsSchema,
  body: UpdateCampaignSchema,
  response: CampaignSchema,
  errors: ["campaign_not_found", "campaign_state_conflict", "unknown_placeholder"],
  example: { body: { name: "Soft declines, EU", filters_json: "{\"currencies\":[\"eur\"]}" } },
  handler: ({ workspaceId, params, body }) =>
    updateCampaign({
      workspaceId,
      id: params.id,
      patch: {
        name: body.name,
        trigger: body.trigger,
        filters: body.filters_json === undefined ? undefined : parseFilters(body.filters_json),
        priority: body.priority,
        steps: body.steps,
      },
    }),
});

const route = routeOf(get, update);
export const loader = route.loader;
export const action = route.action;
