import { receivePaymentEvent } from "~/domain/ingest/intake.server";
import { IngestPaymentEventSchema, IngestResultSchema } from "~/domain/ingest/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { idempotencyKeyOf } from "~/contracts/api-v1/idempotency.server";

const ingest = defineEndpoint({
  method: "POST",
  path: "/api/v1/ingest/payment-event",
  scope: "write",
  summary: "Ingest a payment event",
  description:
    "For PSPs without a native Recoup integration (Adyen, Braintree, Checkout.com, Paddle, Authorize.net, PayPal, Worldpay, GoCardless, Mollie, Square, Razorpay, WooCommerce, custom…: `provider`). A `payment_failed` opens or updates the payment's recovery: its decline code is classified from the catalogue and the dunning emails go out as for Stripe. Recoup cannot charge these PSPs, so when a retry is due it sends a `payment.retry_due` webhook (or emails the workspace owner); report the outcome with `payment_succeeded` or `payment_failed`. LostChurn's documented body (`event_type`, `amount_cents`, `currency`, `customer_email`, optional `decline_code` and `metadata`) is all it needs: `external_id`, `event_id` and the rest are optional additions. Stored at once and processed within seconds. The event is identified by `event_id`, else by the `Idempotency-Key` header, else by a hash of its content: sending the same event again is a no-op (`duplicate`).",
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
  handler: ({ scope, body, request }) =>
    receivePaymentEvent({ ...scope, event: body, idempotencyKey: idempotencyKeyOf(request) }),
});

const route = routeOf(ingest);
export const loader = route.loader;
export const action = route.action;
