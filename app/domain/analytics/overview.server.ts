import { now as clockNow } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { getDashboardStats } from "./stats.server";
import { getDashboardSummary, type SummaryWindow } from "./summary.server";

/**
 * The dashboard overview's numbers: the summary for the chosen window, what is still at stake
 * (the amount due on open recoveries, in the reporting currency), the retries under way, and
 * the last 30 days of failed vs recovered per day.
 */
export async function getOverview(input: { workspaceId: string; window: SummaryWindow; now?: Date }) {
  const now = input.now ?? clockNow();
  const [summary, { stats, dailyTrend }] = await Promise.all([
    getDashboardSummary({ workspaceId: input.workspaceId, window: input.window, now }),
    getDashboardStats({ workspaceId: input.workspaceId, now }),
  ]);
  const atRisk = await db().recoveryAttempt.aggregate({
    where: { workspaceId: input.workspaceId, status: "pending", currency: summary.currency },
    _sum: { amountDueCents: true },
    _count: { _all: true },
  });
  return {
    summary,
    atRiskRevenueCents: atRisk._sum.amountDueCents ?? 0,
    openRecoveries: atRisk._count._all,
    activeRetries: stats.activeRetries,
    trend: dailyTrend.map((d) => ({ date: d.date, failed: d.failed, recovered: d.recovered })),
  };
}
