// Razorpay: the `error.reason` of a failed payment (payment.failed webhook, Fetch payment endpoint).
// Source: https://razorpay.com/docs/payments/recurring-payments/emandate/errors/, https://razorpay.com/docs/errors/payments/list/; Razorpay gives next steps but no retry class, so categories follow the Stripe equivalents in decline-codes.ts (payment_declined as generic_decline, mandate_not_active as revocation_of_authorization).
import type { Spec } from "./decline-vocabulary";

export const RAZORPAY: readonly Spec[] = [
  ["insufficient_funds", "soft_retry", "insufficient_funds", "The customer's account does not have enough funds for this payment."],
  ["card_expired", "hard_customer", "expired_card", "The card has expired."],
  ["payment_declined", "soft_retry", "other", "The bank or gateway declined the payment without telling Razorpay why."],
  ["mandate_not_active", "terminal", "revoked", "The recurring mandate is no longer active: the customer or their bank cancelled it."],
];
