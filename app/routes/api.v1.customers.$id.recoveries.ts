import {
  listCustomerRecoveries,
  RecoverySchema,
  CustomerIdParamsSchema,
} from "~/contracts/api-v1/customers.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import {
  pageRequest,
  PageQuerySchema,
  pageSchema,
} from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/customers/{id}/recoveries",
  scope: "read:customers",
  summary: "List a customer's recoveries",
  description:
    "The customer's recoveries, newest first (the items of `GET /api/v1/recoveries`).",
  tags: ["Customers"],
  params: CustomerIdParamsSchema,
  query: PageQuerySchema,
  response: pageSchema(RecoverySchema),
  errors: ["customer_not_found"],
  handler: ({ scope, params, query }) =>
    listCustomerRecoveries({
      ...scope,
      id: params.id,
      page: pageRequest(query),
    }),
});

const route = routeOf(list);
export const loader = route.loader;
export const action = route.action;
