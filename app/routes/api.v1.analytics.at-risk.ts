import { AtRiskAnalyticsSchema, AtRiskQuerySchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { atRiskReport } from "~/domain/analytics/reports.server";

const atRisk = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/at-risk",
  scope: "analytics|read",
  summary: "At-risk revenue",
  description: "The amount due on every open recovery, whenever it failed, in one currency (minor units), by decline category; other currencies beside it.",
  tags: ["Analytics"],
  query: AtRiskQuerySchema,
  response: AtRiskAnalyticsSchema,
  handler: ({ scope, query }) => atRiskReport({ ...scope, currency: query.currency }),
});

const route = routeOf(atRisk);
export const loader = route.loader;
export const action = route.action;
