import { createCampaign, listCampaigns } from "~/domain/campaigns/campaigns.server";
import { CampaignSchema, CreateCampaignSchema, ListCampaignsQuerySchema, parseFilters } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { pageRequest, PageQuerySchema, pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/campaigns",
  scope: "read:campaigns",
  summary: "List campaigns",
  description: "The workspace's recovery campaigns, newest first, with their steps and results. Filter by `status`, `trigger`, or part of the name (`search`).",
  tags: ["Campaigns"],
  query: PageQuerySchema.extend(ListCampaignsQuerySchema.shape),
  response: pageSchema(CampaignSchema),
  example: { query: { status: "active" } },
  handler: ({ workspaceId, query }) =>
    listCampaigns({ workspaceId, status: query.status, trigger: query.trigger, search: query.search, page: pageRequest(query) }),
});

const create = defineEndpoint({
  method: "POST",
  path: "/api/v1/campaigns",
  scope: "write:campaigns",
  summary: "Create a campaign",
  description:
    "A new campaign, in `draft`: it enrolls nobody until activated. `trigger` defaults to payment_failed; `filters_json` narrows whom it claims. Steps are emails, each `delay_hours` after the failure (subject and body templates use the placeholders of GET /api/v1/templates/preview).",
  tags: ["Campaigns"],
  body: CreateCampaignSchema,
  response: CampaignSchema,
  status: 201,
  errors: ["unknown_placeholder"],
  example: {
    body: {
      name: "Soft Decline Recovery",
      trigger: "soft_decline",
      filters_json: "{\"min_amount_cents\":1000}",
      steps: [{ delay_hours: 48, subject_template: "Your payment to {{merchant_name}} didn't go through", body_template: "Hi {{customer_name}},\n\n{{update_payment_url}}" }],
    },
  },
  handler: ({ workspaceId, body }) =>
    createCampaign({ workspaceId, draft: { name: body.name, trigger: body.trigger, filters: parseFilters(body.filters_json), priority: body.priority, steps: body.steps } }),
});

const route = routeOf(list, create);
export const loader = route.loader;
export const action = route.action;
