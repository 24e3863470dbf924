// The recovery reports LostChurn's analytics endpoints answer (seed 002, "Analytics"), read from the
// rollups (ADR 0078). Each figure is ./definitions.ts's; the contract names them (contracts/api-v1).
import { DECLINE_CATEGORIES, lookupDeclineCode } from "~/domain/recovery/decline-codes";
import { paginate, type PageRequest } from "~/domain/pagination.server";
import { db } from "~/utils/db.server";
import { rateFigure, type GroupBy } from "./definitions";
import { analyticsContext, CATEGORY_LABELS, rangeOrThrow, sumRollup, type RollupRow } from "./breakdown.server";

export interface ReportInput {
  workspaceId: string;
  livemode: boolean;
  from?: string;
  to?: string;
  currency?: string;
}

function add(rows: RollupRow[]) {
  return rows.reduce(
    (t, r) => ({ failed: t.failed + r.failed, recovered: t.recovered + r.recovered, terminal: t.terminal + r.terminal, active: t.active + r.active }),
    { failed: 0, recovered: 0, terminal: 0, active: 0 },
  );
}

/** Money per currency, the named one first: nothing dropped, nothing converted. */
function moneyByCurrency(rows: RollupRow[]) {
  const out = new Map<string, { currency: string; failed: number; recovered: number; failedMinor: number; recoveredMinor: number; activeMinor: number; active: number }>();
  for (const r of rows) {
    const c = out.get(r.currency) ?? { currency: r.currency, failed: 0, recovered: 0, failedMinor: 0, recoveredMinor: 0, activeMinor: 0, active: 0 };
    c.failed += r.failed;
    c.recovered += r.recovered;
    c.active += r.active;
    c.failedMinor += r.failedMinor;
    c.recoveredMinor += r.recoveredMinor;
    c.activeMinor += r.activeMinor;
    out.set(r.currency, c);
  }
  return [...out.values()].sort((a, b) => b.failedMinor - a.failedMinor || a.currency.localeCompare(b.currency));
}

/** LostChurn's recovery analytics: the cohort's summary, by decline category, and a series by `groupBy`. */
export async function recoveryReport(input: ReportInput & { groupBy: GroupBy; psp?: string; declineCategory?: string }) {
  const ctx = await analyticsContext(input);
  const range = rangeOrThrow({ from: input.from, to: input.to, zone: ctx.zone, groupBy: input.groupBy });
  const filter = { workspaceId: input.workspaceId, livemode: input.livemode, range, psp: input.psp, declineCategory: input.declineCategory, currency: input.currency ? ctx.currency : undefined };
  const [byCategory, byPeriod] = await Promise.all([sumRollup(filter, { segment: "decline_category" }), sumRollup(filter, { groupBy: input.groupBy })]);
  const total = add(byCategory);
  const summaryRate = rateFigure(total.recovered, total.failed);
  const categories = Object.fromEntries(
    DECLINE_CATEGORIES.map((category) => {
      const t = add(byCategory.filter((r) => r.segment === category));
      const rate = rateFigure(t.recovered, t.failed);
      return [category, { count: t.failed, recovered: t.recovered, terminal: t.terminal, active: t.active, rate: rate.rate, lowVolume: rate.lowVolume, rateInterval: rate.interval, label: CATEGORY_LABELS[category]! }];
    }),
  );
  const periods = new Map<string, ReturnType<typeof add>>();
  for (const r of byPeriod) {
    const key = r.period!.toISOString().slice(0, 19);
    const t = periods.get(key) ?? { failed: 0, recovered: 0, terminal: 0, active: 0 };
    periods.set(key, add([t as RollupRow, r]));
  }
  return {
    summary: {
      totalFailed: total.failed,
      totalRecovered: total.recovered,
      totalTerminal: total.terminal,
      totalActive: total.active,
      recoveryRate: summaryRate.rate ?? 0,
      lowVolume: summaryRate.lowVolume,
      rateInterval: summaryRate.interval,
    },
    byCategory: categories,
    series: [...periods.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([period, t]) => ({ period, ...t })),
    meta: { startDate: range.startDate, endDate: range.endDate, groupBy: input.groupBy, timezone: ctx.zone, asOf: ctx.asOf, currency: input.currency ? ctx.currency : null },
  };
}

/** LostChurn's revenue analytics: the cohort's money in one currency (its counts too), the others beside. */
export async function revenueReport(input: ReportInput) {
  const ctx = await analyticsContext(input);
  const range = rangeOrThrow({ from: input.from, to: input.to, zone: ctx.zone });
  const money = moneyByCurrency(await sumRollup({ workspaceId: input.workspaceId, livemode: input.livemode, range }));
  const mine = money.find((m) => m.currency === ctx.currency) ?? { currency: ctx.currency, failed: 0, recovered: 0, failedMinor: 0, recoveredMinor: 0, activeMinor: 0, active: 0 };
  const rate = rateFigure(mine.recovered, mine.failed);
  return {
    revenueRecovered: mine.recoveredMinor,
    revenueAtRisk: mine.activeMinor,
    revenueFailed: mine.failedMinor,
    paymentsRecovered: mine.recovered,
    paymentsFailed: mine.failed,
    paymentsActive: mine.active,
    recoveryRate: rate.rate,
    lowVolume: rate.lowVolume,
    currency: ctx.currency,
    period: { startDate: range.startDate, endDate: range.endDate },
    otherCurrencies: money
      .filter((m) => m.currency !== ctx.currency)
      .map((m) => ({ currency: m.currency, revenueRecovered: m.recoveredMinor, revenueAtRisk: m.activeMinor, revenueFailed: m.failedMinor, paymentsRecovered: m.recovered, paymentsFailed: m.failed })),
    timezone: ctx.zone,
    asOf: ctx.asOf,
  };
}

/** LostChurn's at-risk revenue: the amount due on every open recovery, whenever it failed, per currency and category. */
export async function atRiskReport(input: Omit<ReportInput, "from" | "to">) {
  const ctx = await analyticsContext(input);
  const rows = await sumRollup({ workspaceId: input.workspaceId, livemode: input.livemode, range: null }, { segment: "decline_category" });
  const money = moneyByCurrency(rows);
  const mine = money.find((m) => m.currency === ctx.currency);
  return {
    revenueAtRisk: mine?.activeMinor ?? 0,
    paymentsAtRisk: mine?.active ?? 0,
    currency: ctx.currency,
    byCategory: Object.fromEntries(
      DECLINE_CATEGORIES.map((category) => {
        const inCategory = rows.filter((r) => r.segment === category);
        return [category, { payments: add(inCategory).active, revenueAtRisk: inCategory.filter((r) => r.currency === ctx.currency).reduce((n, r) => n + r.activeMinor, 0) }];
      }),
    ),
    otherCurrencies: money.filter((m) => m.currency !== ctx.currency && m.active > 0).map((m) => ({ currency: m.currency, revenueAtRisk: m.activeMinor, paymentsAtRisk: m.active })),
    asOf: ctx.asOf,
  };
}

/** LostChurn's decline-code distribution: each code's failures in the range, its share, its recovery. */
export async function declineCodeReport(input: ReportInput & { psp?: string }) {
  const ctx = await analyticsContext(input);
  const range = rangeOrThrow({ from: input.from, to: input.to, zone: ctx.zone });
  const rows = await sumRollup({ workspaceId: input.workspaceId, livemode: input.livemode, range, psp: input.psp }, { segment: "decline_code" });
  const byCode = new Map<string, ReturnType<typeof add>>();
  for (const r of rows) byCode.set(r.segment ?? "", add([(byCode.get(r.segment ?? "") ?? { failed: 0, recovered: 0, terminal: 0, active: 0 }) as RollupRow, r]));
  const total = add(rows).failed;
  const codes = [...byCode.entries()]
    .sort(([a, x], [b, y]) => y.failed - x.failed || a.localeCompare(b))
    .map(([code, t]) => {
      const entry = code ? lookupDeclineCode(input.psp ?? null, code) : undefined;
      const rate = rateFigure(t.recovered, t.failed);
      return {
        code: code || null,
        description: entry?.description ?? (code ? null : "No decline code"),
        category: entry?.category ?? "unknown",
        count: t.failed,
        share: total > 0 ? Math.round((t.failed / total) * 1000) / 1000 : 0,
        recovered: t.recovered,
        recoveryRate: rate.rate,
        lowVolume: rate.lowVolume,
      };
    });
  return { totalFailed: total, codes, period: { startDate: range.startDate, endDate: range.endDate }, timezone: ctx.zone, asOf: ctx.asOf };
}

/** LostChurn's campaign analytics: per campaign (cursor pages, newest first), its cohort's results to date. */
export async function campaignReport(input: { workspaceId: string; livemode: boolean; page: PageRequest }) {
  const ctx = await analyticsContext(input);
  const page = await paginate(input.page, {
    find: (args) => db().dunningSequence.findMany({ ...args, where: { workspaceId: input.workspaceId, ...args.where }, select: { id: true, name: true, status: true, createdAt: true } }),
    count: () => db().dunningSequence.count({ where: { workspaceId: input.workspaceId } }),
  });
  const ids = page.items.map((c) => c.id);
  const [rows, sessions] = await Promise.all([
    ids.length ? sumRollup({ workspaceId: input.workspaceId, livemode: input.livemode, range: null }, { segment: "campaign" }) : [],
    ids.length
      ? db().campaignEnrollment.groupBy({ by: ["campaignId"], where: { workspaceId: input.workspaceId, campaignId: { in: ids } }, _count: { _all: true } })
      : [],
  ]);
  return {
    ...page,
    items: page.items.map((c) => {
      const mine = rows.filter((r) => r.segment === c.id);
      const t = add(mine);
      const rate = rateFigure(t.recovered, t.failed);
      const money = mine.filter((r) => r.currency === ctx.currency);
      return {
        campaignId: c.id,
        name: c.name,
        status: c.status,
        sessions: sessions.find((s) => s.campaignId === c.id)?._count._all ?? 0,
        payments: t.failed,
        recovered: t.recovered,
        terminal: t.terminal,
        active: t.active,
        recoveryRate: rate.rate,
        lowVolume: rate.lowVolume,
        rateInterval: rate.interval,
        revenueRecovered: money.reduce((n, r) => n + r.recoveredMinor, 0),
        currency: ctx.currency,
        createdAt: c.createdAt,
      };
    }),
  };
}
