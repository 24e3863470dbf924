// Worldpay: the `code` attribute of `<ISO8583ReturnCode>` on a payment whose `<lastEvent>` is REFUSED (WPG XML reply or order notification), e.g. code="5" description="REFUSED".
// Source: https://developer.worldpay.com/products/reference/refusal-response (response codes table; the same list ships in Worldpay's own Magento plugin, github.com/Worldpay/Worldpay-Magento2-CG); Worldpay gives no retry class for these codes, so categories follow the Stripe equivalents in decline-codes.ts (5 as do_not_honor, 41 as lost_card).
import type { Spec } from "./decline-vocabulary";

export const WORLDPAY: readonly Spec[] = [
  ["51", "soft_retry", "insufficient_funds", "The card has insufficient funds or is over its credit limit."],
  ["54", "hard_customer", "expired_card", "The issuer declined because the card has expired."],
  ["5", "soft_retry", "do_not_honor", "The issuer refused the payment without giving a reason (do not honour)."],
  ["41", "terminal", "lost_or_stolen", "The card was reported lost and the issuer asked for it to be picked up."],
];
