import { stats } from "~/domain/deliverability/suppressions.server";
import { SuppressionStatsSchema } from "~/domain/deliverability/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const suppressionStats = defineEndpoint({
  method: "GET",
  path: "/api/v1/email/suppressions/stats",
  scope: "email|read",
  summary: "Email suppression stats",
  description: "Suppressions in this workspace: active and lifted, the active ones by reason and by source, and how many were made in the last 30 days.",
  tags: ["Email"],
  response: SuppressionStatsSchema,
  handler: ({ workspaceId }) => stats({ workspaceId }),
});

const route = routeOf(suppressionStats);
export const loader = route.loader;
export const action = route.action;
