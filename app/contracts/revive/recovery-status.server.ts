// Revive's `/api/recovery/status` (its payment shape): epoch-millisecond times, Revive's status words.
import { findRecoveryStatus, type RecoveryStatusFilter } from "~/domain/recovery/queries.server";
import { retrySettingsFor } from "~/domain/recovery/policy";

/** Revive's payment status words. */
function reviveStatus(row: { status: RecoveryStatusFilter; nextActionKind: string | null }) {
  switch (row.status) {
    case "pending":
      return row.nextActionKind === "email" || row.nextActionKind === "wait" ? "awaiting_customer" : "retrying";
    case "recovered":
      return "recovered";
    case "failed":
      return "failed";
    case "abandoned":
      return "cancelled";
  }
}

const ms = (d: Date | null | undefined) => (d ? d.getTime() : null);

/** Revive's `/api/recovery/status`: one invoice's recovery, or a customer's most recent one. */
export async function getRecoveryStatus(input: { workspaceId: string; invoiceId?: string; customerId?: string }) {
  const recovery = await findRecoveryStatus(input);
  const pendingRetry = recovery.status === "pending" && recovery.nextActionKind === "retry" && !recovery.paused;
  return {
    payment: {
      id: recovery.id,
      stripeInvoiceId: recovery.externalId,
      status: reviveStatus(recovery),
      amount: recovery.amountDueMinor,
      currency: recovery.currency,
      retryCount: recovery.retries.filter((r) => r.source === "recoup").length,
      // The engine's own reading of the settings, so the limit shown is the one applied.
      maxRetries: retrySettingsFor(recovery.workspace).maxRetries,
      nextRetryAt: pendingRetry ? ms(recovery.nextActionAt) : null,
      failureReason: recovery.declineCode ?? recovery.errorCode,
      // Every charge attempt, ours and the platform's; `source` says whose (an extra).
      retryHistory: recovery.retries.map((r) => ({
        attemptedAt: r.attemptedAt.getTime(),
        result: r.status,
        reason: r.declineCode ?? r.errorCode,
        source: r.source,
      })),
      emailsSent: recovery.messages.map((m) => ({
        type: m.kind,
        sentAt: m.sentAt!.getTime(),
        opened: Boolean(m.openedAt ?? m.clickedAt ?? m.convertedAt) || ["opened", "clicked", "converted"].includes(m.status),
      })),
    },
  };
}
