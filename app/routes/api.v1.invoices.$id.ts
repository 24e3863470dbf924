import { z } from "zod";
import { getInvoice, InvoiceSchema } from "~/contracts/api-v1/invoices.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/invoices/{id}",
  scope: "read:invoices",
  summary: "Get an invoice's status",
  description: "A failed invoice by Recoup's id or the PSP's invoice id: status, amount, every charge attempt and what Recoup does next.",
  tags: ["Subscriptions and invoices"],
  params: z.object({ id: z.string().trim().min(1).max(300) }),
  query: z.object({}),
  response: InvoiceSchema,
  errors: ["invoice_not_found"],
  example: { params: { id: "in_1QxYz2AbCdEf" } },
  handler: ({ scope, params }) => getInvoice({ ...scope, id: params.id }),
});

const route = routeOf(get);
export const loader = route.loader;
