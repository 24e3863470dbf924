import type { ReferencedRecovery } from "./provider";
import { providerFor } from "./providers.server";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";

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
 * A recovery in a list, in the merchant's words (the recovery page's, from its provider's references): a
 * Stripe invoice and customer id as they are; for Shopify, "Contract #7001, billing attempt #1" and
 * "Shopify customer #7001" rather than the `shopify:<contract>:<attempt>` key and the customer GID.
 */
export function recoveryReference(row: ReferencedRecovery): { title: string; subtitle: string } {
  const refs = providerFor(row.provider).references(row);
  return { title: refs.debt.text, subtitle: refs.customer.text };
}

type ListInput = { workspaceId: string; status?: RecoveryStatusFilter; limit?: number; cursor?: string | null };

/**
 * One page of recoveries, newest first, keyset-paginated on (startedAt desc, id desc), each with its
 * latest outcome, and the cursor of the next page. Rows as stored: each contract names them its way.
 */
export async function listRecoveries(input: ListInput) {
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
  return { items: page, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/**
 * One invoice's recovery, or a customer's most recent one, with its charge attempts (oldest first),
 * the messages sent, and the workspace's retry settings.
 */
export async function findRecoveryStatus(input: { workspaceId: string; invoiceId?: string; customerId?: string }) {
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
  return recovery;
}
