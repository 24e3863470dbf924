// Outbound events of pay-links, refunds and dunning emails (ADR 0080): the collect and dunning
// modules call one of these at the place the thing happens, inside its transaction where it has one.
import { db, type Tx } from "~/utils/db.server";
import { formatMoney } from "~/utils/money";
import type { PaymentRequest, ProviderConnection, Refund, Transaction } from "../../../generated/prisma/client";
import { emitWebhookEvent } from "./events.server";

type PaymentRequestEventType = "payment_request.created" | "payment_request.succeeded" | "payment_request.cancelled" | "payment_request.fallback_triggered";

function requestFields(request: PaymentRequest, status: string, at: Date) {
  return {
    paymentRequestId: request.id,
    status,
    amountMinor: request.amountMinor,
    currency: request.currency,
    description: request.description,
    recoveryId: request.recoveryId,
    livemode: request.livemode,
    at,
  };
}

const who = (request: PaymentRequest) => request.customerEmail ?? request.description;

/** A pay-link was created, paid, cancelled, or fell back to its secondary provider: once per link and kind. */
export async function emitPaymentRequestEvent(
  input: { tx: Tx; request: PaymentRequest; at: Date } & (
    | { type: "payment_request.created" | "payment_request.cancelled" }
    | { type: "payment_request.succeeded"; transaction: Pick<Transaction, "publicId" | "connectionId" | "amountMinor"> }
    | { type: "payment_request.fallback_triggered"; failed: Pick<ProviderConnection, "id" | "provider">; detail: string | null }
  ),
) {
  const { tx, request, at } = input;
  const type: PaymentRequestEventType = input.type;
  const base = { tx, workspaceId: request.workspaceId, recoveryId: request.recoveryId, quiet: true, dedupeKey: `${type}:${request.id}` };
  const amount = formatMoney(request.amountMinor, request.currency);
  const money = { amountMinor: request.amountMinor, currency: request.currency.toUpperCase() };
  switch (input.type) {
    case "payment_request.created":
      return emitWebhookEvent({ ...base, type: input.type, data: requestFields(request, "open", at) });
    case "payment_request.cancelled":
      return emitWebhookEvent({ ...base, type: input.type, data: requestFields(request, "cancelled", at) });
    case "payment_request.succeeded": {
      const connection = await tx.providerConnection.findUnique({ where: { id: input.transaction.connectionId }, select: { provider: true } });
      const provider = connection?.provider ?? "unknown";
      return emitWebhookEvent({
        ...base,
        type: input.type,
        data: { ...requestFields(request, "succeeded", at), transactionId: input.transaction.publicId, provider },
        alert: { type: "payment_succeeded", ...money, amountMinor: input.transaction.amountMinor, provider, paymentMethod: "card", summary: `Pay-link paid: ${amount} from ${who(request)}` },
      });
    }
    case "payment_request.fallback_triggered":
      return emitWebhookEvent({
        ...base,
        type: input.type,
        data: { ...requestFields(request, "open", at), failedConnectionId: input.failed.id, failedProvider: input.failed.provider, detail: input.detail },
        alert: { type: "fallback_triggered", ...money, provider: input.failed.provider, summary: `Pay-link ${amount} (${who(request)}) fell back: ${input.failed.provider} could not take the payment` },
      });
  }
}

/** A refund reached a final status: `refund.succeeded` (with Flow Arc's `payment_refunded` facts) or `refund.failed`. */
export async function emitRefundSettled(input: { tx: Tx; refund: Refund }) {
  const { tx, refund } = input;
  if (refund.status !== "completed" && refund.status !== "failed" && refund.status !== "rejected") return null;
  const transaction = await tx.transaction.findUniqueOrThrow({ where: { id: refund.transactionId }, select: { publicId: true, connectionId: true, payerEmail: true } });
  const connection = await tx.providerConnection.findUnique({ where: { id: transaction.connectionId }, select: { provider: true } });
  const provider = connection?.provider ?? "unknown";
  const succeeded = refund.status === "completed";
  const type = succeeded ? "refund.succeeded" : "refund.failed";
  const amount = formatMoney(refund.amountMinor, refund.currency);
  return emitWebhookEvent({
    tx,
    workspaceId: refund.workspaceId,
    type,
    dedupeKey: `${type}:${refund.id}`,
    quiet: true,
    data: { refundId: refund.publicId, transactionId: transaction.publicId, amountMinor: refund.amountMinor, currency: refund.currency, provider, reason: refund.reason, at: refund.updatedAt },
    alert: succeeded
      ? {
          type: "payment_refunded",
          amountMinor: refund.amountMinor,
          currency: refund.currency.toUpperCase(),
          provider,
          paymentMethod: "card",
          summary: `Refunded ${amount} of ${transaction.publicId}${transaction.payerEmail ? ` (${transaction.payerEmail})` : ""}`,
        }
      : undefined,
  });
}

/**
 * A dunning email was handed over (SMTP, or the outbox): `dunning.email_sent`, once per message. Called
 * after the send is recorded, and again by a re-run of the send job (a crash in between): the dedupe
 * key makes that the same event.
 */
export async function emitDunningEmailSent(input: { messageId: string }) {
  const message = await db().dunningMessage.findUnique({ where: { id: input.messageId } });
  if (!message?.sentAt || !message.toEmail) return null;
  const step = message.stepId ? await db().dunningStep.findUnique({ where: { id: message.stepId }, select: { position: true } }) : null;
  return db().$transaction((tx) =>
    emitWebhookEvent({
      tx,
      workspaceId: message.workspaceId,
      type: "dunning.email_sent",
      dedupeKey: `dunning.email_sent:${message.id}`,
      recoveryId: message.recoveryId,
      quiet: true,
      data: { messageId: message.id, recoveryId: message.recoveryId, kind: message.kind, step: step?.position ?? null, subject: message.subject, to: message.toEmail, sentAt: message.sentAt },
    }),
  );
}
