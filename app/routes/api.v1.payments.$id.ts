import { PaymentIdParamsSchema, PaymentSchema } from "~/contracts/api-v1/payments";
import { getPayment } from "~/contracts/api-v1/payments.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/payments/{id}",
  scope: "read:payments",
  summary: "Get a payment",
  description: "By Recoup's id or by the PSP's reference (the invoice id `in_…`, a Stripe PaymentIntent `pi_…` or charge `ch_…`/`py_…`, a Shopify billing attempt, an ingested payment's id).",
  tags: ["Payments"],
  params: PaymentIdParamsSchema,
  response: PaymentSchema,
  errors: ["payment_not_found"],
  example: { params: { id: "in_1PxYz2AbCdEf" } },
  handler: ({ scope, params }) => getPayment({ ...scope, id: params.id }),
});

const route = routeOf(get);
export const loader = route.loader;
export const action = route.action;
