import {
  BulkActionSchema,
  resumeAllForCustomer,
  CustomerIdParamsSchema,
} from "~/contracts/api-v1/customers.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const resumeAll = defineEndpoint({
  method: "POST",
  path: "/api/v1/customers/{id}/resume-all",
  scope: "write:customers",
  summary: "Resume all recovery for a customer",
  description:
    "Every paused open recovery of the customer carries on: Recoup plans its next retry or email again from now.",
  tags: ["Customers"],
  params: CustomerIdParamsSchema,
  response: BulkActionSchema,
  errors: ["customer_not_found"],
  example: { params: { id: "cus_QxYz123" } },
  handler: ({ scope, params }) =>
    resumeAllForCustomer({ ...scope, id: params.id }),
});

const route = routeOf(resumeAll);
export const loader = route.loader;
export const action = route.action;
