// Retries of payments Recoup cannot charge (ingested PSPs): the merchant charges, Recoup tells them
// when. Where the engine would charge, it emits `payment.retry_due` instead — a signed webhook to
// the merchant's endpoints, or an email to the workspace owner when none takes it — once per
// payment and retry slot. The merchant reports the outcome through the ingest endpoint.
import { assertOpen, decide, lockInvoice, planNext } from "~/domain/recovery/engine.server";
import { emitWebhookEvent } from "~/domain/webhooks/events.server";
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import type { Recovery } from "../../../generated/prisma/client";

/** Providers Recoup charges itself; every other provider's retries are the merchant's. */
const CHARGED_BY_RECOUP = new Set(["stripe", "shopify"]);

export function isMerchantCharged(provider: string): boolean {
  return !CHARGED_BY_RECOUP.has(provider);
}

/**
 * Inside the caller's transaction, with the payment locked: the merchant is told that retry
 * `attemptNumber` is due; the slot counts as used and the engine plans the next one. Emitting the
 * same slot twice (a re-run job) changes nothing.
 */
export async function notifyRetryDue(input: { tx: Tx; recovery: Recovery; attemptNumber: number; reason: string | null }) {
  const { tx, recovery } = input;
  const customer = recovery.customerId ? await tx.customer.findUnique({ where: { id: recovery.customerId } }) : null;
  const emitted = await emitWebhookEvent({
    tx,
    workspaceId: recovery.workspaceId,
    type: "payment.retry_due",
    dedupeKey: `retry_due:${recovery.id}:${input.attemptNumber}`,
    recoveryId: recovery.id,
    data: {
      paymentId: recovery.id,
      externalId: recovery.externalId,
      provider: recovery.provider,
      amountCents: recovery.amountDueMinor,
      currency: recovery.currency,
      attemptNumber: input.attemptNumber,
      dueAt: now(),
      reason: input.reason,
      declineCode: recovery.declineCode,
      declineCategory: recovery.declineCategory,
      customer: { id: customer?.id ?? null, externalId: recovery.externalCustomerId, email: customer?.email ?? null },
    },
  });
  if (emitted.created) {
    const counted = await tx.recovery.update({ where: { id: recovery.id }, data: { recoupRetryCount: { increment: 1 } } });
    await planNext(tx, counted);
  }
  return emitted;
}

/**
 * `POST /api/v1/payments/{id}/retry` on a payment Recoup cannot charge: the merchant is asked to
 * retry now, within the same network rules as Recoup's own retries (a card the bank refused for good,
 * or one waiting for the customer, is refused with the reason). Unpauses the payment, like a retry.
 */
export async function requestMerchantRetry(input: { workspaceId: string; recoveryId: string }) {
  return db().$transaction(async (tx) => {
    const row = await tx.recovery.findFirst({ where: { id: input.recoveryId, workspaceId: input.workspaceId } });
    if (!row) throw new AppError("recovery_not_found", "No such payment in this workspace.");
    await lockInvoice(tx, row.workspaceId, row.externalId);
    const recovery = await tx.recovery.findUniqueOrThrow({ where: { id: row.id } });
    assertOpen(recovery, "This payment's recovery is already closed.");
    if (!isMerchantCharged(recovery.provider)) {
      throw new AppError("conflict", `Recoup charges ${recovery.provider} payments itself; this one is not the merchant's to retry.`);
    }
    const action = await decide(tx, recovery);
    const needsNewCard = action.classification.category === "hard_customer" || action.classification.category === "terminal";
    const newCard = recovery.paymentMethodUpdatedAt !== null && recovery.paymentMethodUpdatedAt > recovery.lastFailureAt;
    if (action.kind === "stop" || (needsNewCard && !newCard)) {
      throw new AppError("conflict", `Not retried: ${action.reason.replace(/^Stopped:\s*/i, "")}`, { reason: action.reason });
    }
    const fresh = recovery.paused ? await tx.recovery.update({ where: { id: recovery.id }, data: { paused: false, pausedAt: null } }) : recovery;
    const attemptNumber = fresh.recoupRetryCount + 1;
    const emitted = await notifyRetryDue({ tx, recovery: fresh, attemptNumber, reason: "The merchant asked for a retry now." });
    return { recoveryId: fresh.id, eventId: emitted.eventId, attemptNumber, notifiedBy: emitted.channel, requestedAt: now() };
  });
}
