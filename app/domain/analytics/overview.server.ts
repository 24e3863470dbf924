import { now as clockNow } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { reportingWorkspace } from "./snapshots.server";
import { dailyTrend } from "./stats.server";
import { getRevenueSummary, type SummaryWindow } from "./summary.server";

/**
 * The dashboard overview's numbers: the summary for the chosen window, what is still at stake
 * (the amount due on open recoveries, in the reporting currency), the retries under way, and
 * the last 30 days of failed vs recovered per day.
 */
export async function getOverview(input: { workspaceId: string; window: SummaryWindow; now?: Date }) {
  const now = input.now ?? clockNow();
  const { workspaceId } = input;
  const workspace = await reportingWorkspace(workspaceId);
  const [summary, trend, activeRetries, atRisk] = await Promise.all([
    getRevenueSummary({ workspaceId, window: input.window, now }),
    dailyTrend({ workspaceId, currency: workspace.currency, zone: workspace.zone, now }),
    db().recovery.count({ where: { workspaceId, status: "pending", nextActionKind: "retry" } }),
    db().recovery.aggregate({
      where: { workspaceId, status: "pending", currency: workspace.currency },
      _sum: { amountDueMinor: true },
      _count: { _all: true },
    }),
  ]);
  return {
    summary,
    atRiskRevenueMinor: atRisk._sum.amountDueMinor ?? 0,
    openRecoveries: atRisk._count._all,
    activeRetries,
    trend: trend.map((d) => ({ date: d.date, failed: d.failed, recovered: d.recovered })),
  };
}
