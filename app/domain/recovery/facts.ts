// The engine's words for a failed payment, whoever processed it: each provider (app/providers/*)
// maps its own answers into these, so the engine and its policy never read a provider's types.
// Pure types: no IO.
import type { CardBrand } from "./policy";

/** Why a payment failed, in provider-neutral terms; null where the provider does not say. */
export interface FailureDetails {
  /** The provider's error code (Stripe: card_declined, expired_card…; Shopify: its billing attempt error_code). */
  errorCode: string | null;
  /** The issuer's reason as the provider names it (insufficient_funds, do_not_honor…). */
  declineCode: string | null;
  /** The provider's advice (confirm_card_data, do_not_try_again, try_again_later). */
  adviceCode: string | null;
  /** The card network's raw response code (Visa '05', '51'…). */
  networkDeclineCode: string | null;
  /** The network's merchant advice code (Mastercard '01', '03', '21'…). */
  networkAdviceCode: string | null;
  message: string | null;
  cardBrand: CardBrand;
  /** What identifies the card across payments (Stripe's fingerprint, Shopify's vaulted method id). */
  cardFingerprint: string | null;
  cardLast4: string | null;
  /** credit, debit, prepaid — when the provider says: kept on the recovery with the card (ADR 0048). */
  cardFunding?: string | null;
  /** The payment method the failed charge used, when the answer names it: a later change to another one is a new card. */
  paymentMethodId?: string | null;
  /** The provider's own references for the failed payment and its charge (Stripe: `pi_…`, `ch_…`/`py_…`), opaque to the engine. */
  paymentIntentId?: string | null;
  chargeId?: string | null;
  /** ISO 3166-1 alpha-2 country of the customer (billing address, else the card's issuing country), when the provider knows it: kept on the customer. */
  customerCountry?: string | null;
  /** IANA time zone of the customer, when the provider knows or can place it (ADR 0048): kept on the customer for retry hours and quiet hours. Without it, the country's main zone. */
  customerTimezone?: string | null;
}

/** What the provider says about the debt now (ADR 0004: its state decides, not the event's order). */
export type Settlement = { state: "open" } | { state: "paid"; amountPaid: number; at: Date } | { state: "ended"; reason: string };

/**
 * A failed payment, in the engine's terms: a Stripe invoice, a Shopify contract's billing cycle
 * (ADR 0007 maps Shopify's references onto the same columns), or an ingested PSP's payment.
 */
export interface FailureFacts {
  workspaceId: string;
  /** The registered provider's name ("stripe", "shopify"), or an ingested PSP's ("adyen", "braintree", "checkout", …). */
  provider: "stripe" | "shopify" | (string & {});
  /** Live or test data (ADR 0032): Stripe's event `livemode`; an ingested event's API key's mode; Shopify: live. */
  livemode: boolean;
  /** The platform account: the connected Stripe account, or the shop domain; null for an ingested PSP (nothing Recoup can charge). */
  accountId: string | null;
  /** The debt: a Stripe invoice id, or `shopify:<contract id>:<first failed billing attempt id>`. */
  invoiceId: string;
  /**
   * Shopify: a failure of a subscription that has an open recovery belongs to it (one recovery per
   * missed cycle), whatever invoiceId says; so does a failure already recorded on a recovery.
   */
  joinOpenRecovery?: boolean;
  /** Integer minor units. */
  amountDueMinor: number;
  /** ISO 4217, lower case. */
  currency: string;
  hostedInvoiceUrl: string | null;
  /** The platform's own collection schedule, when it has one (Stripe's attempt_count, next_payment_attempt). */
  platform: { attemptCount: number; nextAttemptAt: Date | null } | null;
  /** The debt as the platform has it now (fetched, not the event's snapshot). */
  settlement: Settlement;
  failure: FailureDetails;
  /** When the failure happened, on the platform's clock. */
  failedAt: Date;
  /** Dedupe key for the attempt record (Stripe: the event id; Shopify: the billing attempt's GID). */
  sourceKey: string;
  customer: { externalId: string; email: string | null; name: string | null; defaultPaymentMethodId?: string | null };
  subscriptionId: string | null;
  /** The plan the payment was for (a Stripe price id, an ingested event's `metadata.plan`), when known: campaign filters match it. */
  planId?: string | null;
}
