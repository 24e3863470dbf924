// Pure: how a recovery's decline and payment method read in Flow Arc's words (its AlertRule filters
// and the webhook payloads): one failure code from any provider's decline code, one payment method kind.
import { classifyDecline, type DeclineSubcategory } from "~/domain/recovery/decline-codes";
import type { FailureCode, PaymentMethodKind } from "./schemas";

const BY_SUBCATEGORY: Readonly<Record<DeclineSubcategory, FailureCode>> = {
  insufficient_funds: "insufficient_funds",
  limits: "card_declined",
  do_not_honor: "do_not_honor",
  processing: "processing_error",
  issuer_unavailable: "processing_error",
  duplicate: "processing_error",
  expired_card: "card_expired",
  invalid_card: "card_declined",
  authentication: "authentication_required",
  pin_required: "authentication_required",
  payment_method_missing: "card_declined",
  not_permitted: "card_declined",
  restricted: "card_declined",
  closed_account: "card_declined",
  do_not_try_again: "card_declined",
  fraud: "fraud_suspected",
  lost_or_stolen: "fraud_suspected",
  pickup_card: "fraud_suspected",
  revoked: "card_declined",
  blocked: "card_declined",
  merchant_action: "processing_error",
  already_paid: "unknown",
  other: "card_declined",
};

/** Words in a code no catalogue knows (a custom PSP's), in the order they are tried. */
const BY_WORD: Array<[RegExp, FailureCode]> = [
  [/cvc|cvv|cvn|security.?code/, "incorrect_cvc"],
  [/expired/, "card_expired"],
  [/insufficient|nsf|not.?sufficient/, "insufficient_funds"],
  [/authenticat|3ds|sca\b|secure/, "authentication_required"],
  [/fraud|stolen|lost|pick.?up/, "fraud_suspected"],
  [/do.?not.?honou?r/, "do_not_honor"],
  [/processing|timeout|unavailable|try.?again|network/, "processing_error"],
  [/declin/, "card_declined"],
];

/**
 * Flow Arc's failure code for a decline: the CVC words first (catalogues file a wrong CVC with other
 * invalid-card codes), then the decline catalogue's subcategory for this provider, then words in a
 * code it does not know; `unknown` when nothing says.
 */
export function failureCodeOf(input: { provider: string | null | undefined; declineCode: string | null | undefined; errorCode?: string | null }): FailureCode {
  const codes = [input.declineCode, input.errorCode].map((c) => c?.trim().toLowerCase()).filter((c): c is string => !!c);
  if (codes.length === 0) return "unknown";
  if (codes.some((c) => BY_WORD[0]![0].test(c))) return "incorrect_cvc";
  for (const code of codes) {
    const { entry, subcategory } = classifyDecline(input.provider, code);
    if (entry) return BY_SUBCATEGORY[subcategory];
  }
  for (const code of codes) for (const [pattern, failureCode] of BY_WORD) if (pattern.test(code)) return failureCode;
  return "unknown";
}

const DIRECT_DEBIT_PSPS = new Set(["gocardless", "bacs", "sepa", "ach", "becs"]);
const WALLET_PSPS = new Set(["paypal", "paypal.com", "apple_pay", "google_pay", "klarna"]);
const CARD_PSPS = new Set(["stripe", "shopify", "dojo", "adyen", "braintree", "checkout", "square", "worldpay", "authorize_net", "razorpay"]);

/**
 * The kind of payment method that failed: a card when the failure named one, else what the provider
 * takes (GoCardless debits accounts, PayPal is a wallet, Stripe and Shopify subscriptions are cards);
 * `other` when that is all we know.
 */
export function paymentMethodOf(input: { provider: string | null | undefined; cardBrand?: string | null; cardLast4?: string | null; cardFingerprint?: string | null }): PaymentMethodKind {
  if (input.cardFingerprint || input.cardLast4 || (input.cardBrand && input.cardBrand !== "unknown")) return "card";
  const provider = input.provider?.trim().toLowerCase() ?? "";
  if (DIRECT_DEBIT_PSPS.has(provider)) return "direct_debit";
  if (WALLET_PSPS.has(provider)) return "wallet";
  if (CARD_PSPS.has(provider)) return "card";
  return "other";
}
