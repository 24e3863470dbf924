import { DeclineCodeAnalyticsSchema, DeclineCodesQuerySchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { declineCodeReport } from "~/domain/analytics/reports.server";

const declineCodes = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/decline-codes",
  scope: "analytics|read",
  summary: "Decline distribution",
  description: "Each decline code's failed payments in the range, its share of them, and how many of them were recovered to date.",
  tags: ["Analytics"],
  query: DeclineCodesQuerySchema,
  response: DeclineCodeAnalyticsSchema,
  example: { query: { start_date: "2026-02-27", end_date: "2026-03-29", psp: "stripe" } },
  handler: ({ scope, query }) => declineCodeReport({ ...scope, from: query.start_date, to: query.end_date, psp: query.psp }),
});

const route = routeOf(declineCodes);
export const loader = route.loader;
export const action = route.action;
