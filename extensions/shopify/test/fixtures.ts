import type { RecoveryItem } from "../customer-recoveries/src/view-model";

/** One open recovery as the backend answers it; `over` changes what a test is about. */
export function recoveryItem(over: Partial<RecoveryItem> = {}): RecoveryItem {
  return {
    id: "rec_1",
    stripeInvoiceId: "shopify:1:10",
    stripeCustomerId: "gid://shopify/Customer/1001",
    status: "pending",
    amountDueCents: 2500,
    recoveredAmountCents: null,
    currency: "usd",
    startedAt: "2026-11-01T09:00:00.000Z",
    endedAt: null,
    nextActionAt: "2026-11-02T09:00:00.000Z",
    nextActionReason: "Retrying on Nov 2 at 09:00 (UTC): the bank said to try again later.",
    ...over,
  };
}
