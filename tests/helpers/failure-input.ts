import type { FailureFacts } from "~/domain/recovery/facts";
import { now } from "~/utils/clock.server";
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

/** A Stripe failed payment as the engine is told it (recordInvoiceFailure), at the test clock's now. */
export function failureFacts(opts: {
  workspaceId: string;
  invoiceId: string;
  declineCode?: string;
  amount?: number;
  customer?: { externalId: string; email: string | null; name: string | null };
  provider?: string;
  subscriptionId?: string | null;
  at?: Date;
  fingerprint?: string;
}): FailureFacts {
  const fingerprint = opts.fingerprint ?? `fp_${opts.customer?.externalId ?? opts.invoiceId}`;
  return {
    workspaceId: opts.workspaceId,
    provider: opts.provider ?? "stripe",
    livemode: true,
    accountId: "acct_facts",
    invoiceId: opts.invoiceId,
    amountDueMinor: opts.amount ?? 4999,
    currency: "usd",
    hostedInvoiceUrl: `https://invoice.stripe.com/i/${opts.invoiceId}`,
    platform: null,
    settlement: { state: "open" },
    failure: {
      errorCode: "card_declined",
      declineCode: opts.declineCode ?? "insufficient_funds",
      adviceCode: null,
      networkDeclineCode: null,
      networkAdviceCode: null,
      message: "Your card was declined.",
      cardBrand: "visa",
      cardFingerprint: fingerprint,
      cardLast4: "4242",
    },
    failedAt: opts.at ?? now(),
    sourceKey: `evt_${opts.invoiceId}`,
    customer: opts.customer ?? { externalId: `cus_${opts.invoiceId}`, email: `${opts.invoiceId}@example.com`, name: "Jane" },
    subscriptionId: opts.subscriptionId ?? null,
  };
}
