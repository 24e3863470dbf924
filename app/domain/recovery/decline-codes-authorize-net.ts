// Authorize.net: the response reason code of a declined or errored transaction (`transactionResponse.errors[].errorCode` in the API, "Response Reason Code" in the Merchant Interface).
// Source: https://developer.authorize.net/api/reference/responseCodes.html, https://support.authorize.net/s/article/Why-was-my-transaction-declined; Authorize.net has no insufficient-funds code (issuer declines, insufficient funds included, all arrive as "2"), so "2" is filed as a generic decline and "3" (referral) as do-not-honour, as Stripe's call_issuer is.
import type { Spec } from "./decline-vocabulary";

export const AUTHORIZE_NET: readonly Spec[] = [
  ["2", "soft_retry", "other", "The card issuer or processor declined the payment without giving a reason (insufficient funds, a frozen account or another issuer rule)."],
  ["3", "soft_retry", "do_not_honor", "The issuer referred the payment for voice approval, so the cardholder needs to call their bank."],
  ["4", "terminal", "pickup_card", "The processor asked for the card to be picked up (it may have been reported lost or stolen)."],
  ["8", "hard_customer", "expired_card", "The card has expired."],
];
