// Revive's `/api/dashboard/stats` (004_…txt): money in major units, rates in percent.
import { getRecoveryStats } from "~/domain/analytics/stats.server";
import { currencyExponent } from "~/utils/money";

export function toMajorUnits(minor: number, currency: string): number {
  return Math.round(minor) / 10 ** currencyExponent(currency);
}

const percent = (part: number, whole: number) => (whole > 0 ? Math.round((part / whole) * 1000) / 10 : 0);

/**
 * Counts cover every currency; money (totalRecovered, mrrSaved, dailyTrend.amount) only the
 * workspace's reporting currency, named in `stats.currency` (an extra).
 *
 * recoveryRate: recovered recoveries / closed ones, lifetime. The month's figures are one cohort,
 * the payments that failed this month (ADR 0036): mrrSaved is what of them was recovered so far,
 * churnPrevented of those already closed, the share that recovered (each a subscription that would
 * have lapsed).
 */
export async function getDashboardStats(input: { workspaceId: string; accountId?: string; now?: Date }) {
  const s = await getRecoveryStats(input);
  return {
    stats: {
      totalRecovered: toMajorUnits(s.recoveredMinor, s.currency),
      recoveryRate: percent(s.recoveredCount, s.closedCount),
      activeRetries: s.activeRetries,
      dunningCount: s.messagesSentThisMonth,
      failedThisMonth: s.failedThisMonth,
      recoveredThisMonth: s.recoveredThisMonth,
      mrrSaved: toMajorUnits(s.recoveredThisMonthMinor, s.currency),
      churnPrevented: percent(s.recoveredThisMonth, s.closedThisMonth),
      currency: s.currency,
    },
    dailyTrend: s.dailyTrend.map((d) => ({ date: d.date, recovered: d.recovered, failed: d.failed, amount: toMajorUnits(d.amountMinor, s.currency) })),
    dbHealth: { status: "connected" as const },
  };
}
