import { RecoveryAnalyticsQuerySchema, RecoveryAnalyticsSchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { recoveryReport } from "~/domain/analytics/reports.server";

const summary = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/summary",
  scope: "analytics|read",
  summary: "Summary (alias of /api/v1/analytics/recovery)",
  description:
    "The payments that failed in the range (local days in the workspace's time zone): how many were recovered to date, closed without recovery (terminal) or are still open, by decline category, with a series by `group_by`. Rates on fewer than 30 payments say `low_volume` and carry a 95 % interval.",
  tags: ["Analytics"],
  query: RecoveryAnalyticsQuerySchema,
  response: RecoveryAnalyticsSchema,
  example: { query: { start_date: "2026-02-27", end_date: "2026-03-29", group_by: "day" } },
  handler: ({ scope, query }) =>
    recoveryReport({ ...scope, from: query.start_date, to: query.end_date, groupBy: query.group_by, psp: query.psp, declineCategory: query.decline_category, currency: query.currency }),
});

const route = routeOf(summary);
export const loader = route.loader;
export const action = route.action;
