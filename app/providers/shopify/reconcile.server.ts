// A billing attempt whose webhook never comes (Shopify drops some, or we were down past its retries):
// each of our billing attempts gets a check job when Shopify accepts it. If the attempt is still
// `pending` on our side at the check, Shopify is asked (`subscriptionBillingAttempt(id:)`) and its
// answer is applied through the webhook handlers themselves, so a real webhook arriving later finds
// the work done. An attempt still processing is checked again later; the recovery's own expiry
// (recovery-expire, 30 days after the failure) closes it if nothing ever settles.
import { recordAttemptResult, recordStillAwaiting } from "~/domain/recovery/engine.server";
import { fetchBillingAttempt } from "~/integrations/shopify/admin.server";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import { applyBillingAttemptState } from "./billing.server";

const HOUR_MS = 3_600_000;
/**
 * Shopify answers a billing attempt within seconds to minutes and re-delivers a webhook it could
 * not deliver for up to 4 hours (8 tries); an hour after the attempt, silence means a webhook we
 * are unlikely to get soon. One query per attempt is cheap, so the first check is not held back longer.
 */
const FIRST_CHECK_AFTER_MS = HOUR_MS;
/** An attempt Shopify is still processing is asked about again this often. */
const RECHECK_EVERY_MS = 6 * HOUR_MS;

type CheckInput = { recoveryId: string; idempotencyKey: string; billingAttemptId: string; check: number };

function enqueueCheck(input: CheckInput, at: Date, tx?: Tx) {
  return enqueue(queues.shopifyBillingAttemptCheck, input, { tx, key: `${input.idempotencyKey}:${input.check}`, startAfter: at });
}

/** Inside the transaction that records Shopify's acceptance of our billing attempt. */
export async function scheduleBillingAttemptCheck(input: { tx: Tx; recoveryId: string; idempotencyKey: string; billingAttemptId: string }) {
  const { tx, ...ids } = input;
  await enqueueCheck({ ...ids, check: 1 }, new Date(now().getTime() + FIRST_CHECK_AFTER_MS), tx);
}

export type CheckOutcome =
  | { outcome: "settled" | "recovery_closed" | "shop_gone" }
  | { outcome: "applied"; state: string }
  | { outcome: "processing"; nextCheckAt: Date }
  | { outcome: "unknown_attempt" };

/** The shopify-billing-attempt-check job. Safe to run twice: a settled attempt is left alone. */
export async function checkBillingAttempt(input: CheckInput): Promise<CheckOutcome> {
  const retry = await db().chargeAttempt.findUnique({ where: { idempotencyKey: input.idempotencyKey }, include: { recovery: true } });
  if (!retry || retry.status !== "pending") return { outcome: "settled" };
  const { recovery } = retry;
  if (recovery.id !== input.recoveryId || recovery.provider !== "shopify") return { outcome: "settled" };
  if (recovery.status !== "pending") return { outcome: "recovery_closed" };
  const shop = recovery.externalAccountId ? await db().shopifyShop.findUnique({ where: { shopDomain: recovery.externalAccountId } }) : null;
  if (!shop || shop.uninstalledAt || shop.workspaceId !== recovery.workspaceId) return { outcome: "shop_gone" };

  // Shopify not answering throws: pg-boss retries this job.
  const attempt = await fetchBillingAttempt(shop.shopDomain, input.billingAttemptId);
  const at = now();
  if (!attempt) {
    // Shopify has no such attempt (deleted with its contract, or never made): nothing will settle it,
    // so it counts as a retry that did not happen, and the engine plans again.
    await recordAttemptResult({
      key: input.idempotencyKey,
      result: { kind: "not_declined", code: "BILLING_ATTEMPT_NOT_FOUND", message: "Shopify has no record of this billing attempt." },
    });
    return { outcome: "unknown_attempt" };
  }
  if (attempt.state === "processing") {
    const nextCheckAt = new Date(at.getTime() + RECHECK_EVERY_MS);
    const hours = Math.max(1, Math.round((at.getTime() - retry.attemptedAt.getTime()) / HOUR_MS));
    await recordStillAwaiting({
      key: input.idempotencyKey,
      waitReason: `Charging through Shopify: no answer to this retry after ${hours} hour${hours === 1 ? "" : "s"}; Recoup asks Shopify again every ${RECHECK_EVERY_MS / HOUR_MS} hours.`,
      watch: (tx) => enqueueCheck({ ...input, check: input.check + 1 }, nextCheckAt, tx),
    });
    return { outcome: "processing", nextCheckAt };
  }
  log.info("shopify billing attempt reconciled without its webhook", { recoveryId: recovery.id, state: attempt.state, check: input.check });
  await applyBillingAttemptState(attempt, { shopDomain: shop.shopDomain, workspaceId: shop.workspaceId, at });
  return { outcome: "applied", state: attempt.state };
}
