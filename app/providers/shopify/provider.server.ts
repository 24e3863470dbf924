// Shopify subscriptions behind the payment provider port (docs/decisions/0037): Recoup creates a
// billing attempt for the contract's missed cycle. Shopify answers later, by webhook
// (app/providers/shopify/billing.server.ts) or, when that never comes, by a check job (reconcile.server.ts);
// both record the answer through the engine's recordAttemptResult.
import type { ChargeResult, RecoupChargedProvider } from "~/domain/recovery/provider";
import { scheduleBillingAttemptCheck } from "~/providers/shopify/reconcile.server";
import { emailUpdateLinkFromShopify, requestShopifyUpdateEmail, sendUpdateEmailFromShopifyNow, shopifyEmailsCardUpdates } from "./update-email.server";
import { createBillingAttempt, sendPaymentMethodUpdateEmail } from "~/integrations/shopify/admin.server";
import { PAUSED_REASON } from "./billing.server";
import { shopifyRetryKey } from "./keys";
import { shopifyReferences } from "./references";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";

/** Contract states in which Shopify refuses to bill for good: the recovery ends. */
const CONTRACT_ENDED = new Set(["CONTRACT_TERMINATED", "CONTRACT_NOT_FOUND"]);

export const shopifyProvider: RecoupChargedProvider = {
  name: "shopify",
  chargedBy: "recoup",
  // Shopify emails its own secure update link for a vaulted card (docs/decisions/0007).
  references: shopifyReferences,
  cardUpdate: (recovery) => (shopifyEmailsCardUpdates(recovery) ? "platform_email" : "recoup_link"),
  // Shopify's update page is reached only through the email it sends (customerPaymentMethodSendUpdateEmail).
  async startCardUpdate(recovery) {
    if (!recovery.cardFingerprint) throw new AppError("not_configured", "This Shopify subscription has no payment method on file to update.");
    const { merchant } = await emailUpdateLinkFromShopify(recovery.id);
    return { notice: `We've emailed you a secure link from ${merchant} to update your card.` };
  },
  // Pre-dunning's /card page (ADR 0074): Shopify emails the customer its secure link for the card that expires.
  async startCustomerCardUpdate({ accountId, paymentMethodId }) {
    const shop = await db().shopifyShop.findUnique({ where: { shopDomain: accountId } });
    if (!shop || shop.uninstalledAt) throw new AppError("not_configured", "This card can no longer be updated online. Please contact the business directly.");
    const { sent, errors } = await sendPaymentMethodUpdateEmail(accountId, paymentMethodId);
    if (!sent) throw new AppError("not_configured", `The shop could not send its update link (${errors.join("; ") || "no answer"}). Please contact the business directly.`);
    const workspace = await db().workspace.findUniqueOrThrow({ where: { id: shop.workspaceId } });
    return { notice: `We've emailed you a secure link from ${workspace.senderName?.trim() || workspace.name} to update your card.` };
  },
  cardUpdateSession: async () => {
    throw new AppError(
      "invalid_state",
      "This payment is collected by Shopify, which emails the customer its own secure link to update the card; there is no session URL. The /recover page's button asks Shopify to send it.",
    );
  },
  platformEmail: { request: requestShopifyUpdateEmail, sendNow: sendUpdateEmailFromShopifyNow },
  failureEventsIncludeOwnCharges: false,

  async canCharge(tx, recovery) {
    const shop = recovery.externalAccountId ? await tx.shopifyShop.findUnique({ where: { shopDomain: recovery.externalAccountId } }) : null;
    if (!shop || shop.uninstalledAt || shop.workspaceId !== recovery.workspaceId) return { ok: false, why: "Shopify shop not installed" };
    return { ok: true };
  },

  idempotencyKey: shopifyRetryKey,

  /**
   * One billing attempt for the contract's current cycle. Accepted: submitted, the answer comes
   * later. Refused (userErrors): an ended contract ends the recovery, a paused one pauses it,
   * anything else is a retry that did not happen.
   */
  async charge(recovery, { idempotencyKey }): Promise<ChargeResult> {
    const result = await createBillingAttempt(recovery.externalAccountId!, recovery.externalSubscriptionId!, {
      idempotencyKey,
      // The missed cycle's date: a late success must not push the next delivery out.
      originTime: recovery.startedAt,
    });
    if (result.id) return { kind: "submitted", ref: result.id, waitReason: "Charging through Shopify: waiting for its answer to this retry." };
    const codes = result.errors.map((e) => e.code ?? "");
    const message = result.errors.map((e) => `${e.code ?? "ERROR"}: ${e.message}`).join("; ") || "Shopify refused the billing attempt.";
    const code = codes[0] || null;
    const ended = codes.find((c) => CONTRACT_ENDED.has(c));
    if (ended) return { kind: "not_declined", message, code, settlement: { state: "ended", reason: ended.toLowerCase() } };
    if (codes.includes("CONTRACT_PAUSED")) {
      return { kind: "subscription_paused", message, code, reason: PAUSED_REASON };
    }
    return { kind: "not_declined", message, code };
  },

  // Its webhook may never come: a job asks Shopify later (app/providers/shopify/reconcile.server.ts).
  watchSubmitted: ({ tx, recovery, idempotencyKey, ref }) => scheduleBillingAttemptCheck({ tx, recoveryId: recovery.id, idempotencyKey, billingAttemptId: ref }),
};
