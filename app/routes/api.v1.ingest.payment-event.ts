import { receivePaymentEvent } from "~/domain/ingest/intake.server";
import { IngestPaymentEventSchema, IngestResultSchema } from "~/domain/ingest/schemas";
import { defineEndpoint, routeOf } from "~/http/api-v1/endpoint.server";

const ingest = defineEndpoint({
  method: "POST",
  path: "/api/v1/ingest/payment-event",
  scope: "write",
  summary: "Ingest a payment event",
  description:
    "For PSPs without a native Recoup integration (Adyen, Braintree, Checkout.com, Paddle, WooCommerce, custom…). A `payment_failed` opens or updates the payment's recovery: its decline code is classified from the catalogue and the dunning emails go out as for Stripe. Recoup cannot charge these PSPs, so when a retry is due it sends a `payment.retry_due` webhook (or emails the workspace owner); report the outcome with `payment_succeeded` or `payment_failed`. Stored at once and processed within seconds; the same `event_id` twice is a no-op.",
  tags: ["Ingest"],
  body: IngestPaymentEventSchema,
  response: IngestResultSchema,
  status: 202,
  errors: ["conflict"],
  example: {
    body: {
      event_type: "payment_failed",
      event_id: "evt_8841",
      provider: "adyen",
      external_id: "psp_ref_883921",
      amount_cents: 4900,
      currency: "eur",
      customer_email: "ada@example.com",
      customer_id: "shopper_1029",
      decline_code: "Not enough balance",
    },
  },
  handler: ({ workspaceId, body }) => receivePaymentEvent({ workspaceId, event: body }),
});

const route = routeOf(ingest);
export const loader = route.loader;
export const action = route.action;
