// PayPal: the `issue` of a failed Orders v2 capture (INSTRUMENT_DECLINED) and, for a card capture with status DECLINED, its `processor_response.response_code`.
// Source: https://developer.paypal.com/docs/api/orders/v2/, https://developer.paypal.com/docs/checkout/standard/customize/handle-funding-failures/, https://github.com/paypal/paypal-rest-api-specifications/blob/main/openapi/checkout_orders_v2.json; INSTRUMENT_DECLINED gives no reason, so it is filed as a generic decline.
import type { Spec } from "./decline-vocabulary";

export const PAYPAL: readonly Spec[] = [
  ["INSTRUMENT_DECLINED", "soft_retry", "other", "The processor or bank declined the payment method, or it can't be used for this payment."],
  ["5120", "soft_retry", "insufficient_funds", "The card has insufficient funds for this payment."],
  ["5400", "hard_customer", "expired_card", "The card has expired."],
  ["9520", "terminal", "lost_or_stolen", "The card was reported lost or stolen."],
];
