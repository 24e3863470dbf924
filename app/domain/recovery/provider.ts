// The payment provider port (docs/decisions/0037): what the engine asks of whoever processed a
// payment. Implementations live in app/providers/<name>/ and are registered in app/wiring.server.ts;
// the engine finds them by the recovery's `provider` (providers.server.ts), never by importing them.
// Types only.
import type { Tx } from "~/utils/db.server";
import type { Recovery, Workspace } from "../../../generated/prisma/client";
import type { FailureDetails, Settlement } from "./facts";

/**
 * One charge's answer. `declined` is the issuer's refusal (the policy reads its codes); `not_declined`
 * is a refusal for another reason (the debt changed, the provider said no): the retry counts and the
 * engine plans again, unless `settlement` says the debt is now paid or ended.
 */
export type ChargeResult =
  | { kind: "succeeded"; at: Date; /** Without it, the amount due. */ amountPaid?: number; refs?: ChargeRefs }
  | { kind: "declined"; at: Date; failure: FailureDetails }
  | { kind: "not_declined"; message: string; code?: string | null; settlement?: Settlement }
  /** Accepted, answered later (Shopify's billing attempts): the recovery waits for the webhook or a check. */
  | { kind: "submitted"; ref: string; /** What the merchant sees while the recovery waits. */ waitReason: string }
  /** The provider holds the subscription paused: the subscription's recoveries wait for it (ADR 0019). */
  | { kind: "subscription_paused"; message: string; code?: string | null; reason: string };

/** The provider's references for a successful charge, opaque to the engine (Stripe: `pi_…`, `ch_…`). */
export interface ChargeRefs {
  paymentIntentId: string | null;
  chargeId: string | null;
}

/** How a customer is asked for a new card: Recoup's email with its /recover link, or the platform's own email. */
export type CardUpdateChannel = "recoup_link" | "platform_email";

/** A recovery's references at its provider, in the merchant's words (the recovery page, lists, the timeline). */
export interface PlatformReferences {
  /** Who collects the payment: named in the timeline ("Shopify's retry", "declined by Stripe"). */
  name: string;
  /** The debt: an invoice, or a subscription's missed billing cycle. */
  debt: { label: "Invoice" | "Subscription"; text: string; url: string | null; urlText: string | null };
  /** The page heading's subtitle. */
  subtitle: string;
  /** The customer's id at the provider, in words, with a link where the provider has a page for it. */
  customer: { text: string; url: string | null };
}

/** The columns a provider names its references from. */
export type ReferencedRecovery = Pick<Recovery, "provider" | "externalAccountId" | "externalId" | "externalCustomerId" | "hostedInvoiceUrl">;

/** A recovery with its workspace, as the customer's pages read it. */
export type RecoveryWithWorkspace = Recovery & { workspace: Workspace };

/** Where the customer's "update my card" leads: a page of the provider, or what happened instead, in words. */
export type CardUpdateStart = { redirectTo: string } | { notice: string };

/** What the merchant's "Send update link now" did when the provider sends its own email. */
export type PlatformEmailSent =
  | { outcome: "sent"; messageId: string; toEmail: string | null; at: Date }
  | { outcome: "duplicate"; messageId: string; at: Date }
  | { outcome: "refused"; errors: string[]; fallbackMessageId: string | null };

/** A provider that emails its customers its own card-update link (`cardUpdate` says `platform_email`). */
export interface PlatformEmail {
  /** Inside the engine's transaction: one such email per dedupeKey, sent by a job. */
  request(input: { tx: Tx; recovery: Recovery; dedupeKey: string }): Promise<unknown>;
  /** The merchant's "Send update link now": sent at once, so the merchant hears what really happened. */
  sendNow(input: { recoveryId: string; dedupeKey: string }): Promise<PlatformEmailSent>;
}

interface ProviderBase {
  /** The `provider` of its recoveries: "stripe", "shopify". */
  name: string;
  /** How the merchant knows this debt and customer at the provider. */
  references(recovery: ReferencedRecovery): PlatformReferences;
  /** How this recovery's customer is asked for a new card (app/domain/card-update/channel.server.ts asks). */
  cardUpdate(recovery: Recovery): CardUpdateChannel;
  /** The customer's "update my card" on the /recover page (an open recovery). */
  startCardUpdate(recovery: RecoveryWithWorkspace): Promise<CardUpdateStart>;
  /** DunningDog's update-payment session: a URL the customer opens. A provider whose page is reached another way refuses, saying how. */
  cardUpdateSession(recovery: RecoveryWithWorkspace): Promise<{ sessionUrl: string; expiresAt: string }>;
  /** Its own card-update email, for the recoveries `cardUpdate` sends that way. */
  platformEmail?: PlatformEmail;
  /**
   * A customer's card update with no failed payment (pre-dunning's `/card/<token>`): a page to go
   * to, or a notice (Shopify emails its own link); absent where the provider has neither.
   */
  startCustomerCardUpdate?(input: { accountId: string; customerId: string; paymentMethodId: string; returnUrl: string; key: string }): Promise<CardUpdateStart>;
  /**
   * Its failure events also report Recoup's own charges, without Recoup's key (Stripe's
   * `invoice.payment_failed` after `invoices.pay`): the engine matches them to its attempt by time.
   */
  failureEventsIncludeOwnCharges: boolean;
  /**
   * The customer paid the debt elsewhere (a pay-link, ADR 0075): the provider stops collecting it
   * (Stripe: the invoice is marked paid out of band), once per key. Absent where there is nothing to stop.
   */
  settleElsewhere?(recovery: Recovery, input: { idempotencyKey: string }): Promise<void>;
}

/** A provider Recoup charges through: Stripe, Shopify, the next processor. */
export interface RecoupChargedProvider extends ProviderBase {
  chargedBy: "recoup";
  /** Whether the debt may be charged now (account connected, shop installed…); inside the engine's transaction. */
  canCharge(tx: Tx, recovery: Recovery): Promise<{ ok: true } | { ok: false; why: string }>;
  /** The key of retry `attemptNumber`, sent to the provider: a re-run charge is the same charge. */
  idempotencyKey(recoveryId: string, attemptNumber: number): string;
  /**
   * Charges the open debt once under the key, outside any transaction. A refusal is a result;
   * a provider that cannot be reached throws, and the job retries under the same key.
   */
  charge(recovery: Recovery, input: { idempotencyKey: string }): Promise<ChargeResult>;
  /**
   * A provider whose charges may be `submitted` (answered later) has this: the answer may never come,
   * so inside the transaction that records the wait, it arranges to ask later. Until then the sweeper
   * leaves its pending attempt alone.
   */
  watchSubmitted?(input: { tx: Tx; recovery: Recovery; idempotencyKey: string; ref: string }): Promise<void>;
}

/**
 * A provider Recoup cannot charge (ingested PSPs, ADR 0015): where the engine would charge, it asks
 * the merchant to retry, and the merchant reports the outcome as an event.
 */
export interface MerchantChargedProvider extends ProviderBase {
  chargedBy: "merchant";
  /**
   * Inside the engine's transaction, with the debt locked: the merchant is told retry `attemptNumber`
   * is due. `created` is false when that retry was asked for already (a re-run job).
   */
  askMerchantToRetry(input: { tx: Tx; recovery: Recovery; attemptNumber: number; reason: string | null }): Promise<MerchantRetryRequest>;
}

export interface MerchantRetryRequest {
  created: boolean;
  /** What the merchant was sent, and how (their webhook endpoints, else an email to the owner). */
  eventId: string;
  channel: string;
}

export type PaymentProvider = RecoupChargedProvider | MerchantChargedProvider;
