import { platformReferences } from "~/domain/shopify/references";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { recoveryAttemptDto, recoveryOutcomeDto } from "~/contracts/dunningdog/dto";
import { retrySettingsFor } from "./policy";

export const RECOVERY_STATUSES = ["pending", "recovered", "failed", "abandoned"] as const;
export type RecoveryStatusFilter = (typeof RECOVERY_STATUSES)[number];

// The cursor is the last row's sort key, (startedAt, id), behind an opaque
// base64url wrapper: clients must not build or parse it.
const CURSOR_PREFIX = "r1";

export function encodeCursor(key: { startedAt: Date; id: string }): string {
  return Buffer.from(`${CURSOR_PREFIX}:${key.startedAt.getTime()}:${key.id}`, "utf8").toString("base64url");
}

export function decodeCursor(cursor: string): { startedAt: Date; id: string } {
  const invalid = () => new AppError("invalid_cursor", "This cursor is not one we issued. Start again without `cursor`.");
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) throw invalid();
  const match = /^r1:(\d{1,15}):(\S{1,200})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw invalid();
  const startedAt = new Date(Number(match[1]));
  if (Number.isNaN(startedAt.getTime())) throw invalid();
  return { startedAt, id: match[2]! };
}

/**
 * A recovery in a list, in the merchant's words (the recovery page's, from platformReferences): a
 * Stripe invoice and customer id as they are; for Shopify, "Contract #7001, billing attempt #1" and
 * "Shopify customer #7001" rather than the `shopify:<contract>:<attempt>` key and the customer GID.
 */
export function recoveryReference(row: Parameters<typeof platformReferences>[0]): { title: string; subtitle: string } {
  const refs = platformReferences(row);
  return { title: refs.debt.text, subtitle: refs.customer.text };
}

type ListInput = { workspaceId: string; status?: RecoveryStatusFilter; limit?: number; cursor?: string | null };

/** One page of rows, newest first, keyset-paginated on (startedAt desc, id desc), and the cursor of the next. */
async function pageOfRecoveries(input: ListInput) {
  const limit = input.limit ?? 20;
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new AppError("validation_failed", "limit must be an integer from 1 to 100.");
  }
  const after = input.cursor ? decodeCursor(input.cursor) : null;
  const rows = await db().recovery.findMany({
    where: {
      workspaceId: input.workspaceId,
      ...(input.status ? { status: input.status } : {}),
      ...(after
        ? { OR: [{ startedAt: { lt: after.startedAt } }, { startedAt: after.startedAt, id: { lt: after.id } }] }
        : {}),
    },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: limit + 1,
    include: { outcomes: { orderBy: { occurredAt: "desc" }, take: 1 } },
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/**
 * Newest first, keyset-paginated; DunningDog's `/api/dashboard/recoveries` items exactly (`{attempt,
 * latestOutcome}`). `latestOutcome` is left out while there is none: the document declares it
 * `nullable` beside an `allOf` of RecoveryOutcome, and under OpenAPI 3.0.3 that `allOf` still rejects
 * null, so strict validators would refuse `null`; the field is not required.
 */
export async function listRecoveries(input: ListInput) {
  const { page, nextCursor } = await pageOfRecoveries(input);
  return {
    items: page.map((row) => ({
      attempt: recoveryAttemptDto(row),
      ...(row.outcomes[0] ? { latestOutcome: recoveryOutcomeDto(row.outcomes[0]) } : {}),
    })),
    nextCursor,
  };
}

/**
 * The same page for the merchant's own pages (the overview's table, the Stripe App's drawer): each
 * item also carries `reference`, the row's names in the platform's words, beside DunningDog's attempt.
 */
export async function listRecoveriesForPages(input: ListInput) {
  const { page, nextCursor } = await pageOfRecoveries(input);
  return {
    items: page.map((row) => ({
      attempt: recoveryAttemptDto(row),
      latestOutcome: row.outcomes[0] ? recoveryOutcomeDto(row.outcomes[0]) : null,
      reference: recoveryReference(row),
    })),
    nextCursor,
  };
}

/** Revive's payment status words. */
export function reviveStatus(row: { status: RecoveryStatusFilter; nextActionKind: string | null }) {
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
  if (!input.invoiceId === !input.customerId) {
    throw new AppError("validation_failed", "Give exactly one of invoiceId or customerId.");
  }
  const recovery = await db().recovery.findFirst({
    where: {
      workspaceId: input.workspaceId,
      ...(input.invoiceId ? { externalId: input.invoiceId } : { externalCustomerId: input.customerId }),
    },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    include: {
      workspace: { select: { retrySettings: true, timezone: true } },
      retries: { orderBy: [{ attemptedAt: "asc" }, { attemptNumber: "asc" }] },
      messages: { where: { sentAt: { not: null } }, orderBy: { sentAt: "asc" } },
    },
  });
  if (!recovery) {
    throw new AppError(
      "recovery_not_found",
      input.invoiceId ? `No recovery for invoice ${input.invoiceId}.` : `No recovery for customer ${input.customerId}.`,
    );
  }
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
