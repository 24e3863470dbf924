import { z } from "zod";
import { InvoiceSchema } from "~/contracts/api-v1/invoices.server";
import { listSubscriptionInvoices } from "~/contracts/api-v1/subscriptions.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { pageRequest, PageQuerySchema, pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/subscriptions/{id}/failed-invoices",
  scope: "read:subscriptions",
  summary: "List a subscription's failed invoices",
  description: "Every failed invoice of the subscription Recoup has worked on, open and closed, newest first. A subscription Recoup has never seen is 404.",
  tags: ["Subscriptions and invoices"],
  params: z.object({ id: z.string().trim().min(1).max(200) }),
  query: PageQuerySchema,
  response: pageSchema(InvoiceSchema),
  errors: ["subscription_not_found"],
  example: { params: { id: "sub_1QxYz2AbCdEf" }, query: { limit: "10" } },
  handler: ({ scope, params, query }) => listSubscriptionInvoices({ ...scope, id: params.id, page: pageRequest(query) }),
});

const route = routeOf(list);
export const loader = route.loader;
