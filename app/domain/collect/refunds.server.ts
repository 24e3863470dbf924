// Refunds of payments taken through hosted checkout (ADR 0075): full or partial, checked against
// what is left to refund under the transaction's lock, sent to the processor once (the refund's id
// is the idempotency key, a `refund-submit` job carries it through a crash), and moved by the
// processor's webhooks. Each status change goes out as a signed `refund.status_changed`, and the
// payment's as `transaction.status_changed`.
import { AppError } from "~/domain/errors";
import { emitWebhookEvent } from "~/domain/webhooks/events.server";
import { emitRefundSettled } from "~/domain/webhooks/collect-events.server";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { enqueue } from "~/utils/queue.server";
import { minorToDecimal } from "~/utils/money";
import type { Prisma, Refund, Transaction } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { accountOf } from "./connections.server";
import { processorFor } from "./processors.server";
import { ProcessorRejectedError, ProcessorUnavailableError, type RefundStatus } from "./processor";
import { isPaid, lockTransaction, newRefundPublicId, transactionStatusChanged } from "./transactions.server";

/** Refunds that still hold money back from a new one: all but the failed and rejected. */
const HOLDING: RefundStatus[] = ["pending", "processing", "completed"];
const OPEN: RefundStatus[] = ["pending", "processing"];

async function refundable(tx: Tx, transaction: Transaction): Promise<number> {
  const held = await tx.refund.aggregate({ where: { transactionId: transaction.id, status: { in: HOLDING } }, _sum: { amountMinor: true } });
  return transaction.amountMinor - (held._sum.amountMinor ?? 0);
}

/**
 * Refunds `amountMinor` (default: all that is left) of a paid transaction. Eligibility errors are
 * `validation_failed` in the caller's words: not paid, nothing left, more than is left.
 */
export async function createRefund(input: { workspaceId: string; transactionId: string; amountMinor?: number | null; reason: string }): Promise<Refund> {
  const refund = await db().$transaction(async (tx) => {
    const found = await tx.transaction.findFirst({ where: { id: input.transactionId, workspaceId: input.workspaceId }, select: { id: true } });
    if (!found) throw new AppError("transaction_not_found", "Payment not found.");
    const transaction = await lockTransaction(tx, found.id);
    if (!isPaid(transaction.status)) {
      throw new AppError("validation_failed", `Only a paid payment can be refunded: this one is ${transaction.status}.`);
    }
    const left = await refundable(tx, transaction);
    if (left <= 0) throw new AppError("validation_failed", "This payment has been refunded in full already.");
    const amount = input.amountMinor ?? left;
    if (amount <= 0) throw new AppError("validation_failed", "amount: a refund must be more than zero.");
    if (amount > left) throw new AppError("validation_failed", `amount: at most ${minorToDecimal(left, transaction.currency)} ${transaction.currency} is left to refund.`);
    const created = await tx.refund.create({
      data: { publicId: newRefundPublicId(), workspaceId: input.workspaceId, transactionId: transaction.id, amountMinor: amount, currency: transaction.currency, reason: input.reason, status: "pending" },
    });
    await enqueue(queues.refundSubmit, { refundId: created.id }, { tx, key: created.id });
    await refundStatusChanged(tx, created, null);
    if (transaction.status !== "refund_pending") await setTransactionStatus(tx, transaction, "refund_pending");
    return created;
  });
  // Sent now so the caller hears the processor's answer; the job sends it again (same key) if this is lost.
  return (await submitRefund({ refundId: refund.id }).catch((error: unknown) => {
    log.warn("refund not submitted yet: the job retries", { refundId: refund.id, error: (error as Error).message });
    return null;
  })) ?? refund;
}

/**
 * Sends a pending refund to its processor under its own id as idempotency key: run twice (the
 * request and its job, or a retried job), the processor refunds once. A refusal ends the refund
 * as `rejected`; an unreachable processor throws, and the job retries.
 */
export async function submitRefund(input: { refundId: string }): Promise<Refund> {
  const refund = await db().refund.findUniqueOrThrow({ where: { id: input.refundId }, include: { transaction: true } });
  if (refund.status !== "pending") return refund;
  const connection = await db().providerConnection.findUniqueOrThrow({ where: { id: refund.transaction.connectionId } });
  try {
    const created = await processorFor(connection.provider).refund(accountOf(connection), {
      providerPaymentId: refund.transaction.providerPaymentId!,
      chargeRef: refund.transaction.chargeRef,
      amountMinor: refund.amountMinor,
      currency: refund.currency,
      reason: refund.reason,
      idempotencyKey: `recoup-refund-${refund.id}`,
    });
    return applyRefundStatus({ refundId: refund.id, providerRefundId: created.providerRefundId, status: created.status === "pending" ? "processing" : created.status });
  } catch (error) {
    if (error instanceof ProcessorRejectedError) {
      log.warn("refund refused by the processor", { refundId: refund.id, code: error.code });
      return applyRefundStatus({ refundId: refund.id, providerRefundId: null, status: "rejected" });
    }
    if (error instanceof ProcessorUnavailableError) throw new AppError("provider_unavailable", `The payment provider could not be reached to refund: ${error.message}`);
    throw error;
  }
}

/** A processor said a refund moved (a webhook): read back, then applied. */
export async function syncRefund(input: { connectionId: string; providerRefundId: string }): Promise<{ status: "processed" } | { status: "ignored"; note: string }> {
  const refund = await db().refund.findFirst({ where: { providerRefundId: input.providerRefundId, transaction: { connectionId: input.connectionId } } });
  if (!refund) return { status: "ignored", note: "not a refund Recoup made" };
  const connection = await db().providerConnection.findUniqueOrThrow({ where: { id: input.connectionId } });
  const state = await processorFor(connection.provider).getRefund(accountOf(connection), input.providerRefundId);
  await applyRefundStatus({ refundId: refund.id, providerRefundId: input.providerRefundId, status: state.status === "pending" ? "processing" : state.status });
  return { status: "processed" };
}

const FINAL: ReadonlySet<string> = new Set(["completed", "failed", "rejected"]);

/**
 * A refund's new status, under its payment's lock: a final status never moves again (an older
 * event arriving late changes nothing). Completing it adds to the payment's refunded amount; the
 * payment is `refunded` once nothing is left, `refund_pending` while a refund is open, else `paid`.
 */
export async function applyRefundStatus(input: { refundId: string; providerRefundId: string | null; status: RefundStatus }): Promise<Refund> {
  return db().$transaction(async (tx) => {
    const { transactionId } = await tx.refund.findUniqueOrThrow({ where: { id: input.refundId }, select: { transactionId: true } });
    const transaction = await lockTransaction(tx, transactionId);
    const refund = await tx.refund.findUniqueOrThrow({ where: { id: input.refundId } });
    if (FINAL.has(refund.status) || refund.status === input.status) {
      if (!refund.providerRefundId && input.providerRefundId) return tx.refund.update({ where: { id: refund.id }, data: { providerRefundId: input.providerRefundId } });
      return refund;
    }
    const updated = await tx.refund.update({ where: { id: refund.id }, data: { status: input.status, providerRefundId: refund.providerRefundId ?? input.providerRefundId } });
    await refundStatusChanged(tx, updated, refund.status);
    await emitRefundSettled({ tx, refund: updated });
    const refundedMinor = transaction.refundedMinor + (input.status === "completed" ? refund.amountMinor : 0);
    const stillOpen = await tx.refund.count({ where: { transactionId, status: { in: OPEN } } });
    const status = refundedMinor >= transaction.amountMinor ? "refunded" : stillOpen > 0 ? "refund_pending" : "paid";
    if (refundedMinor !== transaction.refundedMinor) await tx.transaction.update({ where: { id: transactionId }, data: { refundedMinor } });
    if (status !== transaction.status) await setTransactionStatus(tx, { ...transaction, refundedMinor }, status);
    return updated;
  });
}

async function setTransactionStatus(tx: Tx, transaction: Transaction, status: string) {
  await tx.transaction.update({ where: { id: transaction.id }, data: { status } });
  await transactionStatusChanged(tx, { ...transaction, status }, transaction.status);
}

/** `refund.status_changed`, once per refund and status. */
async function refundStatusChanged(tx: Tx, refund: Refund, previous: string | null) {
  const transaction = await tx.transaction.findUniqueOrThrow({ where: { id: refund.transactionId }, select: { publicId: true } });
  await emitWebhookEvent({
    tx,
    workspaceId: refund.workspaceId,
    type: "refund.status_changed",
    dedupeKey: `refund:${refund.id}:${refund.status}`,
    quiet: true,
    data: {
      refundId: refund.publicId,
      transactionId: transaction.publicId,
      status: refund.status,
      previousStatus: previous,
      amountMinor: refund.amountMinor,
      currency: refund.currency,
      reason: refund.reason,
      changedAt: now().toISOString(),
    },
  });
}

export const REFUND_ORDERINGS = ["created_at", "-created_at", "updated_at", "-updated_at", "amount", "-amount", "status", "-status"] as const;
export type RefundOrdering = (typeof REFUND_ORDERINGS)[number];

/**
 * The workspace's refunds, filtered and ordered as ND8's list takes them, one page at a time.
 * `search` matches the payment's public id or the refund's reason.
 */
export async function listRefunds(input: {
  workspaceId: string;
  status?: RefundStatus;
  createdFrom?: Date;
  createdTo?: Date;
  search?: string;
  ordering: RefundOrdering;
  page: number;
  pageSize: number;
}) {
  const search = input.search?.trim();
  const where: Prisma.RefundWhereInput = {
    workspaceId: input.workspaceId,
    ...(input.status ? { status: input.status } : {}),
    ...(input.createdFrom || input.createdTo ? { createdAt: { ...(input.createdFrom ? { gte: input.createdFrom } : {}), ...(input.createdTo ? { lte: input.createdTo } : {}) } } : {}),
    ...(search ? { OR: [{ reason: { contains: search, mode: "insensitive" } }, { transaction: { publicId: search } }, { publicId: search }] } : {}),
  };
  const descending = input.ordering.startsWith("-");
  const field = { created_at: "createdAt", updated_at: "updatedAt", amount: "amountMinor", status: "status" }[input.ordering.replace(/^-/, "") as "created_at"] as "createdAt";
  const direction = descending ? "desc" : "asc";
  const [items, total] = await Promise.all([
    db().refund.findMany({
      where,
      include: { transaction: { select: { publicId: true } } },
      orderBy: [{ [field]: direction }, { id: direction }],
      skip: (input.page - 1) * input.pageSize,
      take: input.pageSize,
    }),
    db().refund.count({ where }),
  ]);
  return { items, total };
}

/** The workspace's refund by its public or numeric id, with its payment's public id. */
export async function findRefund(input: { workspaceId: string; ref: { publicId: string } | { numericId: number } | null }) {
  const row = input.ref ? await db().refund.findFirst({ where: { workspaceId: input.workspaceId, ...input.ref }, include: { transaction: { select: { publicId: true } } } }) : null;
  if (!row) throw new AppError("refund_not_found", "Refund not found.");
  return row;
}
