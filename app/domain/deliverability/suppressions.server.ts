// Email suppressions (ADR 0071): addresses a workspace no longer emails, because they bounced for
// good, complained, unsubscribed, or the merchant said so. Per workspace: one merchant's bounce never
// silences another's mail. At most one active suppression per address (a partial unique index), so
// suppressing again is a no-op; a lift keeps the row as history and lets mail go again.
import { AppError } from "~/domain/errors";
import { paginate, type PageRequest } from "~/domain/pagination.server";
import { now } from "~/utils/clock.server";
import { db, type Db, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import type { EmailSuppression } from "../../../generated/prisma/client";
import {
  normaliseEmail,
  shortDetail,
  SUPPRESSION_REASONS,
  SUPPRESSION_SOURCES,
  type SuppressionReason,
  type SuppressionSource,
} from "./policy";

type Client = Db | Tx;

export interface SuppressionView {
  id: string;
  email: string;
  reason: SuppressionReason;
  source: SuppressionSource;
  detail: string | null;
  active: boolean;
  createdAt: Date;
  liftedAt: Date | null;
  liftedBy: string | null;
}

function view(row: EmailSuppression): SuppressionView {
  return {
    id: row.id,
    email: row.email,
    reason: row.reason as SuppressionReason,
    source: row.source as SuppressionSource,
    detail: row.detail,
    active: row.active,
    createdAt: row.createdAt,
    liftedAt: row.liftedAt,
    liftedBy: row.liftedBy,
  };
}

/**
 * Stops mail to the address for this workspace. Idempotent: an address already suppressed keeps its
 * first suppression (a webhook delivered twice, a bounce and then a complaint) and `created` is false.
 */
export async function suppress(input: {
  workspaceId: string;
  email: string;
  reason: SuppressionReason;
  source: SuppressionSource;
  detail?: string | null;
  tx?: Tx;
}): Promise<{ created: boolean }> {
  const email = normaliseEmail(input.email);
  if (!email) return { created: false };
  // ON CONFLICT DO NOTHING against the partial unique index on active rows (the migration's).
  const rows = await (input.tx ?? db()).emailSuppression.createManyAndReturn({
    data: [{ workspaceId: input.workspaceId, email, reason: input.reason, source: input.source, detail: shortDetail(input.detail), createdAt: now() }],
    select: { id: true },
    skipDuplicates: true,
  });
  if (rows.length) log.info("email address suppressed", { workspaceId: input.workspaceId, reason: input.reason, source: input.source });
  return { created: rows.length > 0 };
}

/** The address's active suppression in this workspace, or null when mail may go to it. */
export async function isSuppressed(workspaceId: string, email: string, client: Client = db()): Promise<{ reason: SuppressionReason; source: SuppressionSource } | null> {
  const row = await client.emailSuppression.findFirst({
    where: { workspaceId, email: normaliseEmail(email), active: true },
    select: { reason: true, source: true },
  });
  return row ? { reason: row.reason as SuppressionReason, source: row.source as SuppressionSource } : null;
}

/** Which of these addresses are suppressed in this workspace (normalised address → reason): one query for a batch. */
export async function suppressedAmong(workspaceId: string, emails: string[], client: Client = db()): Promise<Map<string, SuppressionReason>> {
  const wanted = [...new Set(emails.map(normaliseEmail).filter(Boolean))];
  if (wanted.length === 0) return new Map();
  const rows = await client.emailSuppression.findMany({
    where: { workspaceId, email: { in: wanted }, active: true },
    select: { email: true, reason: true },
  });
  return new Map(rows.map((r) => [r.email, r.reason as SuppressionReason]));
}

/**
 * Lets mail go to the address again: its active suppression ends (kept, with when and by whom).
 * An address with no active suppression in this workspace is `suppression_not_found`.
 */
export async function lift(input: { workspaceId: string; email: string; by: string }): Promise<SuppressionView> {
  const email = normaliseEmail(input.email);
  const row = await db().emailSuppression.findFirst({ where: { workspaceId: input.workspaceId, email, active: true } });
  if (!row) throw new AppError("suppression_not_found", "This address is not suppressed in this workspace.");
  const at = now();
  const { count } = await db().emailSuppression.updateMany({ where: { id: row.id, active: true }, data: { active: false, liftedAt: at, liftedBy: input.by } });
  // Lifted meanwhile by another request: that lift stands, this one found nothing left to lift.
  if (count === 0) throw new AppError("suppression_not_found", "This address is not suppressed in this workspace.");
  log.info("email suppression lifted", { workspaceId: input.workspaceId, by: input.by });
  return view({ ...row, active: false, liftedAt: at, liftedBy: input.by });
}

/** The workspace's suppressions, newest first: active ones only unless `activeOnly` is false. */
export async function list(input: {
  workspaceId: string;
  page: PageRequest;
  search?: string;
  reason?: SuppressionReason;
  activeOnly?: boolean;
}) {
  const where = {
    workspaceId: input.workspaceId,
    ...((input.activeOnly ?? true) ? { active: true } : {}),
    ...(input.reason ? { reason: input.reason } : {}),
    ...(input.search ? { email: { contains: normaliseEmail(input.search) } } : {}),
  };
  const page = await paginate(input.page, {
    find: (args) => db().emailSuppression.findMany({ ...args, where: { ...where, ...args.where } }),
    count: () => db().emailSuppression.count({ where }),
  });
  return { ...page, items: page.items.map(view) };
}

const DAY_MS = 86_400_000;
const RECENT_DAYS = 30;

/**
 * Totals for the workspace: active and lifted, the active ones by reason and by source, and how many
 * suppressions were made in the last 30 days (lifted since or not).
 */
export async function stats(input: { workspaceId: string }) {
  const since = new Date(now().getTime() - RECENT_DAYS * DAY_MS);
  const [groups, recent] = await Promise.all([
    db().emailSuppression.groupBy({ by: ["reason", "source", "active"], where: { workspaceId: input.workspaceId }, _count: { _all: true } }),
    db().emailSuppression.count({ where: { workspaceId: input.workspaceId, createdAt: { gte: since } } }),
  ]);
  const byReason = new Map<string, number>();
  const bySource = new Map<string, number>();
  let active = 0;
  let lifted = 0;
  for (const g of groups) {
    const n = g._count._all;
    if (!g.active) {
      lifted += n;
      continue;
    }
    active += n;
    byReason.set(g.reason, (byReason.get(g.reason) ?? 0) + n);
    bySource.set(g.source, (bySource.get(g.source) ?? 0) + n);
  }
  return {
    total: active + lifted,
    active,
    lifted,
    recent: { days: RECENT_DAYS, total: recent },
    byReason: SUPPRESSION_REASONS.map((reason) => ({ reason, count: byReason.get(reason) ?? 0 })),
    bySource: SUPPRESSION_SOURCES.map((source) => ({ source, count: bySource.get(source) ?? 0 })),
  };
}
