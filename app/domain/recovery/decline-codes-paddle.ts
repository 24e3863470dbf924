// Paddle Billing: the `error_code` of a failed payment attempt (`transaction.payments[].error_code`).
// Source: https://developer.paddle.com/api-reference/transactions, https://developer.paddle.com/changelog/2024/declined-not-retryable-error-code; Paddle gives no retry class for these codes, so categories follow the Stripe equivalents in decline-codes.ts (declined as generic_decline, not_enough_balance as insufficient_funds).
import type { Spec } from "./decline-vocabulary";

export const PADDLE: readonly Spec[] = [
  ["not_enough_balance", "soft_retry", "insufficient_funds", "The payment method was declined for insufficient funds."],
  ["expired_card", "hard_customer", "expired_card", "The card issuer says the card has expired."],
  ["declined", "soft_retry", "other", "The payment method was declined with no further reason given."],
  ["fraud", "terminal", "fraud", "The card issuer or payment provider flagged the payment as potentially fraudulent."],
];
