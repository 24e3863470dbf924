// What the customer is told about a recovery's failure, from the engine's classification.
import type { Recovery } from "../../../generated/prisma/client";
import { classifyFailure, type CardBrand } from "./policy";

type Failure = Pick<
  Recovery,
  "provider" | "errorCode" | "declineCode" | "adviceCode" | "networkDeclineCode" | "networkAdviceCode" | "cardBrand" | "cardFingerprint" | "amountDueMinor" | "currency" | "lastFailureAt"
>;

/**
 * The bank wants the customer to confirm the payment (3-D Secure and kin: Stripe's
 * authentication_required, Shopify's challenged attempts and AUTHENTICATION_* codes).
 */
export function needsAuthentication(r: Failure): boolean {
  return r.errorCode === "authentication_required" || r.declineCode === "authentication_required" || classify(r).subcategory === "authentication";
}

/** What went wrong, in the customer's words (never a raw code). */
export function customerReason(r: Failure): string {
  return classify(r).customerMessage;
}

function classify(r: Failure) {
  return classifyFailure({
    // The provider's own codes, as the engine reads them (an ingested PSP's included).
    provider: r.provider,
    errorCode: r.errorCode,
    declineCode: r.declineCode,
    adviceCode: r.adviceCode,
    networkDeclineCode: r.networkDeclineCode,
    networkAdviceCode: r.networkAdviceCode,
    cardBrand: (r.cardBrand ?? "unknown") as CardBrand,
    cardFingerprint: r.cardFingerprint,
    amountMinor: r.amountDueMinor,
    currency: r.currency,
    customerTimezone: null,
    failedAt: r.lastFailureAt,
  });
}
