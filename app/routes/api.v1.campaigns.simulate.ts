import { simulateCampaign } from "~/domain/campaigns/simulate.server";
import { SimulateRequestSchema, SimulationSchema, parseFilters } from "~/contracts/api-v1/campaigns";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const simulate = defineEndpoint({
  method: "POST",
  path: "/api/v1/campaigns/simulate",
  scope: "read:campaigns",
  summary: "Simulate a campaign",
  description:
    "Replays the workspace's own failed payments of the last `lookback_days` (default 30, the newest 5,000 at most) through the engine's own campaign choice and email plan, on a virtual clock: how many the campaign would enroll against today's active campaigns, the emails each step would send, and which recoveries came after which email. Nothing is sent or stored.",
  tags: ["Campaigns"],
  body: SimulateRequestSchema,
  response: SimulationSchema,
  errors: ["campaign_not_found"],
  example: { body: { trigger: "payment_failed", lookback_days: 30 } },
  handler: ({ scope, body }) =>
    simulateCampaign({
      ...scope,
      trigger: body.trigger,
      filters: parseFilters(body.filters_json),
      campaignId: body.campaign_id,
      priority: body.priority,
      lookbackDays: body.lookback_days,
      steps: body.steps?.map((s) => ({ delayHours: s.delay_hours })),
    }),
});

const route = routeOf(simulate);
export const loader = route.loader;
export const action = route.action;
