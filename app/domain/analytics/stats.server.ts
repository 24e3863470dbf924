// Recovery figures by status, this month and per day: what Revive's `/api/dashboard/stats` and the
// overview's trend are made of (contracts/revive names them: major units, percent).
import { DateTime } from "luxon";
import { Prisma } from "../../../generated/prisma/client";
import { now as clockNow } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { reportingWorkspace } from "./snapshots.server";

export const TREND_DAYS = 30;

/**
 * Counts cover every currency; money (recoveredMinor, recoveredThisMonthMinor, dailyTrend.amountMinor)
 * only the workspace's reporting currency, named in `currency`.
 * "This month" is the calendar month in the workspace timezone; trend days are its local days.
 *
 * Lifetime: recoveries recovered and closed (recovered, failed or abandoned); a recovery still in
 * progress has been neither won nor lost. The month's figures are one cohort, the payments that
 * failed this month (docs/decisions/0036-revenue-figures-on-one-cohort-per-currency.md):
 * failedThisMonth of them, recoveredThisMonth (and its money) those of them recovered so far,
 * closedThisMonth those of them already closed. dailyTrend is the same per day of failure.
 */
export async function getRecoveryStats(input: { workspaceId: string; accountId?: string; now?: Date }) {
  const now = input.now ?? clockNow();
  const workspace = await reportingWorkspace(input.workspaceId);
  const { zone } = workspace;
  const local = DateTime.fromJSDate(now, { zone });
  const monthStart = local.startOf("month").toJSDate();
  const scope = { workspaceId: workspace.id, ...(input.accountId ? { externalAccountId: input.accountId } : {}) };
  const inCurrency = { ...scope, currency: workspace.currency };
  const recoveredSum = (where: object) =>
    db().recovery.aggregate({ where: { ...inCurrency, status: "recovered", ...where }, _sum: { recoveredAmountMinor: true } });

  const [byStatus, recoveredAll, recoveredMonth, activeRetries, dunningCount, monthCohort, trend] =
    await Promise.all([
      db().recovery.groupBy({ by: ["status"], where: scope, _count: { _all: true } }),
      recoveredSum({}),
      recoveredSum({ startedAt: { gte: monthStart } }),
      db().recovery.count({ where: { ...scope, status: "pending", nextActionKind: "retry" } }),
      db().dunningMessage.count({
        where: { workspaceId: workspace.id, sentAt: { gte: monthStart }, ...(input.accountId ? { recovery: scope } : {}) },
      }),
      // The month's cohort by status, in one read: all of it failed this month; the closed part rates it.
      db().recovery.groupBy({ by: ["status"], where: { ...scope, startedAt: { gte: monthStart } }, _count: { _all: true } }),
      dailyTrend({ workspaceId: workspace.id, accountId: input.accountId, currency: workspace.currency, zone, now }),
    ]);

  const count = (rows: Array<{ status: string; _count: { _all: number } }>, status?: string) =>
    rows.filter((r) => (status ? r.status === status : r.status !== "pending")).reduce((n, r) => n + r._count._all, 0);
  const recoveredThisMonth = count(monthCohort, "recovered");
  const failedThisMonth = monthCohort.reduce((n, r) => n + r._count._all, 0);

  return {
    currency: workspace.currency,
    recoveredMinor: recoveredAll._sum.recoveredAmountMinor ?? 0,
    recoveredCount: count(byStatus, "recovered"),
    closedCount: count(byStatus),
    activeRetries,
    messagesSentThisMonth: dunningCount,
    failedThisMonth,
    recoveredThisMonth,
    recoveredThisMonthMinor: recoveredMonth._sum.recoveredAmountMinor ?? 0,
    closedThisMonth: count(monthCohort),
    dailyTrend: trend,
  };
}

/**
 * The last 30 local days, oldest first, today included; one row per day even when empty. Each
 * day is the payments that failed on it: how many, how many of them were recovered since, and how
 * much, in minor units (reporting currency).
 */
export async function dailyTrend(input: { workspaceId: string; accountId?: string; currency: string; zone: string; now: Date }) {
  const today = DateTime.fromJSDate(input.now, { zone: input.zone }).startOf("day");
  const days = Array.from({ length: TREND_DAYS }, (_, i) => {
    const start = today.minus({ days: TREND_DAYS - 1 - i });
    return { i, date: start.toISODate()!, start: start.toJSDate(), end: start.plus({ days: 1 }).toJSDate() };
  });
  const account = input.accountId ? Prisma.sql`AND r."stripeAccountId" = ${input.accountId}` : Prisma.empty;
  const values = Prisma.join(days.map((d) => Prisma.sql`(${d.i}::int, ${d.start}::timestamp, ${d.end}::timestamp)`));
  const rows = await db().$queryRaw<Array<{ i: number; failed: number; recovered: number; amount: bigint }>>`
    SELECT d.i,
      (SELECT COUNT(*)::int FROM "RecoveryAttempt" r WHERE r."workspaceId" = ${input.workspaceId} ${account}
        AND r."startedAt" >= d.s AND r."startedAt" < d.e) AS failed,
      (SELECT COUNT(*)::int FROM "RecoveryAttempt" r WHERE r."workspaceId" = ${input.workspaceId} ${account}
        AND r."status" = 'recovered' AND r."startedAt" >= d.s AND r."startedAt" < d.e) AS recovered,
      (SELECT COALESCE(SUM(r."recoveredAmountCents"), 0)::bigint FROM "RecoveryAttempt" r
        WHERE r."workspaceId" = ${input.workspaceId} ${account} AND r."currency" = ${input.currency}
        AND r."status" = 'recovered' AND r."startedAt" >= d.s AND r."startedAt" < d.e) AS amount
    FROM (VALUES ${values}) AS d(i, s, e)
    ORDER BY d.i`;
  const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
  return days.map((d) => {
    const row = byIndex.get(d.i);
    return {
      date: d.date,
      recovered: Number(row?.recovered ?? 0),
      failed: Number(row?.failed ?? 0),
      amountMinor: Number(row?.amount ?? 0),
    };
  });
}

/** `SELECT 1` round trip in whole milliseconds; a failure or a wait past `timeoutMs` is an error. */
export async function pingDatabase(timeoutMs = 3000): Promise<{ status: "connected" | "error"; latency: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      db().$queryRaw`SELECT 1`,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error("database ping timed out")), timeoutMs);
      }),
    ]);
    return { status: "connected", latency: Math.round(performance.now() - started) };
  } catch {
    return { status: "error", latency: Math.round(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

/** The workspace's recoveries, and how many recovered (Revive's health `stats`). */
export async function paymentCounts(workspaceId: string) {
  const [totalPayments, recovered] = await Promise.all([
    db().recovery.count({ where: { workspaceId } }),
    db().recovery.count({ where: { workspaceId, status: "recovered" } }),
  ]);
  return { totalPayments, recovered };
}
