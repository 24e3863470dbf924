import { PaymentIdParamsSchema, PaymentTimelineSchema } from "~/contracts/api-v1/payments";
import { getPaymentTimeline } from "~/contracts/api-v1/payments.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const timeline = defineEndpoint({
  method: "GET",
  path: "/api/v1/payments/{id}/timeline",
  scope: "read:payments",
  summary: "Payment timeline",
  description:
    "Everything that happened to the payment, oldest first: `payment_failed`, `retry_failed`, `retry_succeeded`, `email_sent`, `email_opened`, `link_clicked`, `paused`, `recovered`, `terminal`…; a planned retry comes last as `retry_scheduled`.",
  tags: ["Payments"],
  params: PaymentIdParamsSchema,
  response: PaymentTimelineSchema,
  errors: ["payment_not_found"],
  handler: ({ scope, params }) => getPaymentTimeline({ ...scope, id: params.id }),
});

const route = routeOf(timeline);
export const loader = route.loader;
export const action = route.action;
