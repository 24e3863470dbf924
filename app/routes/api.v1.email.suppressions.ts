import { list } from "~/domain/deliverability/suppressions.server";
import { ListSuppressionsQuerySchema, SuppressionSchema } from "~/domain/deliverability/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { PageQuerySchema, pageRequest, pageSchema } from "~/contracts/api-v1/pagination.server";

const listSuppressions = defineEndpoint({
  method: "GET",
  path: "/api/v1/email/suppressions",
  scope: "email|read",
  summary: "List email suppressions",
  description:
    "Addresses this workspace no longer emails, newest first: hard bounces (Recoup's own SMTP sends and the providers' webhooks), spam complaints, List-Unsubscribe one-clicks. Active ones only unless `active_only=false`. Filter by part of the address (`search`) or `reason`.",
  tags: ["Email"],
  query: PageQuerySchema.extend(ListSuppressionsQuerySchema.shape),
  response: pageSchema(SuppressionSchema),
  example: { query: { reason: "hard_bounce" } },
  handler: ({ workspaceId, query }) =>
    list({ workspaceId, page: pageRequest(query), search: query.search, reason: query.reason, activeOnly: query.active_only !== "false" }),
});

const route = routeOf(listSuppressions);
export const loader = route.loader;
export const action = route.action;
