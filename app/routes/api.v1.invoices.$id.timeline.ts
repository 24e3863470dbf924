import { z } from "zod";
import { getInvoiceTimeline, InvoiceTimelineSchema } from "~/contracts/api-v1/invoices.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const timeline = defineEndpoint({
  method: "GET",
  path: "/api/v1/invoices/{id}/timeline",
  scope: "read:invoices",
  summary: "Get an invoice's timeline",
  description: "Retry and status history, oldest first: the PSP's failures, Recoup's retries, emails (sent, opened, clicked), pauses, the outcome, and the next planned retry last.",
  tags: ["Subscriptions and invoices"],
  params: z.object({ id: z.string().trim().min(1).max(300) }),
  query: z.object({}),
  response: InvoiceTimelineSchema,
  errors: ["invoice_not_found"],
  example: { params: { id: "in_1QxYz2AbCdEf" } },
  handler: ({ scope, params }) => getInvoiceTimeline({ ...scope, id: params.id }),
});

const route = routeOf(timeline);
export const loader = route.loader;
