import { RevenueAnalyticsSchema, RevenueQuerySchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { revenueReport } from "~/domain/analytics/reports.server";

const revenue = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/revenue",
  scope: "analytics|read",
  summary: "Revenue metrics",
  description:
    "Of the payments that failed in the range, in one currency (minor units): the revenue recovered to date, still at risk (open) and failed, with their counts. Other currencies are listed in `other_currencies`, never converted.",
  tags: ["Analytics"],
  query: RevenueQuerySchema,
  response: RevenueAnalyticsSchema,
  example: { query: { start_date: "2026-02-27", end_date: "2026-03-29", currency: "usd" } },
  handler: ({ scope, query }) => revenueReport({ ...scope, from: query.start_date, to: query.end_date, currency: query.currency }),
});

const route = routeOf(revenue);
export const loader = route.loader;
export const action = route.action;
