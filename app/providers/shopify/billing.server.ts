// Shopify subscription billing, fed into the same recovery engine as Stripe (docs/decisions/0007).
// Handlers compare state, never arrival order (ADR 0004): a failure fetches the contract as it is
// now; our own billing attempts are recognised by their idempotency key, `recoup-<recovery>-<n>`.
import {
  markRecovered,
  markSubscriptionEnded,
  onPaymentMethodUpdated,
  pauseSubscriptionRecoveries,
  recordAttemptResult,
  recordInvoiceFailure,
  resumeSubscriptionRecoveries,
} from "~/domain/recovery/engine.server";
import { recordCustomerPayment, recordCustomerPaymentMethod, setConfirmationUrl } from "~/domain/recovery/commands.server";
import { findDeclineCode } from "~/domain/recovery/decline-codes";
import type { FailureDetails, Settlement } from "~/domain/recovery/facts";
import { fetchBillingAttempt, fetchContract, type BillingAttemptFacts, type ContractFacts } from "~/integrations/shopify/admin.server";
import { parseShopifyRetryKey } from "~/providers/shopify/keys";
import { zoneForPlace } from "~/utils/customer-zone";
import { db } from "~/utils/db.server";
import { forgetCardExpiry, recordCardExpiry, wantsCardExpiries } from "~/domain/campaigns/pre-dunning.server";
import { numericId, shopifyDebtId } from "./references";
import type { Recovery } from "../../../generated/prisma/client";

/** `subscription_billing_attempts/*`: the webhook's fields (REST-style, snake case). */
export interface BillingAttemptPayload {
  id?: number | string;
  admin_graphql_api_id?: string;
  idempotency_key?: string | null;
  order_id?: number | string | null;
  subscription_contract_id?: number | string;
  admin_graphql_api_subscription_contract_id?: string;
  ready?: boolean;
  /** Lower snake case (insufficient_funds); the GraphQL enum's upper case is accepted too. */
  error_code?: string | null;
  error_message?: string | null;
}

/** `subscription_contracts/*`. */
export interface ContractPayload {
  id?: number | string;
  admin_graphql_api_id?: string;
  status?: string;
  admin_graphql_api_customer_id?: string;
}

export interface BillingContext {
  shopDomain: string;
  workspaceId: string;
  /** When the webhook reached us, on the engine's clock: Shopify's payloads carry no time. */
  at: Date;
}

export type BillingResult = { status: "processed" } | { status: "ignored"; reason: string };

const PROCESSED: BillingResult = { status: "processed" };

export const BILLING_TOPICS = new Set([
  "subscription_billing_attempts/failure",
  "subscription_billing_attempts/success",
  "subscription_billing_attempts/challenged",
  "subscription_contracts/cancel",
  "subscription_contracts/expire",
  "subscription_contracts/fail",
  "subscription_contracts/pause",
  "subscription_contracts/activate",
  "subscription_contracts/update",
  "subscription_contracts/create",
]);

const ENDED_REASON: Record<string, string> = {
  "subscription_contracts/cancel": "contract_cancelled",
  "subscription_contracts/expire": "contract_expired",
  "subscription_contracts/fail": "contract_failed",
};

/** Why a paused contract's recoveries wait (its pause webhook, or a billing attempt Shopify refused as paused). */
export const PAUSED_REASON = "Paused: the subscription contract is paused in Shopify; retries resume when it is active again.";

export async function handleBillingWebhook(topic: string, payload: Record<string, unknown>, ctx: BillingContext): Promise<BillingResult> {
  switch (topic) {
    case "subscription_billing_attempts/failure":
      return onAttemptFailed(payload as BillingAttemptPayload, ctx, false);
    case "subscription_billing_attempts/challenged":
      return onAttemptFailed(payload as BillingAttemptPayload, ctx, true);
    case "subscription_billing_attempts/success":
      return onAttemptSucceeded(payload as BillingAttemptPayload, ctx);
    case "subscription_contracts/cancel":
    case "subscription_contracts/expire":
    case "subscription_contracts/fail": {
      const contract = contractGidOf(payload as ContractPayload);
      if (!contract) return { status: "ignored", reason: "no contract id" };
      await markSubscriptionEnded({ workspaceId: ctx.workspaceId, subscriptionId: contract, at: ctx.at, reason: ENDED_REASON[topic] });
      return PROCESSED;
    }
    case "subscription_contracts/pause": {
      const contract = contractGidOf(payload as ContractPayload);
      if (!contract) return { status: "ignored", reason: "no contract id" };
      await pauseSubscriptionRecoveries({ workspaceId: ctx.workspaceId, subscriptionId: contract, reason: PAUSED_REASON });
      return PROCESSED;
    }
    case "subscription_contracts/activate": {
      const contract = contractGidOf(payload as ContractPayload);
      if (!contract) return { status: "ignored", reason: "no contract id" };
      await resumeSubscriptionRecoveries({ workspaceId: ctx.workspaceId, subscriptionId: contract });
      return PROCESSED;
    }
    case "subscription_contracts/update":
      await keepShopifyCardExpiry(payload as ContractPayload, ctx);
      return onContractUpdated(payload as ContractPayload, ctx);
    case "subscription_contracts/create":
      await keepShopifyCardExpiry(payload as ContractPayload, ctx);
      return PROCESSED;
    default:
      return { status: "ignored", reason: `topic ${topic} is not handled` };
  }
}

// ---------- ids ----------

/** A billing attempt's contract. */
function attemptContractGidOf(p: BillingAttemptPayload): string | null {
  if (p.admin_graphql_api_subscription_contract_id) return p.admin_graphql_api_subscription_contract_id;
  if (p.subscription_contract_id === undefined || p.subscription_contract_id === null) return null;
  return `gid://shopify/SubscriptionContract/${numericId(p.subscription_contract_id)}`;
}

/** A contract topic's own id. */
function contractGidOf(p: ContractPayload): string | null {
  if (p.admin_graphql_api_id) return p.admin_graphql_api_id;
  return p.id === undefined || p.id === null ? null : `gid://shopify/SubscriptionContract/${numericId(p.id)}`;
}

function attemptGidOf(p: BillingAttemptPayload): string | null {
  if (p.admin_graphql_api_id) return p.admin_graphql_api_id;
  return p.id !== undefined && p.id !== null ? `gid://shopify/SubscriptionBillingAttempt/${numericId(p.id)}` : null;
}

/** Our own billing attempt (its ChargeAttempt row), from the webhook's idempotency key. */
async function ownAttempt(key: string | null | undefined, workspaceId: string) {
  if (!parseShopifyRetryKey(key)) return null;
  const attempt = await db().chargeAttempt.findUnique({ where: { idempotencyKey: key! }, include: { recovery: true } });
  return attempt && attempt.workspaceId === workspaceId ? attempt : null;
}

// ---------- payment methods ----------

/**
 * The payment method's identity and version. Shopify exposes no card fingerprint: the vaulted
 * CustomerPaymentMethod GID stands in for it (cardFingerprint), and its last digits and expiry tell
 * an update made in place (a renewed card keeps its number) from no change at all.
 */
export function paymentMethodVersion(pm: ContractFacts["customerPaymentMethod"]): string | null {
  if (!pm) return null;
  const i = pm.instrument;
  return `${pm.id}|${i?.lastDigits ?? ""}|${i?.expiryMonth ?? ""}/${i?.expiryYear ?? ""}`;
}

/** Whether the contract now bills another payment method than the one the recovery failed with. */
export function isNewPaymentMethod(
  recovery: Pick<Recovery, "cardFingerprint" | "cardLast4">,
  knownVersion: string | null,
  pm: ContractFacts["customerPaymentMethod"],
): boolean {
  if (!pm || pm.revokedAt) return false;
  if (pm.id !== recovery.cardFingerprint) return true;
  if (knownVersion?.startsWith(`${pm.id}|`)) return knownVersion !== paymentMethodVersion(pm);
  return (pm.instrument?.lastDigits ?? null) !== recovery.cardLast4;
}

// ---------- billing attempts ----------

function settlementOf(contract: ContractFacts, at: Date): Settlement {
  if (contract.status === "CANCELLED" || contract.status === "EXPIRED" || contract.status === "FAILED") {
    return { state: "ended", reason: `contract_${contract.status.toLowerCase()}` };
  }
  // A later billing attempt already succeeded: this failure is old news (the webhooks crossed).
  if (contract.lastPaymentStatus === "SUCCEEDED") return { state: "paid", amountPaid: contract.amountMinor, at };
  return { state: "open" };
}

/** Shopify's error codes that mean "the customer must confirm this payment" (3-D Secure and kin). */
function isAuthenticationError(code: string | null | undefined): boolean {
  return findDeclineCode("shopify", code)?.subcategory === "authentication";
}

/**
 * The page where the customer confirms a challenged billing attempt (`nextActionUrl`), read from
 * Shopify: the webhook does not carry it. Null when Shopify offers none (an off-session rejection).
 */
async function confirmationUrlOf(shop: string, attemptGid: string | null, known: string | null | undefined): Promise<string | null> {
  if (known !== undefined) return known;
  if (!attemptGid) return null;
  const attempt = await fetchBillingAttempt(shop, attemptGid);
  return attempt?.state === "action_required" ? attempt.nextActionUrl : null;
}

async function onAttemptFailed(
  p: BillingAttemptPayload,
  ctx: BillingContext,
  challenged: boolean,
  /** Already read from Shopify (reconciliation): saves a second query. */
  knownConfirmationUrl?: string | null,
): Promise<BillingResult> {
  // 3-D Secure: the customer has to confirm the payment, whatever else the code says.
  const errorCode = challenged ? "authentication_required" : p.error_code?.trim() || null;
  // Read before anything is written: if Shopify does not answer, the job is retried as a whole.
  const confirmationUrl =
    challenged || isAuthenticationError(errorCode) ? await confirmationUrlOf(ctx.shopDomain, attemptGidOf(p), knownConfirmationUrl) : null;
  const failure: FailureDetails = {
    errorCode,
    declineCode: null,
    adviceCode: null,
    networkDeclineCode: null,
    networkAdviceCode: null,
    message: p.error_message?.trim() || null,
    cardBrand: "unknown",
    cardFingerprint: null,
    cardLast4: null,
  };
  const ours = await ownAttempt(p.idempotency_key, ctx.workspaceId);
  if (ours) {
    await recordAttemptResult({ key: ours.idempotencyKey, result: { kind: "declined", failure, at: ctx.at } });
    await setConfirmationUrl({ recoveryId: ours.recoveryId, provider: "shopify", failedAt: ctx.at, url: confirmationUrl });
    return PROCESSED;
  }

  const contractGid = attemptContractGidOf(p);
  const attemptGid = attemptGidOf(p);
  if (!contractGid || !attemptGid) return { status: "ignored", reason: "no contract or billing attempt id" };
  const contract = await fetchContract(ctx.shopDomain, contractGid);
  if (!contract) return { status: "ignored", reason: "contract not found in the shop" };
  const pm = contract.customerPaymentMethod;
  const card = pm?.instrument;
  const name = [contract.customer.firstName, contract.customer.lastName].filter(Boolean).join(" ").trim();
  // Where the customer lives (ADR 0048): their default address, else the shop's own zone.
  const place = {
    customerCountry: contract.customer.countryCode,
    customerTimezone: zoneForPlace(contract.customer.countryCode, contract.customer.provinceCode) ?? contract.shopTimezone,
  };
  const recovery = await recordInvoiceFailure({
    workspaceId: ctx.workspaceId,
    provider: "shopify",
    // Shopify recoveries are live data: a development store's test orders are not told apart (ADR 0032).
    livemode: true,
    accountId: ctx.shopDomain,
    invoiceId: shopifyDebtId(contractGid, attemptGid),
    joinOpenRecovery: true,
    amountDueMinor: contract.amountMinor,
    currency: contract.currencyCode.toLowerCase(),
    hostedInvoiceUrl: null,
    platform: null,
    settlement: settlementOf(contract, ctx.at),
    failure: { ...failure, ...place, ...(pm ? { cardFingerprint: pm.id, cardBrand: card?.brand ?? "unknown", cardLast4: card?.lastDigits ?? null } : {}) },
    failedAt: ctx.at,
    sourceKey: attemptGid,
    customer: {
      externalId: contract.customer.id,
      email: contract.customer.email,
      name: name || null,
      defaultPaymentMethodId: paymentMethodVersion(pm),
    },
    subscriptionId: contractGid,
  });
  await setConfirmationUrl({ recoveryId: recovery.id, provider: "shopify", failedAt: ctx.at, url: confirmationUrl });
  return PROCESSED;
}

async function onAttemptSucceeded(p: BillingAttemptPayload, ctx: BillingContext): Promise<BillingResult> {
  const attemptGid = attemptGidOf(p);
  const ours = await ownAttempt(p.idempotency_key, ctx.workspaceId);
  if (ours) {
    // Shopify's success is the attempt's last word, even for one recorded as declined first.
    await recordAttemptResult({ key: ours.idempotencyKey, result: { kind: "succeeded", at: ctx.at } });
    if (attemptGid) await recordPayment(ctx, attemptGid, { customerId: ours.recovery.externalCustomerId, amountMinor: ours.recovery.amountDueMinor, currency: ours.recovery.currency });
    return PROCESSED;
  }
  // Someone else's attempt (the merchant, Shopify, the customer) paid the contract: it is billing again.
  const contractGid = attemptContractGidOf(p);
  if (!contractGid) return { status: "ignored", reason: "no contract id" };
  const open = await db().recovery.findMany({
    where: { workspaceId: ctx.workspaceId, provider: "shopify", externalSubscriptionId: contractGid, status: "pending" },
    select: { externalId: true },
  });
  for (const r of open) await markRecovered({ workspaceId: ctx.workspaceId, invoiceId: r.externalId, at: ctx.at });
  // Every billing cycle paid is the customer's history (ADR 0049); the webhook names neither customer nor amount.
  const contract = attemptGid ? await fetchContract(ctx.shopDomain, contractGid) : null;
  if (attemptGid && contract?.customer.id) {
    await recordPayment(ctx, attemptGid, { customerId: contract.customer.id, amountMinor: contract.amountMinor, currency: contract.currencyCode });
  }
  return PROCESSED;
}

/** A successful billing attempt as the customer's payment, once per attempt. */
async function recordPayment(ctx: BillingContext, attemptGid: string, paid: { customerId: string; amountMinor: number; currency: string }) {
  await recordCustomerPayment({
    workspaceId: ctx.workspaceId,
    provider: "shopify",
    externalCustomerId: paid.customerId,
    externalId: attemptGid,
    paidAt: ctx.at,
    amountMinor: paid.amountMinor,
    currency: paid.currency,
  });
}

/**
 * A billing attempt's state as read from Shopify, applied exactly as its webhook would have been
 * (reconciliation of a dropped webhook): the same handlers, so a real webhook arriving later is a no-op.
 */
export async function applyBillingAttemptState(attempt: BillingAttemptFacts, ctx: BillingContext): Promise<BillingResult> {
  const payload: BillingAttemptPayload = {
    admin_graphql_api_id: attempt.id,
    idempotency_key: attempt.idempotencyKey,
    admin_graphql_api_subscription_contract_id: attempt.contractId ?? undefined,
    ready: attempt.state !== "processing",
  };
  switch (attempt.state) {
    case "processing":
      return { status: "ignored", reason: "the billing attempt is still processing" };
    case "succeeded":
      return onAttemptSucceeded(payload, ctx);
    case "failed":
      // The webhook's spelling (lower snake case) for the GraphQL enum's.
      return onAttemptFailed({ ...payload, error_code: attempt.errorCode?.toLowerCase() ?? "processing_error", error_message: attempt.errorMessage }, ctx, false, null);
    case "action_required":
      return onAttemptFailed(payload, ctx, true, attempt.nextActionUrl);
  }
}

// ---------- contracts ----------

/**
 * Pre-dunning (ADR 0074): a contract's card and its expiry, read from Shopify when the contract is
 * created or changes, while the workspace has an active expiry campaign (no Admin API call
 * otherwise). A revoked card is forgotten: it will not be charged.
 */
async function keepShopifyCardExpiry(p: ContractPayload, ctx: BillingContext) {
  const contractGid = contractGidOf(p);
  if (!contractGid || !(await wantsCardExpiries(ctx.workspaceId))) return;
  const contract = await fetchContract(ctx.shopDomain, contractGid);
  const pm = contract?.customerPaymentMethod;
  if (!contract || !pm) return;
  if (pm.revokedAt) return forgetCardExpiry({ workspaceId: ctx.workspaceId, paymentMethodId: pm.id });
  const card = pm.instrument;
  if (!card?.expiryMonth || !card.expiryYear) return;
  const name = [contract.customer.firstName, contract.customer.lastName].filter(Boolean).join(" ").trim();
  await recordCardExpiry({
    workspaceId: ctx.workspaceId,
    provider: "shopify",
    accountId: ctx.shopDomain,
    customerId: contract.customer.id,
    paymentMethodId: pm.id,
    brand: card.brand === "unknown" ? null : card.brand,
    last4: card.lastDigits,
    expMonth: card.expiryMonth,
    expYear: card.expiryYear,
    email: contract.customer.email,
    name: name || null,
    at: ctx.at,
  });
}

/**
 * `subscription_contracts/update` names no payment method, so an open recovery's contract is read
 * again: a payment method other than the one that failed (another GID, or the same one with other
 * last digits or expiry) is retried within a minute, as a new card on Stripe is.
 */
async function onContractUpdated(p: ContractPayload, ctx: BillingContext): Promise<BillingResult> {
  const contractGid = contractGidOf(p);
  if (!contractGid) return { status: "ignored", reason: "no contract id" };
  const open = await db().recovery.findMany({
    where: { workspaceId: ctx.workspaceId, provider: "shopify", externalSubscriptionId: contractGid, status: "pending" },
    include: { customer: true },
  });
  if (open.length === 0) return PROCESSED; // nothing to recover: no need to ask Shopify
  const contract = await fetchContract(ctx.shopDomain, contractGid);
  if (!contract) return { status: "ignored", reason: "contract not found in the shop" };
  const pm = contract.customerPaymentMethod;
  const changed = open.filter((r) => isNewPaymentMethod(r, r.customer?.defaultPaymentMethodId ?? null, pm));
  if (!pm || changed.length === 0) return PROCESSED;
  await recordCustomerPaymentMethod({
    workspaceId: ctx.workspaceId,
    provider: "shopify",
    externalCustomerId: contract.customer.id,
    paymentMethodId: paymentMethodVersion(pm),
    at: ctx.at,
  });
  await onPaymentMethodUpdated({
    workspaceId: ctx.workspaceId,
    subscriptionId: contractGid,
    at: ctx.at,
    card: { fingerprint: pm.id, brand: pm.instrument?.brand ?? "unknown", last4: pm.instrument?.lastDigits ?? null },
  });
  return PROCESSED;
}
