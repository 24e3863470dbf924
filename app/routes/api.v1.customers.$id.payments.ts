import {
  listCustomerPayments,
  PaymentSchema,
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
  path: "/api/v1/customers/{id}/payments",
  scope: "read:customers",
  summary: "List a customer's payments",
  description:
    "The customer's failed payments Recoup worked on, newest failure first (the items of `GET /api/v1/payments`).",
  tags: ["Customers"],
  params: CustomerIdParamsSchema,
  query: PageQuerySchema,
  response: pageSchema(PaymentSchema),
  errors: ["customer_not_found"],
  handler: ({ scope, params, query }) =>
    listCustomerPayments({
      ...scope,
      id: params.id,
      page: pageRequest(query),
    }),
});

const route = routeOf(list);
export const loader = route.loader;
export const action = route.action;
