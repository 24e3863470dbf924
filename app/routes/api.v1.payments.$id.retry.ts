import { PaymentIdParamsSchema, PaymentRetrySchema } from "~/domain/api/payments";
import { retryPayment } from "~/domain/api/payments.server";
import { defineEndpoint, routeOf } from "~/http/api-v1/endpoint.server";

const retry = defineEndpoint({
  method: "POST",
  path: "/api/v1/payments/{id}/retry",
  scope: "write:payments",
  summary: "Retry a payment",
  description:
    "Charges the payment again now (202: the charge runs in the background; watch the timeline). The card networks' rules still apply: a decline that must not be retried, or one that needs a new card, is a 409 with the reason. Payments ingested from other PSPs are retried by the merchant (409 `retry_not_supported`).",
  tags: ["Payments"],
  params: PaymentIdParamsSchema,
  response: PaymentRetrySchema,
  status: 202,
  errors: ["payment_not_found", "conflict", "retry_not_supported"],
  example: { params: { id: "in_1PxYz2AbCdEf" } },
  handler: ({ workspaceId, params }) => retryPayment({ workspaceId, id: params.id }),
});

const route = routeOf(retry);
export const loader = route.loader;
export const action = route.action;
