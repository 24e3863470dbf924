import { checkOverlap } from "~/domain/campaigns/simulate.server";
import { OverlapRequestSchema, OverlapResultSchema, parseFilters } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const overlap = defineEndpoint({
  method: "POST",
  path: "/api/v1/campaigns/overlap",
  scope: "read:campaigns",
  summary: "Check campaign overlap",
  description:
    "Which active campaigns would claim the same failed payments as this trigger and filters, counted over the workspace's own last `lookback_days` of failures, and which campaign would win each (precedence: lower `priority`, then the more specific, then the one updated last).",
  tags: ["Campaigns"],
  body: OverlapRequestSchema,
  response: OverlapResultSchema,
  example: { body: { trigger: "soft_decline", filters_json: "{\"currencies\":[\"usd\"]}" } },
  handler: ({ scope, body }) =>
    checkOverlap({
      ...scope,
      trigger: body.trigger,
      filters: parseFilters(body.filters_json),
      campaignId: body.exclude_campaign_id,
      priority: body.priority,
      lookbackDays: body.lookback_days,
    }),
});

const route = routeOf(overlap);
export const loader = route.loader;
export const action = route.action;
