import Stripe from "stripe";
import { isMerchantCharged, notifyRetryDue } from "~/domain/ingest/merchant-retry.server";
import { quietHoursEnd, quietZone } from "./quiet-hours";
import { scheduleBillingAttemptCheck } from "~/domain/shopify/reconcile.server";
import { createBillingAttempt } from "~/integrations/shopify/admin.server";
import { stripe } from "~/integrations/stripe/client.server";
import { failureFromApiError, paidChargeOf, type InvoiceFailureDetails } from "~/integrations/stripe/invoices.server";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import type { Recovery } from "../../../generated/prisma/client";
import { retrySettingsFor } from "./policy";
import { attemptFailureColumns, failureColumns, lockInvoice, MERCHANT_RETRY_REASON, markInvoiceAbandoned, markInvoicePaid, pauseSubscriptionRecoveries, planNext } from "./engine.server";

export function retryIdempotencyKey(recoveryId: string, attemptNumber: number) {
  return `recoup-retry-${recoveryId}-${attemptNumber}`;
}

/** Shopify billing attempts we create carry this key; their webhooks name it back (ADR 0007). */
export function shopifyRetryKey(recoveryId: string, attemptNumber: number) {
  return `recoup-${recoveryId}-${attemptNumber}`;
}

const SHOPIFY_RETRY_KEY = /^recoup-([A-Za-z0-9]+)-(\d+)$/;

/** The recovery and attempt number of one of our Shopify billing attempts, from its idempotency key. */
export function parseShopifyRetryKey(key: string | null | undefined): { recoveryId: string; attemptNumber: number } | null {
  const match = key ? SHOPIFY_RETRY_KEY.exec(key) : null;
  return match ? { recoveryId: match[1]!, attemptNumber: Number(match[2]) } : null;
}

function keyFor(recovery: Pick<Recovery, "id" | "provider">, attemptNumber: number) {
  return recovery.provider === "shopify" ? shopifyRetryKey(recovery.id, attemptNumber) : retryIdempotencyKey(recovery.id, attemptNumber);
}

/** Whether it is quiet now for this recovery: the customer's timezone when known, else the workspace's. */
async function quietNow(tx: Tx, recovery: Pick<Recovery, "workspaceId" | "customerId">): Promise<boolean> {
  const workspace = await tx.workspace.findUniqueOrThrow({ where: { id: recovery.workspaceId }, select: { retrySettings: true, timezone: true } });
  const customer = recovery.customerId ? await tx.customer.findUnique({ where: { id: recovery.customerId }, select: { timezone: true } }) : null;
  return quietHoursEnd(now(), retrySettingsFor(workspace).quietHours, quietZone(customer?.timezone, workspace.timezone)) !== null;
}

type Decision = { kind: "skip"; why: string } | { kind: "charge"; key: string } | { kind: "replanned" } | { kind: "notified" };

/**
 * The `charge-retry` job: at the planned time, charge the debt once, under an
 * idempotency key per recovery and attempt, and record the result. Stripe:
 * `stripe.invoices.pay` (off-session) answers at once. Shopify:
 * `subscriptionBillingAttemptCreate` is asynchronous, so the attempt stays
 * `pending` until the billing attempt's webhook settles it. 429/5xx, throttling
 * and network errors throw, so pg-boss retries with backoff under the same key.
 */
export async function runChargeRetry(input: { recoveryId: string; attemptNumber: number; at: string }) {
  const decision = await db().$transaction(async (tx): Promise<Decision> => {
    const recovery = await tx.recovery.findUnique({ where: { id: input.recoveryId } });
    if (!recovery || recovery.status !== "pending" || recovery.paused) return { kind: "skip", why: "closed or paused" };
    await lockInvoice(tx, recovery.workspaceId, recovery.externalId);
    const current = await tx.recovery.findUniqueOrThrow({ where: { id: recovery.id } });
    const key = keyFor(current, input.attemptNumber);
    const existing = await tx.chargeAttempt.findUnique({ where: { idempotencyKey: key } });
    if (existing && existing.status !== "pending") return { kind: "skip", why: "attempt already made" };
    if (!existing) {
      // Superseded plans (a newer decision moved the time) do nothing.
      if (current.nextActionAt?.toISOString() !== input.at || current.recoupRetryCount + 1 !== input.attemptNumber) {
        return { kind: "skip", why: "superseded" };
      }
      if (current.nextActionKind === "wait") {
        await planNext(tx, current);
        return { kind: "replanned" };
      }
      if (current.nextActionKind !== "retry") return { kind: "skip", why: `next action is ${current.nextActionKind}` };
      // Quiet hours set after this retry was planned: plan again (the policy keeps out of them).
      // A retry the merchant asked for goes now.
      if (current.nextActionReason !== MERCHANT_RETRY_REASON && (await quietNow(tx, current))) {
        await planNext(tx, current);
        return { kind: "replanned" };
      }
      if (isMerchantCharged(current.provider)) {
        // An ingested PSP's payment: the merchant charges it; they are told the retry is due.
        await notifyRetryDue({ tx, recovery: current, attemptNumber: input.attemptNumber, reason: current.nextActionReason });
        return { kind: "notified" };
      }
      if (current.provider === "shopify") {
        const shop = current.externalAccountId ? await tx.shopifyShop.findUnique({ where: { shopDomain: current.externalAccountId } }) : null;
        if (!shop || shop.uninstalledAt || shop.workspaceId !== current.workspaceId) return { kind: "skip", why: "Shopify shop not installed" };
      } else {
        const account = current.externalAccountId
          ? await tx.connectedStripeAccount.findUnique({ where: { stripeAccountId: current.externalAccountId } })
          : null;
        if (!account || account.disconnectedAt || account.workspaceId !== current.workspaceId) {
          return { kind: "skip", why: "Stripe account not connected" };
        }
      }
      // The row exists before Stripe is called: a crash after the call re-runs with the same key.
      await tx.chargeAttempt.create({
        data: {
          workspaceId: current.workspaceId,
          recoveryId: current.id,
          attemptNumber: input.attemptNumber,
          source: "recoup",
          idempotencyKey: key,
          status: "pending",
          cardFingerprint: current.cardFingerprint,
          amountMinor: current.amountDueMinor,
          currency: current.currency,
          attemptedAt: now(),
        },
      });
    }
    return { kind: "charge", key };
  });
  if (decision.kind !== "charge") {
    if (decision.kind === "skip") log.debug("retry skipped", { recoveryId: input.recoveryId, why: decision.why });
    return decision;
  }

  const recovery = await db().recovery.findUniqueOrThrow({ where: { id: input.recoveryId } });
  if (recovery.provider === "shopify") return chargeShopify(recovery, decision.key);
  const stripeAccount = recovery.externalAccountId!;
  try {
    const invoice = await stripe().invoices.pay(
      recovery.externalId,
      // The answer names the PaymentIntent and the charge that paid (no second call to learn them).
      { off_session: true, expand: ["payments.data.payment.payment_intent"] },
      { stripeAccount, idempotencyKey: decision.key },
    );
    await db().chargeAttempt.update({ where: { idempotencyKey: decision.key }, data: { status: "succeeded", ...paidChargeOf(invoice) } });
    await markInvoicePaid({ workspaceId: recovery.workspaceId, invoice });
    return { kind: "succeeded" as const };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) {
      const raw = error.raw as Parameters<typeof failureFromApiError>[0] & { payment_intent?: { last_payment_error?: Parameters<typeof failureFromApiError>[0] } };
      const failure = failureFromApiError({ ...raw, payment_method: raw.payment_intent?.last_payment_error?.payment_method ?? raw.payment_method });
      await recordDecline({ recoveryId: input.recoveryId, key: decision.key, failure, at: now() });
      return { kind: "declined" as const, declineCode: failure.declineCode };
    }
    if (error instanceof Stripe.errors.StripeInvalidRequestError) {
      // e.g. "Invoice is already paid" or voided meanwhile: the invoice's state decides.
      const invoice = await stripe().invoices.retrieve(recovery.externalId, {}, { stripeAccount });
      await db().chargeAttempt.update({
        where: { idempotencyKey: decision.key },
        data: { status: invoice.status === "paid" ? "succeeded" : "error", errorMessage: error.message },
      });
      if (invoice.status === "paid") {
        await markInvoicePaid({ workspaceId: recovery.workspaceId, invoice });
      } else if (invoice.status === "void" || invoice.status === "uncollectible") {
        await markInvoiceAbandoned({ workspaceId: recovery.workspaceId, invoiceId: recovery.externalId, reason: `invoice_${invoice.status}`, at: now() });
      } else {
        await db().$transaction(async (tx) => {
          const r = await tx.recovery.update({ where: { id: recovery.id }, data: { recoupRetryCount: { increment: 1 } } });
          await planNext(tx, r);
        });
      }
      return { kind: "rejected" as const, message: error.message };
    }
    throw error; // 429, 5xx, network: pg-boss retries this job with backoff, same idempotency key
  }
}

/**
 * Our attempt was declined (Stripe's answer, or Shopify's failure webhook for our billing
 * attempt): the row records why, the recovery counts the retry and plans what comes next.
 */
export async function recordDecline(input: { recoveryId: string; key: string; failure: InvoiceFailureDetails; at: Date }) {
  const { recoveryId, key, failure, at } = input;
  await db().$transaction(async (tx) => {
    const row = await tx.recovery.findUniqueOrThrow({ where: { id: recoveryId } });
    await lockInvoice(tx, row.workspaceId, row.externalId);
    const attempt = await tx.chargeAttempt.findUniqueOrThrow({ where: { idempotencyKey: key } });
    if (attempt.status !== "pending") return; // applied already by an earlier run
    await tx.chargeAttempt.update({
      where: { idempotencyKey: key },
      data: {
        status: "failed",
        ...attemptFailureColumns(failure),
        cardFingerprint: failure.cardFingerprint ?? attempt.cardFingerprint,
        paymentIntentId: failure.paymentIntentId ?? attempt.paymentIntentId,
        chargeId: failure.chargeId ?? attempt.chargeId,
        attemptedAt: at,
      },
    });
    const recovery = await tx.recovery.update({
      where: { id: recoveryId },
      data: {
        recoupRetryCount: { increment: 1 },
        lastFailureAt: at,
        ...failureColumns(failure),
        paymentMethodUpdatedAt: null,
      },
    });
    if (recovery.status === "pending") await planNext(tx, recovery);
  });
}

/** Contract states in which Shopify refuses to bill: the recovery ends, or waits for the contract. */
const CONTRACT_ENDED = new Set(["CONTRACT_TERMINATED", "CONTRACT_NOT_FOUND"]);

/**
 * One Shopify billing attempt for the contract's current cycle. Accepted: the row stays `pending`
 * and the recovery waits for the webhook. Refused (userErrors): an ended contract abandons the
 * recovery, a paused one pauses it, anything else counts as a retry that did not happen.
 */
async function chargeShopify(recovery: Recovery, key: string) {
  const result = await createBillingAttempt(recovery.externalAccountId!, recovery.externalSubscriptionId!, {
    idempotencyKey: key,
    // The missed cycle's date: a late success must not push the next delivery out.
    originTime: recovery.startedAt,
  });
  if (result.id) {
    await db().$transaction(async (tx) => {
      await lockInvoice(tx, recovery.workspaceId, recovery.externalId);
      const attempt = await tx.chargeAttempt.findUnique({ where: { idempotencyKey: key } });
      // The webhook may have been faster than this answer: then it has planned what comes next.
      if (attempt?.status !== "pending") return;
      await tx.recovery.updateMany({
        where: { id: recovery.id, status: "pending" },
        data: { nextActionKind: "wait", nextActionAt: null, nextActionReason: "Charging through Shopify: waiting for its answer to this retry." },
      });
      // Its webhook may never come: a job asks Shopify later (app/domain/shopify/reconcile.server.ts).
      await scheduleBillingAttemptCheck({ tx, recoveryId: recovery.id, idempotencyKey: key, billingAttemptId: result.id! });
    });
    return { kind: "submitted" as const, billingAttemptId: result.id };
  }
  const codes = result.errors.map((e) => e.code ?? "");
  const message = result.errors.map((e) => `${e.code ?? "ERROR"}: ${e.message}`).join("; ") || "Shopify refused the billing attempt.";
  await db().chargeAttempt.updateMany({ where: { idempotencyKey: key, status: "pending" }, data: { status: "error", errorCode: codes[0] || null, errorMessage: message } });
  const ended = codes.find((c) => CONTRACT_ENDED.has(c));
  if (ended) {
    await markInvoiceAbandoned({ workspaceId: recovery.workspaceId, invoiceId: recovery.externalId, reason: ended.toLowerCase(), at: now() });
  } else if (codes.includes("CONTRACT_PAUSED")) {
    await db().recovery.update({ where: { id: recovery.id }, data: { recoupRetryCount: { increment: 1 } } });
    await pauseSubscriptionRecoveries({
      workspaceId: recovery.workspaceId,
      subscriptionId: recovery.externalSubscriptionId!,
      reason: "Paused: the subscription contract is paused in Shopify; retries resume when it is active again.",
    });
  } else {
    await db().$transaction(async (tx) => {
      const r = await tx.recovery.update({ where: { id: recovery.id }, data: { recoupRetryCount: { increment: 1 } } });
      if (r.status === "pending") await planNext(tx, r);
    });
  }
  return { kind: "rejected" as const, message };
}
