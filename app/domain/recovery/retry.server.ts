import { zoneOf } from "~/utils/customer-zone";
import { quietHoursEnd } from "./quiet-hours";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import type { Recovery } from "../../../generated/prisma/client";
import { retrySettingsFor } from "./policy";
import { askMerchantToRetry, lockInvoice, MERCHANT_RETRY_REASON, planNext, recordAttemptResult } from "./engine.server";
import type { RecoupChargedProvider } from "./provider";
import { providerFor } from "./providers.server";

/** Whether it is quiet now for this recovery: the customer's timezone when known, else the workspace's. */
async function quietNow(tx: Tx, recovery: Pick<Recovery, "workspaceId" | "customerId">): Promise<boolean> {
  const workspace = await tx.workspace.findUniqueOrThrow({ where: { id: recovery.workspaceId }, select: { retrySettings: true, timezone: true } });
  const customer = recovery.customerId ? await tx.customer.findUnique({ where: { id: recovery.customerId }, select: { timezone: true } }) : null;
  return quietHoursEnd(now(), retrySettingsFor(workspace).quietHours, zoneOf(customer?.timezone, workspace.timezone)) !== null;
}

type Decision = { kind: "skip"; why: string } | { kind: "charge"; key: string; provider: RecoupChargedProvider; recovery: Recovery } | { kind: "replanned" } | { kind: "notified" };

/** Why retry `attemptNumber` planned for `at` is not made now (superseded, a wait, quiet hours), or null: it is due. */
async function notDue(tx: Tx, current: Recovery, input: { attemptNumber: number; at: string }): Promise<Decision | null> {
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
  return null;
}

/**
 * The `charge-retry` job: at the planned time, charge the debt once through its provider
 * (app/domain/recovery/provider.ts), under the provider's idempotency key for this recovery and
 * attempt, and record the answer through the engine. A provider that answers later (Shopify) leaves
 * the attempt `pending` until its webhook or check settles it; one the merchant charges is asked to
 * retry instead. A provider that cannot be reached throws, so pg-boss retries with backoff under the
 * same key.
 */
export async function runChargeRetry(input: { recoveryId: string; attemptNumber: number; at: string }) {
  const decision = await db().$transaction(async (tx): Promise<Decision> => {
    const recovery = await tx.recovery.findUnique({ where: { id: input.recoveryId } });
    if (!recovery || recovery.status !== "pending" || recovery.paused) return { kind: "skip", why: "closed or paused" };
    await lockInvoice(tx, recovery.workspaceId, recovery.externalId);
    const current = await tx.recovery.findUniqueOrThrow({ where: { id: recovery.id } });
    const provider = providerFor(current.provider);
    if (provider.chargedBy === "merchant") {
      const skipped = await notDue(tx, current, input);
      if (skipped) return skipped;
      await askMerchantToRetry({ tx, provider, recovery: current, attemptNumber: input.attemptNumber, reason: current.nextActionReason });
      return { kind: "notified" };
    }
    const key = provider.idempotencyKey(current.id, input.attemptNumber);
    const existing = await tx.chargeAttempt.findUnique({ where: { idempotencyKey: key } });
    if (existing && existing.status !== "pending") return { kind: "skip", why: "attempt already made" };
    if (!existing) {
      const skipped = await notDue(tx, current, input);
      if (skipped) return skipped;
      const allowed = await provider.canCharge(tx, current);
      if (!allowed.ok) return { kind: "skip", why: allowed.why };
      // The row exists before the provider is called: a crash after the call re-runs with the same key.
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
    return { kind: "charge", key, provider, recovery: current };
  });
  if (decision.kind !== "charge") {
    if (decision.kind === "skip") log.debug("retry skipped", { recoveryId: input.recoveryId, why: decision.why });
    return decision;
  }

  // The recovery as read under the invoice lock: the transaction changed nothing on it.
  const result = await decision.provider.charge(decision.recovery, { idempotencyKey: decision.key });
  await recordAttemptResult({ key: decision.key, result });
  switch (result.kind) {
    case "succeeded":
      return { kind: "succeeded" as const };
    case "declined":
      return { kind: "declined" as const, declineCode: result.failure.declineCode };
    case "submitted":
      return { kind: "submitted" as const, ref: result.ref };
    case "not_declined":
    case "subscription_paused":
      return { kind: "rejected" as const, message: result.message };
  }
}
