import { z } from "zod";
import { CustomerDetailSchema, getCustomerByEmail } from "~/contracts/api-v1/customers.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const byEmail = defineEndpoint({
  method: "GET",
  path: "/api/v1/customers/by-email/{email}",
  scope: "read:customers",
  summary: "Look up a customer by email",
  description:
    "URL-encode the address. Any case matches; when two PSPs know the same address, the newest customer answers. With recovery stats.",
  tags: ["Customers"],
  params: z.object({
    email: z
      .string()
      .max(320)
      .trim()
      .min(3)
      .regex(/^[^\s@]+@[^\s@]+$/, "an email address"),
  }),
  response: CustomerDetailSchema,
  errors: ["customer_not_found"],
  example: { params: { email: "jane@example.com" } },
  handler: ({ scope, params }) =>
    getCustomerByEmail({ ...scope, email: params.email }),
});

const route = routeOf(byEmail);
export const loader = route.loader;
export const action = route.action;
