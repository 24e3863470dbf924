// "The same catalogue drives the engine's classification": every code of every PSP in the catalogue,
// opened as a real RecoveryAttempt through the engine's entry point (recordInvoiceFailure: Stripe's
// intake, Shopify's billing webhooks and ingested PSPs all call it), is filed under the catalogue's category.
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { classifyDecline, DECLINE_CODES, DECLINE_PSPS, type DeclinePsp } from "./decline-codes";
import { recordInvoiceFailure } from "./engine.server";

let n = 0;

async function openRecovery(workspaceId: string, provider: string, code: string) {
  n += 1;
  const failure = {
    // Shopify reports its code as the billing attempt's error_code; the others as a decline code.
    errorCode: provider === "shopify" ? code : "card_declined",
    declineCode: provider === "shopify" ? null : code,
    adviceCode: null,
    networkDeclineCode: null,
    networkAdviceCode: null,
    message: null,
    cardBrand: "unknown" as const,
    cardFingerprint: null,
    cardLast4: null,
  };
  const recovery = await recordInvoiceFailure({
    workspaceId,
    provider,
    livemode: true,
    accountId: `acct_${provider}`,
    invoiceId: `${provider}_inv_${n}`,
    amountDueMinor: 4999,
    currency: "usd",
    hostedInvoiceUrl: null,
    platform: null,
    settlement: { state: "open" },
    failure,
    failedAt: new Date("2026-11-10T12:00:00Z"),
    sourceKey: `${provider}-failure-${n}`,
    customer: { externalId: `${provider}_cus_${n}`, email: `c${n}@example.com`, name: null },
    subscriptionId: null,
  });
  return db().recovery.findUniqueOrThrow({ where: { id: recovery.id } });
}

describe("the engine classifies every provider's codes from the catalogue", () => {
  it.each(DECLINE_PSPS)("%s: each catalogue code opens a recovery under the catalogue's category", async (psp: DeclinePsp) => {
    const { workspace } = await makeWorkspace();
    const entries = DECLINE_CODES.filter((e) => e.psp === psp);
    for (const entry of entries) {
      const recovery = await openRecovery(workspace.id, psp, entry.code);
      expect(recovery.declineCategory, `${psp}:${entry.code}`).toBe(entry.category);
      expect(recovery.declineType, `${psp}:${entry.code}`).toBe(entry.category === "hard_customer" || entry.category === "terminal" ? "hard" : "soft");
      expect(classifyDecline(psp, entry.code).category).toBe(entry.category);
    }
    // Categories a real merchant would notice: a fixed sample, not only the catalogue agreeing with itself.
    const sample: Record<DeclinePsp, [string, string][]> = {
      stripe: [["insufficient_funds", "soft_retry"], ["expired_card", "hard_customer"], ["stolen_card", "terminal"]],
      shopify: [["INSUFFICIENT_FUNDS", "soft_retry"], ["expired_payment_method", "hard_customer"], ["fraud_suspected", "terminal"], ["unexpected_error", "unknown"]],
      adyen: [["Not enough balance", "soft_retry"], ["Expired Card", "hard_customer"], ["Issuer Suspected Fraud", "terminal"], ["Cancelled", "unknown"]],
      braintree: [["2001", "soft_retry"], ["2004", "hard_customer"], ["2013", "terminal"]],
      checkout: [["20051", "soft_retry"], ["20054", "hard_customer"], ["30004", "terminal"], ["20099", "unknown"]],
      authorize_net: [["2", "soft_retry"], ["8", "hard_customer"], ["4", "terminal"]],
      paypal: [["5120", "soft_retry"], ["5400", "hard_customer"], ["9520", "terminal"]],
      worldpay: [["51", "soft_retry"], ["54", "hard_customer"], ["41", "terminal"]],
      gocardless: [["insufficient_funds", "soft_retry"], ["bank_account_closed", "hard_customer"], ["mandate_cancelled", "terminal"]],
      mollie: [["insufficient_funds", "soft_retry"], ["card_expired", "hard_customer"], ["possible_fraud", "terminal"]],
      square: [["INSUFFICIENT_FUNDS", "soft_retry"], ["CARD_EXPIRED", "hard_customer"], ["BUYER_REFUSED_PAYMENT", "terminal"]],
      razorpay: [["insufficient_funds", "soft_retry"], ["card_expired", "hard_customer"], ["mandate_not_active", "terminal"]],
      paddle: [["not_enough_balance", "soft_retry"], ["expired_card", "hard_customer"], ["fraud", "terminal"]],
    };
    for (const [code, category] of sample[psp]) {
      expect((await openRecovery(workspace.id, psp, code)).declineCategory, `${psp}:${code}`).toBe(category);
    }
  }, 120_000);

  it("reads an ingested PSP's codes as that PSP's, never as Stripe's", async () => {
    const { workspace } = await makeWorkspace();
    // Braintree's 2004 is an expired card; Stripe has no such code.
    expect((await openRecovery(workspace.id, "braintree", "2004")).declineCategory).toBe("hard_customer");
    // LostChurn's spelling of Checkout.com.
    expect((await openRecovery(workspace.id, "checkout_com", "20051")).declineCategory).toBe("soft_retry");
    // A code this PSP does not have is unknown, even when another PSP has it.
    expect((await openRecovery(workspace.id, "adyen", "insufficient_funds")).declineCategory).toBe("unknown");
  });

  it("files a PSP the catalogue does not list by the code's meaning where every PSP agrees, else unknown", async () => {
    const { workspace } = await makeWorkspace();
    expect((await openRecovery(workspace.id, "woocommerce", "insufficient_funds")).declineCategory).toBe("soft_retry");
    expect((await openRecovery(workspace.id, "woocommerce", "expired_card")).declineCategory).toBe("hard_customer");
    expect((await openRecovery(workspace.id, "custom", "no_such_code_anywhere")).declineCategory).toBe("unknown");
  });
});
