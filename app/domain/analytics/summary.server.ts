import { DateTime } from "luxon";
import { now as clockNow } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { outcomeOf } from "./definitions";
import { isSnapshotDay, recoveryRateOf, reportingWorkspace, revenueIn, type Range } from "./snapshots.server";

export const SUMMARY_WINDOWS = ["7d", "30d", "90d", "month", "lifetime"] as const;
export type SummaryWindow = (typeof SUMMARY_WINDOWS)[number];

/**
 * Where a window starts (null: the beginning of time). Rolling windows go back N
 * calendar days in the workspace timezone (same wall-clock time); "month" is the
 * calendar month to date there. Every window runs to now, and beyond: a row
 * stamped slightly in the future (Stripe's clock) still counts.
 */
export function windowStart(window: SummaryWindow, now: Date, zone: string): Date | null {
  const local = DateTime.fromJSDate(now, { zone });
  switch (window) {
    case "7d":
      return local.minus({ days: 7 }).toJSDate();
    case "30d":
      return local.minus({ days: 30 }).toJSDate();
    case "90d":
      return local.minus({ days: 90 }).toJSDate();
    case "month":
      return local.startOf("month").toJSDate();
    case "lifetime":
      return null;
  }
}

/**
 * Revenue totals for [from, ∞): whole days covered by a trustworthy daily
 * snapshot (aligned on the workspace's local days, in its reporting currency,
 * complete before `now`) are read from snapshots; the gaps between them (today,
 * a partial first day, days never snapshotted) are aggregated live.
 */
export async function revenueSince(input: { workspaceId: string; currency: string; zone: string; from: Date | null; now: Date }) {
  const snapshots = (
    await db().metricSnapshot.findMany({
      where: {
        workspaceId: input.workspaceId,
        currency: input.currency,
        periodEnd: { lte: input.now },
        ...(input.from ? { periodStart: { gte: input.from } } : {}),
      },
      select: { periodStart: true, periodEnd: true, failedRevenueMinor: true, recoveredRevenueMinor: true },
      orderBy: { periodStart: "asc" },
    })
  ).filter((s) => isSnapshotDay(s.periodStart, s.periodEnd, input.zone));

  const gaps: Range[] = [];
  let cursor = input.from;
  let failed = 0;
  let recovered = 0;
  for (const s of snapshots) {
    if (cursor === null || cursor < s.periodStart) gaps.push({ from: cursor, to: s.periodStart });
    cursor = s.periodEnd;
    failed += s.failedRevenueMinor;
    recovered += s.recoveredRevenueMinor;
  }
  gaps.push({ from: cursor, to: null });
  const live = await revenueIn({ workspaceId: input.workspaceId, currency: input.currency, ranges: gaps });
  return {
    failedRevenueMinor: failed + live.failedRevenueMinor,
    recoveredRevenueMinor: recovered + live.recoveredRevenueMinor,
    snapshotDays: snapshots.length,
  };
}

/** One currency's cohort: the payments that failed in the window, and where each of them stands now. */
export interface CurrencyCohort {
  currency: string;
  failedCount: number;
  failedRevenueMinor: number;
  recoveredCount: number;
  recoveredRevenueMinor: number;
  inProgressCount: number;
  inProgressRevenueMinor: number;
  lostCount: number;
  lostRevenueMinor: number;
  /** recoveredRevenueMinor / failedRevenueMinor, 0..1 */
  recoveryRate: number;
}

/**
 * The window's cohort per currency, live (one grouped read on the (workspaceId, startedAt) index):
 * of the payments that failed since `from`, how many and how much were recovered, are still being
 * worked on, or were lost. Money is never summed across currencies. Reporting currency first,
 * then by failed amount.
 */
export async function cohortByCurrency(input: { workspaceId: string; from: Date | null; reportingCurrency: string }): Promise<CurrencyCohort[]> {
  const rows = await db().recovery.groupBy({
    by: ["currency", "status"],
    where: { workspaceId: input.workspaceId, ...(input.from ? { startedAt: { gte: input.from } } : {}) },
    _count: { _all: true },
    _sum: { amountDueMinor: true, recoveredAmountMinor: true },
  });
  const byCurrency = new Map<string, CurrencyCohort>();
  for (const row of rows) {
    const c =
      byCurrency.get(row.currency) ??
      ({
        currency: row.currency,
        failedCount: 0,
        failedRevenueMinor: 0,
        recoveredCount: 0,
        recoveredRevenueMinor: 0,
        inProgressCount: 0,
        inProgressRevenueMinor: 0,
        lostCount: 0,
        lostRevenueMinor: 0,
        recoveryRate: 0,
      } satisfies CurrencyCohort);
    byCurrency.set(row.currency, c);
    const count = row._count._all;
    const due = row._sum.amountDueMinor ?? 0;
    c.failedCount += count;
    c.failedRevenueMinor += due;
    const outcome = outcomeOf(row.status);
    if (outcome === "recovered") {
      c.recoveredCount += count;
      c.recoveredRevenueMinor += row._sum.recoveredAmountMinor ?? 0;
    } else if (outcome === "active") {
      c.inProgressCount += count;
      c.inProgressRevenueMinor += due;
    } else {
      c.lostCount += count;
      c.lostRevenueMinor += due;
    }
  }
  return [...byCurrency.values()]
    .map((c) => ({ ...c, recoveryRate: recoveryRateOf(c.failedRevenueMinor, c.recoveredRevenueMinor) }))
    .sort((a, b) => Number(b.currency === input.reportingCurrency) - Number(a.currency === input.reportingCurrency) || b.failedRevenueMinor - a.failedRevenueMinor);
}

/**
 * The window's revenue figures. Every figure is about one cohort: the payments that failed in the
 * window (failed revenue), and what of that has been recovered so far (recovered revenue, rate).
 * Money counts only recoveries in the workspace's reporting currency (`currency`): it cannot be summed
 * across currencies; `byCurrency` gives the same cohort in every currency, never converted.
 * DunningDog's DashboardSummary is this, named its way (contracts/dunningdog).
 */
export async function getRevenueSummary(input: { workspaceId: string; window: SummaryWindow; now?: Date }) {
  const now = input.now ?? clockNow();
  const workspace = await reportingWorkspace(input.workspaceId);
  const { zone } = workspace;
  const from = windowStart(input.window, now, zone);

  const [totals, atRiskCount, activeSequences, latestSnapshot, atRiskPreview, byCurrency] = await Promise.all([
    revenueSince({ workspaceId: workspace.id, currency: workspace.currency, zone, from, now }),
    db().subscriptionAtRisk.count({ where: { workspaceId: workspace.id, resolvedAt: null } }),
    db().dunningSequence.count({ where: { workspaceId: workspace.id, isEnabled: true } }),
    db().metricSnapshot.findFirst({
      where: { workspaceId: workspace.id, currency: workspace.currency },
      orderBy: [{ periodEnd: "desc" }, { generatedAt: "desc" }],
    }),
    db().subscriptionAtRisk.findMany({
      where: { workspaceId: workspace.id, resolvedAt: null },
      orderBy: [{ riskDetectedAt: "desc" }, { id: "desc" }],
      take: 5,
    }),
    cohortByCurrency({ workspaceId: workspace.id, from, reportingCurrency: workspace.currency }),
  ]);

  return {
    workspaceId: workspace.id,
    window: input.window,
    failedRevenueMinor: totals.failedRevenueMinor,
    recoveredRevenueMinor: totals.recoveredRevenueMinor,
    recoveryRate: recoveryRateOf(totals.failedRevenueMinor, totals.recoveredRevenueMinor),
    atRiskCount,
    activeSequences,
    generatedAt: now,
    latestSnapshot,
    atRiskPreview,
    currency: workspace.currency,
    /** When the window opened (null for lifetime). */
    windowStart: from,
    byCurrency,
  };
}
