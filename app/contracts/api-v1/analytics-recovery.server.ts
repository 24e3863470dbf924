import { RecoveryAnalyticsQuerySchema, RecoveryAnalyticsSchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint } from "~/contracts/api-v1/endpoint.server";
import { recoveryReport } from "~/domain/analytics/reports.server";

/**
 * LostChurn's recovery metrics: `/api/v1/analytics/recovery` and its alias `/summary` are one
 * operation under two paths (§33, §43), so they cannot drift apart.
 */
export function recoveryAnalyticsEndpoint(path: "/api/v1/analytics/recovery" | "/api/v1/analytics/summary", summary: string) {
  return defineEndpoint({
    method: "GET",
    path,
    scope: "analytics|read",
    summary,
    description:
      "The payments that failed in the range (local days in the workspace's time zone): how many were recovered to date, closed without recovery (terminal) or are still open, by decline category, with a series by `group_by`. Rates on fewer than 30 payments say `low_volume` and carry a 95 % interval.",
    tags: ["Analytics"],
    query: RecoveryAnalyticsQuerySchema,
    response: RecoveryAnalyticsSchema,
    example: { query: { start_date: "2026-02-27", end_date: "2026-03-29", group_by: "day" } },
    handler: ({ scope, query }) =>
      recoveryReport({ ...scope, from: query.start_date, to: query.end_date, groupBy: query.group_by, psp: query.psp, declineCategory: query.decline_category, currency: query.currency }),
  });
}
