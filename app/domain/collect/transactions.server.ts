// Payments through a processor's hosted checkout (ADR 0075): how a processor's webhook becomes a
// paid transaction and a succeeded pay-link, once, whatever order the events come in.
import { markRecoveredByPayLink } from "~/domain/recovery/engine.server";
import { emitWebhookEvent } from "~/domain/webhooks/events.server";
import { emitPaymentRequestEvent } from "~/domain/webhooks/collect-events.server";
import { now } from "~/utils/clock.server";
import { randomBase62 } from "~/utils/crypto.server";
import { db, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import type { Prisma, Transaction } from "../../../generated/prisma/client";
import { accountOf, markConnectionVerified } from "./connections.server";
import { processorFor } from "./processors.server";
import { ProcessorRejectedError, ProcessorUnavailableError, type PaymentState } from "./processor";
import { AppError } from "~/domain/errors";

/** ND8's public ids: "TX"/"RF" and 12 base62 characters. */
export function newTransactionPublicId(): string {
  return `TX${randomBase62(12)}`;
}

export function newRefundPublicId(): string {
  return `RF${randomBase62(12)}`;
}

export type SyncOutcome = { status: "processed" } | { status: "ignored"; note: string };

/**
 * A processor said one of its payments changed (a webhook: a hint, never trusted as is). The
 * transaction is found by the reference Recoup gave the processor (its id) or by the processor's
 * payment id, both inside the connection's workspace; the payment is read back from the
 * processor, and its state applied.
 */
export async function syncTransaction(input: { connectionId: string; reference: string | null; providerPaymentId: string | null }): Promise<SyncOutcome> {
  const connection = await db().providerConnection.findUnique({ where: { id: input.connectionId } });
  if (!connection) return { status: "ignored", note: "unknown connection" };
  const or: Prisma.TransactionWhereInput[] = [];
  if (input.reference) or.push({ id: input.reference });
  if (input.providerPaymentId) or.push({ providerPaymentId: input.providerPaymentId });
  if (or.length === 0) return { status: "ignored", note: "the event names no payment" };
  const transaction = await db().transaction.findFirst({ where: { workspaceId: connection.workspaceId, connectionId: connection.id, OR: or } });
  if (!transaction) return { status: "ignored", note: "not a payment Recoup opened" };
  const providerPaymentId = transaction.providerPaymentId ?? input.providerPaymentId;
  if (!providerPaymentId) return { status: "ignored", note: "the payment has no processor id yet" };
  const state = await processorFor(connection.provider).getPayment(accountOf(connection), providerPaymentId);
  await applyPaymentState({ transactionId: transaction.id, providerPaymentId, state });
  return { status: "processed" };
}

/** A payment whose money moved: paid, and still counted as paid while or after it is refunded. The one list every rule reads. */
export const PAID_STATUSES: string[] = ["paid", "refund_pending", "refunded"];

export function isPaid(status: string): boolean {
  return PAID_STATUSES.includes(status);
}

/**
 * Applies what the processor reports, under the transaction's row lock: paid once (a redelivered or
 * older event changes nothing), and the pay-link it belongs to succeeds once. A second payment of a
 * link that already succeeded is kept and flagged (`duplicate_payment`), never counted twice.
 */
export async function applyPaymentState(input: { transactionId: string; providerPaymentId: string; state: PaymentState }) {
  const { state } = input;
  await db().$transaction(async (tx) => {
    const transaction = await lockTransaction(tx, input.transactionId);
    const data: Prisma.TransactionUpdateInput = {
      providerPaymentId: transaction.providerPaymentId ?? input.providerPaymentId,
      attempts: state.attempts.map((a) => ({ ...a, attemptedAt: a.attemptedAt.toISOString() })),
      chargeRef: state.chargeRef ?? transaction.chargeRef,
      payerEmail: transaction.payerEmail ?? state.payerEmail,
    };
    const becomesPaid = state.status === "paid" && !isPaid(transaction.status);
    if (becomesPaid) Object.assign(data, { status: "paid", paidAt: state.paidAt ?? new Date() });
    else if (state.status === "canceled" && transaction.status === "processing") data.status = "canceled";
    else if (state.status === "failed" && transaction.status === "processing") data.status = "failed";
    await tx.transaction.update({ where: { id: transaction.id }, data });
    if (typeof data.status === "string") await transactionStatusChanged(tx, { ...transaction, status: data.status }, transaction.status);
    if (becomesPaid && transaction.paymentRequestId) await settlePaymentRequest(tx, transaction, state.paidAt ?? new Date());
  });
}

/** The transaction's row, locked for the rest of the caller's transaction (refunds and payments of one transaction queue here). */
export async function lockTransaction(tx: Tx, id: string): Promise<Transaction> {
  await tx.$queryRaw`SELECT id FROM "Transaction" WHERE id = ${id} FOR UPDATE`;
  return tx.transaction.findUniqueOrThrow({ where: { id } });
}

/** `transaction.status_changed`, once per transaction and status (ND8's webhook). */
export async function transactionStatusChanged(tx: Tx, transaction: Transaction, previous: string | null) {
  await emitWebhookEvent({
    tx,
    workspaceId: transaction.workspaceId,
    type: "transaction.status_changed",
    dedupeKey: `transaction:${transaction.id}:${transaction.status}`,
    quiet: true,
    data: {
      transactionId: transaction.publicId,
      status: transaction.status,
      previousStatus: previous,
      amountMinor: transaction.amountMinor,
      refundedMinor: transaction.refundedMinor,
      currency: transaction.currency,
      source: transaction.source,
      changedAt: now().toISOString(),
    },
  });
}

async function settlePaymentRequest(tx: Tx, transaction: Transaction, paidAt: Date) {
  await tx.$queryRaw`SELECT id FROM "PaymentRequest" WHERE id = ${transaction.paymentRequestId} FOR UPDATE`;
  const request = await tx.paymentRequest.findUniqueOrThrow({ where: { id: transaction.paymentRequestId! } });
  if (request.status === "succeeded") {
    if (request.paidTransactionId !== transaction.id) {
      log.warn("a pay-link was paid twice", { paymentRequestId: request.id, transactionId: transaction.id });
      await tx.paymentRequestEvent.create({
        data: { paymentRequestId: request.id, kind: "duplicate_payment", connectionId: transaction.connectionId, detail: `A second payment (${transaction.publicId}) arrived after the link was paid: refund it from its transaction.` },
      });
    }
    return;
  }
  // A payment that lands after the link was cancelled or expired still moved money: the link records it.
  const succeeded = await tx.paymentRequest.update({
    where: { id: request.id },
    data: {
      status: "succeeded",
      succeededAt: paidAt,
      paidTransactionId: transaction.id,
      events: { create: { kind: "succeeded", connectionId: transaction.connectionId, detail: `Paid: ${transaction.publicId}.`, at: paidAt } },
    },
  });
  await emitPaymentRequestEvent({ tx, request: succeeded, type: "payment_request.succeeded", at: paidAt, transaction });
  if (request.isSetupTest) await markConnectionVerified(tx, transaction.connectionId, paidAt);
  if (request.recoveryId) {
    await markRecoveredByPayLink(tx, { workspaceId: request.workspaceId, recoveryId: request.recoveryId, amountPaid: transaction.amountMinor, at: paidAt });
  }
}

export type PublicRef = { publicId: string } | { numericId: number };

/** The workspace's transaction by its public or numeric id; another workspace's is not found. */
export async function findTransaction(input: { workspaceId: string; ref: PublicRef | null }): Promise<Transaction> {
  const row = input.ref ? await db().transaction.findFirst({ where: { workspaceId: input.workspaceId, ...input.ref } }) : null;
  if (!row) throw new AppError("transaction_not_found", "Payment not found.");
  return row;
}

/**
 * The transaction as it stands: one still processing is read back from its processor first (a
 * webhook may be late or lost); when the processor cannot be reached, the stored state is it.
 */
export async function currentTransaction(input: { workspaceId: string; ref: PublicRef | null }): Promise<Transaction> {
  const row = await findTransaction(input);
  if (row.status !== "processing" || !row.providerPaymentId) return row;
  const connection = await db().providerConnection.findUniqueOrThrow({ where: { id: row.connectionId } });
  try {
    const state = await processorFor(connection.provider).getPayment(accountOf(connection), row.providerPaymentId);
    await applyPaymentState({ transactionId: row.id, providerPaymentId: row.providerPaymentId, state });
  } catch (error) {
    if (!(error instanceof ProcessorUnavailableError) && !(error instanceof ProcessorRejectedError)) throw error;
    log.warn("transaction served as stored: its processor did not answer", { transactionId: row.id, error: error.message });
    return row;
  }
  return db().transaction.findUniqueOrThrow({ where: { id: row.id } });
}
