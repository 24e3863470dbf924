import {
  BulkActionSchema,
  pauseAllForCustomer,
  CustomerIdParamsSchema,
} from "~/contracts/api-v1/customers.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const pauseAll = defineEndpoint({
  method: "POST",
  path: "/api/v1/customers/{id}/pause-all",
  scope: "write:customers",
  summary: "Pause all recovery for a customer",
  description:
    "Every open recovery of the customer stops retrying and emailing until resumed. Already paused or closed ones are left as they are.",
  tags: ["Customers"],
  params: CustomerIdParamsSchema,
  response: BulkActionSchema,
  errors: ["customer_not_found"],
  example: { params: { id: "cus_QxYz123" } },
  handler: ({ scope, params }) =>
    pauseAllForCustomer({ ...scope, id: params.id }),
});

const route = routeOf(pauseAll);
export const loader = route.loader;
export const action = route.action;
