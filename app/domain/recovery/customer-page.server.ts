import { accentColor, formatMoney, safeLogoUrl } from "~/domain/dunning/templates";
import { classifyFailure, type CardBrand } from "./policy";
import type { findRecoveryByToken } from "./update-payment.server";

type Recovery = Awaited<ReturnType<typeof findRecoveryByToken>>;

export function needsAuthentication(r: Pick<Recovery, "errorCode" | "declineCode">): boolean {
  return r.errorCode === "authentication_required" || r.declineCode === "authentication_required";
}

/** What went wrong, in the customer's words (never a raw code). */
export function customerReason(r: Recovery): string {
  return classifyFailure({
    provider: r.provider === "shopify" ? "shopify" : "stripe",
    errorCode: r.errorCode,
    declineCode: r.declineCode,
    adviceCode: r.adviceCode,
    networkDeclineCode: r.networkDeclineCode,
    networkAdviceCode: r.networkAdviceCode,
    cardBrand: (r.cardBrand ?? "unknown") as CardBrand,
    cardFingerprint: r.cardFingerprint,
    amountMinor: r.amountDueCents,
    currency: r.currency,
    customerTimezone: null,
    failedAt: r.lastFailureAt,
  }).customerMessage;
}

/**
 * The customer page's facts. A payment waiting for the bank's confirmation
 * (3-D Secure) is confirmed on Stripe's hosted invoice page; anything else is
 * fixed by updating the payment method. The page wears the merchant's colour
 * and logo, as their emails do.
 */
export function customerPageView(recovery: Recovery) {
  const open = recovery.status === "pending";
  const confirmUrl = open && needsAuthentication(recovery) ? recovery.hostedInvoiceUrl : null;
  return {
    merchant: recovery.workspace.senderName?.trim() || recovery.workspace.name,
    amount: formatMoney(recovery.amountDueCents, recovery.currency),
    state: open ? "open" : recovery.status === "recovered" ? "recovered" : "closed",
    reason: open ? customerReason(recovery) : null,
    confirmUrl,
    accent: accentColor(recovery.workspace.brandColor),
    logoUrl: safeLogoUrl(recovery.workspace.logoUrl),
    // Where the card is entered: Stripe's portal, or Shopify's page from its update email.
    paymentHost: recovery.provider === "shopify" ? "Shopify" : "Stripe",
  } as const;
}
