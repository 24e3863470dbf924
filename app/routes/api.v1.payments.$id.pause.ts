import { PaymentIdParamsSchema, PaymentPauseSchema } from "~/contracts/api-v1/payments";
import { pausePayment } from "~/contracts/api-v1/payments.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const pause = defineEndpoint({
  method: "POST",
  path: "/api/v1/payments/{id}/pause",
  scope: "write:payments",
  summary: "Pause recovery",
  description: "No retries and no dunning emails for this payment until it is resumed. Pausing a paused payment changes nothing.",
  tags: ["Payments"],
  params: PaymentIdParamsSchema,
  response: PaymentPauseSchema,
  errors: ["payment_not_found", "conflict", "recovery_erased"],
  example: { params: { id: "in_1PxYz2AbCdEf" } },
  handler: ({ scope, params }) => pausePayment({ ...scope, id: params.id }),
});

const route = routeOf(pause);
export const loader = route.loader;
export const action = route.action;
