// What /api/v1 payments and recoveries share: both are views of one Recovery row. Lists are
// keyset pages on (startedAt desc, id desc) inside the caller's workspace; every filter has an index
// that keeps that order (prisma/schema.prisma, docs/PERFORMANCE.md).
import { getRecoveryTimeline } from "~/domain/recovery/timeline.server";
import { encodeCursor, type Page, type PageRequest } from "~/domain/pagination.server";
import { AppError } from "~/domain/errors";
import { db, type Prisma } from "~/utils/db.server";
import type { TIMELINE_EVENT_TYPES } from "./payments";

export type AttemptWhere = Prisma.RecoveryWhereInput;

/**
 * Whose rows an /api/v1 call sees: the key's workspace, and the key's mode (ADR 0032). A live key
 * never sees test data, a test key never sees live data: another mode's id is not found (404).
 */
export interface ApiScope {
  workspaceId: string;
  livemode: boolean;
}

/** The rows a scope sees: a where-clause for any table that carries workspaceId and livemode. */
export function inScope({ workspaceId, livemode }: ApiScope): ApiScope {
  return { workspaceId, livemode };
}

/** One page of a workspace's recovery rows, newest failure first. */
export async function pageOfAttempts<I extends Prisma.RecoveryInclude>(input: ApiScope & {
  where: AttemptWhere;
  page: PageRequest;
  include: I;
}): Promise<Page<Prisma.RecoveryGetPayload<{ include: I }>>> {
  const where: AttemptWhere = { ...input.where, ...inScope(input) };
  const orderBy: Prisma.RecoveryOrderByWithRelationInput[] = [{ startedAt: "desc" }, { id: "desc" }];
  const find = (args: { where: AttemptWhere; take: number; skip?: number }) =>
    db().recovery.findMany({ ...args, orderBy, include: input.include }) as unknown as Promise<Array<Prisma.RecoveryGetPayload<{ include: I }>>>;
  const { page } = input;
  if (page.mode === "offset") {
    const [items, total] = await Promise.all([
      find({ where, take: page.perPage, skip: (page.page - 1) * page.perPage }),
      db().recovery.count({ where }),
    ]);
    return { items, nextCursor: null, page: page.page, perPage: page.perPage, total, totalPages: Math.ceil(total / page.perPage) };
  }
  // The cursor carries (startedAt, id) of the last row shown, in the platform's opaque format.
  const after = page.after;
  const keyset: AttemptWhere = after
    ? {
        AND: [
          where,
          // The redundant bound lets PostgreSQL seek the index to the cursor instead of reading every
          // newer row and filtering it out (deep pages stay as fast as the first).
          { startedAt: { lte: after.createdAt } },
          { OR: [{ startedAt: { lt: after.createdAt } }, { startedAt: after.createdAt, id: { lt: after.id } }] },
        ],
      }
    : where;
  const rows = await findSplit(keyset, input.where.status, page.limit + 1, find);
  const items = rows.slice(0, page.limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > page.limit && last ? encodeCursor({ createdAt: last.startedAt, id: last.id }) : null };
}

/**
 * `status IN (a, b)` cannot read a (status, …, startedAt) index in startedAt order, so PostgreSQL
 * would filter the whole workspace's index or sort every match. One ordered query per status,
 * merged, reads at most a page from each instead.
 */
async function findSplit<T extends { startedAt: Date; id: string }>(
  where: AttemptWhere,
  status: AttemptWhere["status"],
  take: number,
  find: (args: { where: AttemptWhere; take: number }) => Promise<T[]>,
): Promise<T[]> {
  const values = status && typeof status === "object" && "in" in status && Array.isArray(status.in) ? status.in : null;
  if (!values || values.length < 2) return find({ where, take });
  const parts = await Promise.all(values.map((value) => find({ where: { AND: [where, { status: value }] }, take })));
  return parts
    .flat()
    .sort((a, b) => b.startedAt.getTime() - a.startedAt.getTime() || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0))
    .slice(0, take);
}

/** YYYY-MM-DD is midnight UTC; anything else is an RFC 3339 instant (already validated). */
export function instantOf(value: string): Date {
  return new Date(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value);
}

export function startedBetween(after?: string, before?: string): AttemptWhere {
  const gte = after ? instantOf(after) : undefined;
  const lt = before ? instantOf(before) : undefined;
  if (gte && lt && gte >= lt) {
    throw new AppError("validation_failed", "created_after must be earlier than created_before.", {
      errors: [{ path: "query.created_after", message: "Must be earlier than created_before." }],
    });
  }
  return gte || lt ? { startedAt: { ...(gte ? { gte } : {}), ...(lt ? { lt } : {}) } } : {};
}

/**
 * A row by Recoup's id or by the PSP's reference: the invoice id kept in externalId (Stripe,
 * Shopify, ingested payments), else one of its charge attempts' references: a platform attempt's
 * own id (a Shopify billing attempt, kept in ChargeAttempt.idempotencyKey as `platform:<id>`), or
 * Stripe's PaymentIntent (`pi_…`) or charge (`ch_…`, `py_…`) of any attempt, Stripe's or ours.
 * Only in the caller's workspace and mode.
 */
export async function findAttemptId(scope: ApiScope, ref: string): Promise<string | null> {
  const rows = await db().recovery.findMany({
    where: { ...inScope(scope), OR: [{ id: ref }, { externalId: ref }] },
    select: { id: true },
    take: 2,
  });
  // Our own id wins should a PSP reference ever equal another row's id.
  const row = rows.find((r) => r.id === ref) ?? rows[0];
  if (row) return row.id;
  const attempt = await db().chargeAttempt.findFirst({
    where: { workspaceId: scope.workspaceId, recovery: { livemode: scope.livemode }, OR: [{ idempotencyKey: `platform:${ref}` }, { paymentIntentId: ref }, { chargeId: ref }] },
    orderBy: { attemptedAt: "desc" },
    select: { recoveryId: true },
  });
  return attempt?.recoveryId ?? null;
}

export type TimelineEvent = { type: (typeof TIMELINE_EVENT_TYPES)[number]; timestamp: Date; details: Record<string, unknown> };

/**
 * The row's history in LostChurn's event words, oldest first, from the same timeline the dashboard
 * shows; what is planned next (a retry) comes last, at its future time.
 */
export async function timelineEvents(workspaceId: string, recoveryId: string) {
  const timeline = await getRecoveryTimeline({ workspaceId, recoveryId });
  const row = await db().recovery.findFirstOrThrow({
    where: { id: recoveryId, workspaceId },
    select: {
      pausedAt: true,
      paused: true,
      recoupRetryCount: true,
      amountDueMinor: true,
      recoveredAmountMinor: true,
      currency: true,
      retries: { select: { source: true, attemptNumber: true, paymentIntentId: true, chargeId: true } },
    },
  });
  // Each charge attempt's Stripe references, for its event (a source numbers its attempts 1, 2, …).
  const refs = new Map(row.retries.map((r) => [`${r.source}:${r.attemptNumber}`, { paymentIntentId: r.paymentIntentId, chargeId: r.chargeId }]));
  const stripeRefs = (source: string, attemptNumber: number) => refs.get(`${source}:${attemptNumber}`) ?? { paymentIntentId: null, chargeId: null };
  const events: TimelineEvent[] = [];
  let failures = 0;
  for (const entry of timeline.entries) {
    const at = new Date(entry.at);
    switch (entry.kind) {
      case "failure":
        failures += 1;
        events.push({
          type: failures === 1 ? "payment_failed" : "retry_failed",
          timestamp: at,
          details: { declineCode: entry.declineCode, message: entry.message, source: entry.source, attemptNumber: entry.attemptNumber, ...stripeRefs(entry.source, entry.attemptNumber) },
        });
        break;
      case "charge_succeeded":
        events.push({
          type: "retry_succeeded",
          timestamp: at,
          details: { amountCents: row.amountDueMinor, currency: row.currency, source: entry.source, attemptNumber: entry.attemptNumber, ...stripeRefs(entry.source, entry.attemptNumber) },
        });
        break;
      case "email": {
        const details = { messageId: entry.messageId, kind: entry.emailKind, subject: entry.subject };
        const type = entry.status === "failed" ? "email_failed" : entry.status === "scheduled" ? "email_scheduled" : entry.status === "skipped" ? "email_failed" : "email_sent";
        events.push({ type, timestamp: at, details });
        if (entry.openedAt) events.push({ type: "email_opened", timestamp: new Date(entry.openedAt), details: { messageId: entry.messageId } });
        if (entry.clickedAt) events.push({ type: "link_clicked", timestamp: new Date(entry.clickedAt), details: { messageId: entry.messageId } });
        break;
      }
      case "outcome":
        events.push(
          entry.outcome === "recovered"
            ? { type: "recovered", timestamp: at, details: { amountCents: row.recoveredAmountMinor ?? row.amountDueMinor, currency: row.currency } }
            : { type: "terminal", timestamp: at, details: { outcome: entry.outcome, reasonCode: entry.reasonCode } },
        );
        break;
    }
  }
  if (row.paused && row.pausedAt) events.push({ type: "paused", timestamp: row.pausedAt, details: {} });
  events.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
  const next = timeline.nextAction;
  if (next && !row.paused && next.kind === "retry" && next.at) {
    events.push({ type: "retry_scheduled", timestamp: new Date(next.at), details: { retryNumber: row.recoupRetryCount + 1, reason: next.reason } });
  }
  return events;
}

export function nextActionOf(row: { status: string; nextActionKind: string | null; nextActionAt: Date | null; nextActionReason: string | null }) {
  if (row.status !== "pending") return null;
  return { kind: row.nextActionKind, at: row.nextActionAt, reason: row.nextActionReason };
}
