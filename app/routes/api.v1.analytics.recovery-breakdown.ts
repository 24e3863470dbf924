import { BreakdownQuerySchema, RecoveryBreakdownSchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { recoveryBreakdown } from "~/domain/analytics/breakdown.server";

const breakdown = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/recovery-breakdown",
  scope: "analytics|read",
  summary: "Recovery breakdown",
  description:
    "The range's failed payments as a time series (`group_by`: hour, day, week, month; local periods, weeks from Monday), each period split by `segment_by` (decline_category, psp, campaign, decline_code), with totals per segment. Money in minor units of `currency`.",
  tags: ["Analytics"],
  query: BreakdownQuerySchema,
  response: RecoveryBreakdownSchema,
  example: { query: { group_by: "week", segment_by: "psp" } },
  handler: async ({ scope, query }) => ({
    ...(await recoveryBreakdown({ ...scope, from: query.start_date ?? "", to: query.end_date ?? "", groupBy: query.group_by, segmentBy: query.segment_by, currency: query.currency })),
    groupBy: query.group_by,
    segmentBy: query.segment_by,
  }),
});

const route = routeOf(breakdown);
export const loader = route.loader;
export const action = route.action;
