import { z } from "zod";
import { CustomerSchema, listCustomers } from "~/contracts/api-v1/customers.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import {
  pageRequest,
  PageQuerySchema,
  pageSchema,
} from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/customers",
  scope: "read:customers",
  summary: "List customers",
  description:
    "Customers Recoup knows (those with a failed payment), newest first, with their payment counts. `search` matches part of the name or email, any case, or the PSP's customer id exactly.",
  tags: ["Customers"],
  query: PageQuerySchema.extend({
    search: z
      .string()
      .max(200)
      .trim()
      .min(1)
      .optional()
      .describe("Part of a name or email (any case), or a PSP customer id."),
  }),
  response: pageSchema(CustomerSchema),
  example: { query: { search: "jane", limit: "25" } },
  handler: ({ scope, query }) =>
    listCustomers({
      ...scope,
      search: query.search,
      page: pageRequest(query),
    }),
});

const route = routeOf(list);
export const loader = route.loader;
export const action = route.action;
