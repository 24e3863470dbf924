// Daily metric snapshots, and the live SQL aggregates they are made of.
//
// Day rule: a snapshot covers one calendar day in the workspace's timezone,
// periodStart = local midnight, periodEnd = the next local midnight, both stored
// as UTC instants (so a day is 23 or 25 hours long across DST changes). The
// dashboard's "month" window starts on a local midnight too, so it is made of
// whole snapshot days plus today.
//
// Only complete days are snapshotted: today is always computed live (one day of
// rows, read through the (workspaceId, startedAt) and (workspaceId, endedAt)
// indexes), so a snapshot is never a partial figure. Each run rewrites the last
// three complete days (late webhooks can still change them) and any older day
// whose recoveries changed after its snapshot was generated.
import { DateTime } from "luxon";
import { Prisma } from "../../../generated/prisma/client";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { recoveryRateOf, zoneOf } from "./definitions";

export { recoveryRateOf, zoneOf };

export const SNAPSHOT_REWRITE_DAYS = 3;
/** How far back a changed recovery still invalidates its day's snapshot (bounds the scan). */
const STALE_LOOKBACK_DAYS = 120;

/** The workspace's reporting settings: its timezone (validated) and currency. 404 when unknown. */
export async function reportingWorkspace(workspaceId: string) {
  const workspace = await db().workspace.findUnique({ where: { id: workspaceId }, select: { id: true, timezone: true, currency: true } });
  if (!workspace) throw new AppError("not_found", "No such workspace.");
  return { ...workspace, zone: zoneOf(workspace.timezone) };
}

/** The snapshot day (local calendar day) containing `at`. */
export function dayContaining(at: Date, zone: string): { start: Date; end: Date } {
  const start = DateTime.fromJSDate(at, { zone }).startOf("day");
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
}

/** True when [periodStart, periodEnd) is exactly one local day of `zone`: the only snapshots the summary trusts. */
export function isSnapshotDay(periodStart: Date, periodEnd: Date, zone: string): boolean {
  const day = dayContaining(periodStart, zone);
  return day.start.getTime() === periodStart.getTime() && day.end.getTime() === periodEnd.getTime();
}

/** A half-open instant range; null means unbounded on that side. */
export interface Range {
  from: Date | null;
  to: Date | null;
}

function inRanges(column: "startedAt" | "endedAt", ranges: Range[]): Prisma.Sql {
  const col = Prisma.raw(`"${column}"`);
  return Prisma.join(
    ranges.map((r) => {
      const parts = [Prisma.sql`${col} IS NOT NULL`];
      if (r.from) parts.push(Prisma.sql`${col} >= ${r.from}`);
      if (r.to) parts.push(Prisma.sql`${col} < ${r.to}`);
      return Prisma.sql`(${Prisma.join(parts, " AND ")})`;
    }),
    " OR ",
  );
}

/**
 * Live totals in one currency, on one cohort: the payments that failed in the ranges (recoveries
 * started in them). failed = their amount due; recovered = what of it has been won back so far,
 * whenever that happened. So recovered never exceeds failed and the rate is a plain share
 * (docs/decisions/0036-revenue-figures-on-one-cohort-per-currency.md).
 */
export async function revenueIn(input: { workspaceId: string; currency: string; ranges: Range[] }) {
  if (input.ranges.length === 0) return { failedRevenueMinor: 0, recoveredRevenueMinor: 0 };
  const { workspaceId, currency, ranges } = input;
  const [row] = await db().$queryRaw<Array<{ failed: bigint; recovered: bigint }>>`
    SELECT
      (SELECT COALESCE(SUM("amountDueCents"), 0)::bigint FROM "RecoveryAttempt"
        WHERE "workspaceId" = ${workspaceId} AND "currency" = ${currency} AND (${inRanges("startedAt", ranges)})) AS failed,
      (SELECT COALESCE(SUM("recoveredAmountCents"), 0)::bigint FROM "RecoveryAttempt"
        WHERE "workspaceId" = ${workspaceId} AND "currency" = ${currency} AND "status" = 'recovered'
          AND (${inRanges("startedAt", ranges)})) AS recovered`;
  return { failedRevenueMinor: Number(row!.failed), recoveredRevenueMinor: Number(row!.recovered) };
}

/** Subscriptions at risk at instant `at`: detected before it and not resolved by then. */
async function atRiskAt(workspaceId: string, at: Date): Promise<number> {
  return db().subscriptionAtRisk.count({
    where: { workspaceId, riskDetectedAt: { lt: at }, OR: [{ resolvedAt: null }, { resolvedAt: { gte: at } }] },
  });
}

async function writeDay(workspace: { id: string; currency: string }, day: { start: Date; end: Date }) {
  // Stamped before reading: a recovery changed during the read is newer than the snapshot, so it is redone.
  const generatedAt = new Date();
  const totals = await revenueIn({ workspaceId: workspace.id, currency: workspace.currency, ranges: [{ from: day.start, to: day.end }] });
  const data = {
    currency: workspace.currency,
    ...totals,
    recoveryRate: recoveryRateOf(totals.failedRevenueMinor, totals.recoveredRevenueMinor),
    atRiskCount: await atRiskAt(workspace.id, day.end),
    generatedAt,
  };
  await db().metricSnapshot.upsert({
    where: { workspaceId_periodStart_periodEnd: { workspaceId: workspace.id, periodStart: day.start, periodEnd: day.end } },
    create: { workspaceId: workspace.id, periodStart: day.start, periodEnd: day.end, ...data },
    update: data,
  });
}

/** Snapshots that no longer match the workspace (its timezone or currency changed): deleted, their days redone. */
async function repairMisaligned(workspace: { id: string; currency: string }, zone: string, todayStart: Date): Promise<Date[]> {
  const newest = await db().metricSnapshot.findFirst({ where: { workspaceId: workspace.id }, orderBy: { periodStart: "desc" } });
  if (!newest || (newest.currency === workspace.currency && isSnapshotDay(newest.periodStart, newest.periodEnd, zone))) return [];
  const all = await db().metricSnapshot.findMany({
    where: { workspaceId: workspace.id },
    select: { id: true, periodStart: true, periodEnd: true, currency: true },
  });
  const bad = all.filter((s) => s.currency !== workspace.currency || !isSnapshotDay(s.periodStart, s.periodEnd, zone));
  await db().metricSnapshot.deleteMany({ where: { id: { in: bad.map((s) => s.id) } } });
  const redo = new Map<number, Date>();
  for (const s of bad) {
    for (let t = dayContaining(s.periodStart, zone).start; t < s.periodEnd && t < todayStart; t = dayContaining(t, zone).end) {
      redo.set(t.getTime(), t);
    }
  }
  return [...redo.values()];
}

/** Days (by periodStart) whose recoveries were created or changed after the day's snapshot was generated. */
async function staleDays(workspaceId: string, since: Date, todayStart: Date): Promise<Date[]> {
  const rows = await db().$queryRaw<Array<{ periodStart: Date }>>`
    SELECT s."periodStart" FROM "MetricSnapshot" s
    WHERE s."workspaceId" = ${workspaceId} AND s."periodStart" >= ${since} AND s."periodEnd" <= ${todayStart}
      AND EXISTS (
        SELECT 1 FROM "RecoveryAttempt" r
        WHERE r."workspaceId" = s."workspaceId" AND r."updatedAt" >= s."generatedAt"
          AND ((r."startedAt" >= s."periodStart" AND r."startedAt" < s."periodEnd")
            OR (r."endedAt" >= s."periodStart" AND r."endedAt" < s."periodEnd")))`;
  return rows.map((r) => r.periodStart);
}

/** One workspace's days: the last `days` complete ones, plus repaired and stale ones. Returns how many were written. */
async function writeWorkspace(workspace: { id: string; timezone: string; currency: string }, now: Date, days: number) {
  const zone = zoneOf(workspace.timezone);
  const today = DateTime.fromJSDate(now, { zone }).startOf("day");
  const todayStart = today.toJSDate();
  const starts = new Map<number, Date>();
  const add = (start: Date) => starts.set(start.getTime(), start);
  for (let i = days; i >= 1; i--) add(today.minus({ days: i }).toJSDate());
  for (const start of await repairMisaligned(workspace, zone, todayStart)) add(start);
  for (const start of await staleDays(workspace.id, today.minus({ days: STALE_LOOKBACK_DAYS }).toJSDate(), todayStart)) add(start);
  const ordered = [...starts.values()].sort((a, b) => a.getTime() - b.getTime());
  for (const start of ordered) await writeDay(workspace, dayContaining(start, zone));
  return ordered.length;
}

/**
 * Writes (upserts) the daily snapshots of one workspace, or of every active one.
 * `days` complete days before today are always rewritten (3 by default; the demo
 * seed backfills more). Safe to run twice: the same inputs give the same rows.
 */
export async function writeMetricSnapshots(input: { workspaceId?: string; now: Date; days?: number }) {
  const days = input.days ?? SNAPSHOT_REWRITE_DAYS;
  const workspaces = await db().workspace.findMany({
    where: input.workspaceId ? { id: input.workspaceId } : { isActive: true },
    select: { id: true, timezone: true, currency: true },
    orderBy: { id: "asc" },
  });
  let written = 0;
  const failures: Array<{ workspaceId: string; error: unknown }> = [];
  for (const workspace of workspaces) {
    try {
      written += await writeWorkspace(workspace, input.now, days);
    } catch (error) {
      // One broken workspace must not starve the others; the job still fails, so pg-boss retries.
      failures.push({ workspaceId: workspace.id, error });
      log.warn("metric snapshots failed for a workspace", { workspaceId: workspace.id, error });
    }
  }
  if (failures.length > 0) {
    throw new Error(`metric snapshots failed for ${failures.length} workspace(s): ${failures.map((f) => f.workspaceId).join(", ")}`);
  }
  log.debug("metric snapshots written", { workspaces: workspaces.length, written });
  return { workspaces: workspaces.length, written };
}
