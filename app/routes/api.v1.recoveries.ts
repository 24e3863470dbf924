import { ListRecoveriesQuerySchema, RecoverySchema } from "~/contracts/api-v1/recoveries";
import { listRecoveries } from "~/contracts/api-v1/recoveries.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { pageRequest, pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/recoveries",
  scope: "read:recoveries",
  summary: "List recoveries",
  description: "Recoup's work on each failed payment, newest first: status, the campaign (dunning sequence) it follows and how far it got.",
  tags: ["Recoveries"],
  query: ListRecoveriesQuerySchema,
  response: pageSchema(RecoverySchema),
  errors: ["invalid_cursor"],
  example: { query: { status: "active", limit: "25" } },
  handler: ({ scope, query }) => listRecoveries({ ...scope, query, page: pageRequest(query) }),
});

const route = routeOf(list);
export const loader = route.loader;
export const action = route.action;
