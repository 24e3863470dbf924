// A failure as the retry policy reads it (app/domain/recovery/policy.ts FailureInput): a Visa card
// declined for insufficient funds on Monday 3 March 2025, 10:00 UTC, unless the test says otherwise.
import type { FailureInput } from "~/domain/recovery/policy";

export const FAILED_AT = new Date("2025-03-03T10:00:00Z"); // a Monday

export function makeFailure(over: Partial<FailureInput> = {}): FailureInput {
  return {
    provider: "stripe",
    errorCode: "card_declined",
    declineCode: "insufficient_funds",
    adviceCode: null,
    networkDeclineCode: null,
    networkAdviceCode: null,
    cardBrand: "visa",
    cardFingerprint: "fp_card",
    amountMinor: 4900,
    currency: "usd",
    customerTimezone: "UTC",
    failedAt: FAILED_AT,
    ...over,
  };
}
