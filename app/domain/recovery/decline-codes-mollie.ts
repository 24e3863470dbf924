// Mollie: the `details.failureReason` of a failed credit-card payment (Get payment endpoint).
// Source: https://docs.mollie.com/docs/handling-errors-with-mollie-components (also https://docs.mollie.com/components/handling-errors); Mollie gives codes without retry advice, so categories follow the Stripe equivalents in decline-codes.ts.
import type { Spec } from "./decline-vocabulary";

export const MOLLIE: readonly Spec[] = [
  ["insufficient_funds", "soft_retry", "insufficient_funds", "The card has insufficient funds for this payment."],
  ["card_expired", "hard_customer", "expired_card", "The card has expired."],
  ["card_declined", "soft_retry", "other", "The card was declined without a specific reason."],
  ["possible_fraud", "terminal", "fraud", "The payment was declined as possible fraud."],
];
