import {
  CustomerDetailSchema,
  eraseCustomerById,
  ErasureSchema,
  getCustomer,
  CustomerIdParamsSchema,
} from "~/contracts/api-v1/customers.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const Params = CustomerIdParamsSchema;

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/customers/{id}",
  scope: "read:customers",
  summary: "Get a customer",
  description:
    "By Recoup's id or the PSP's customer id (`cus_…`), with recovery stats.",
  tags: ["Customers"],
  params: Params,
  response: CustomerDetailSchema,
  errors: ["customer_not_found"],
  example: { params: { id: "cus_QxYz123" } },
  handler: ({ scope, params }) =>
    getCustomer({ ...scope, id: params.id }),
});

const erase = defineEndpoint({
  method: "DELETE",
  path: "/api/v1/customers/{id}",
  scope: "admin:customers",
  summary: "Erase a customer (GDPR)",
  description:
    "Permanently erases the customer (GDPR Article 17): their record, emails, pending jobs, card details and every raw event that names them go; their payments stay as anonymous amounts so that your totals do not change. Irreversible; a second call is 404. Needs `admin` or `admin:customers`.",
  tags: ["Customers"],
  params: Params,
  response: ErasureSchema,
  errors: ["customer_not_found"],
  example: { params: { id: "cus_QxYz123" } },
  handler: ({ scope, params }) =>
    eraseCustomerById({ ...scope, id: params.id }),
});

const route = routeOf(get, erase);
export const loader = route.loader;
export const action = route.action;
