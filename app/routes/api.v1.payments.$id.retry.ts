import { PaymentIdParamsSchema, PaymentRetrySchema } from "~/contracts/api-v1/payments";
import { retryPayment } from "~/contracts/api-v1/payments.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const retry = defineEndpoint({
  method: "POST",
  path: "/api/v1/payments/{id}/retry",
  scope: "write:payments",
  summary: "Retry a payment",
  description:
    "Charges the payment again now (202: the charge runs in the background; watch the timeline). The card networks' rules still apply: a decline that must not be retried, or one that needs a new card, is a 409 with the reason. Recoup cannot charge payments ingested from other PSPs: for those it sends the merchant a signed `payment.retry_due` webhook (or emails the workspace owner when no endpoint takes it), and the merchant reports the result to `POST /api/v1/ingest/payment-event`.",
  tags: ["Payments"],
  params: PaymentIdParamsSchema,
  response: PaymentRetrySchema,
  status: 202,
  errors: ["payment_not_found", "conflict", "recovery_erased"],
  example: { params: { id: "in_1PxYz2AbCdEf" } },
  handler: ({ scope, params }) => retryPayment({ ...scope, id: params.id }),
});

const route = routeOf(retry);
export const loader = route.loader;
export const action = route.action;
