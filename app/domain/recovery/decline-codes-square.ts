// Square: the `errors[].code` (category PAYMENT_METHOD_ERROR) returned by a failed CreatePayment.
// Source: https://developer.squareup.com/reference/square/objects/ErrorCode, https://developer.squareup.com/docs/payments-api/error-codes; Square has no fraud/lost/stolen code (it reports those as GENERIC_DECLINE), so BUYER_REFUSED_PAYMENT (bank payment not authorised) stands for the revoked-authorisation kind, and the rest follow the Stripe equivalents in decline-codes.ts.
import type { Spec } from "./decline-vocabulary";

export const SQUARE: readonly Spec[] = [
  ["INSUFFICIENT_FUNDS", "soft_retry", "insufficient_funds", "The card or account has insufficient funds for this payment."],
  ["CARD_EXPIRED", "hard_customer", "expired_card", "The issuer declined because the card has expired."],
  ["GENERIC_DECLINE", "soft_retry", "other", "The issuer declined without giving a reason."],
  ["BUYER_REFUSED_PAYMENT", "terminal", "revoked", "The customer's bank rejected the payment or the customer did not authorise it."],
];
