// Recovery figures read from the rollups (ADR 0078): the dashboard's charts and LostChurn's
// /api/v1/analytics endpoints. Every figure follows ./definitions.ts; counts cover every currency
// unless one is named, money is always in one currency (`currency`, default the workspace's
// reporting currency) and the other currencies' money is listed beside it, never converted.
import { Prisma } from "../../../generated/prisma/client";
import { AppError } from "~/domain/errors";
import { DECLINE_CATEGORIES, lookupDeclineCode } from "~/domain/recovery/decline-codes";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { isRangeProblem, localRange, periodOf, periodsOf, reportingCurrencyOf, shareOf, type GroupBy, type LocalRange } from "./definitions";
import { rollupFreshness } from "./rollup.server";

export type BreakdownSegment = "decline_category" | "psp" | "campaign" | "decline_code";

/** The category's words, for labels. */
export const CATEGORY_LABELS: Readonly<Record<string, string>> = {
  soft_retry: "Soft decline (retry)",
  hard_customer: "Customer action needed",
  terminal: "Terminal decline",
  unknown: "Unknown reason",
};

const SEGMENT_COLUMN: Record<BreakdownSegment, string> = {
  decline_category: `"declineCategory"`,
  psp: `psp`,
  campaign: `"campaignId"`,
  decline_code: `"declineCode"`,
};
const PERIOD_SQL: Record<GroupBy, string> = {
  hour: `"localHour"`,
  day: `"localDay"`,
  week: `date_trunc('week', "localDay")`,
  month: `date_trunc('month', "localDay")`,
};

/**
 * Which rollup answers: by the hour, the hourly rows; over all time by category or campaign, the
 * all-time totals (a few rows per currency); anything else, the daily rows (ADR 0078).
 */
function rollupTable(filter: RollupFilter, by: { groupBy?: GroupBy; segment?: BreakdownSegment }): { table: string; time: string } {
  if (by.groupBy === "hour") return { table: `"RecoveryRollup"`, time: `"localHour"` };
  const totals = !filter.range && !by.groupBy && !filter.psp && (by.segment === undefined || by.segment === "decline_category" || by.segment === "campaign");
  if (totals) return { table: `"RecoveryTotal"`, time: "" };
  return { table: `"RecoveryDailyRollup"`, time: `"localDay"` };
}

export interface RollupFilter {
  workspaceId: string;
  livemode: boolean;
  range: Pick<LocalRange, "fromLocal" | "toLocal"> | null;
  psp?: string;
  declineCategory?: string;
  campaignId?: string;
  /** Counts of this currency only (money is always per currency). */
  currency?: string;
}

export interface RollupRow {
  period: Date | null;
  segment: string | null;
  currency: string;
  failed: number;
  recovered: number;
  terminal: number;
  active: number;
  failedMinor: number;
  recoveredMinor: number;
  activeMinor: number;
}

/** Sums of the rollup rows matching `filter`, per currency and by the asked period and segment. */
export async function sumRollup(filter: RollupFilter, by: { groupBy?: GroupBy; segment?: BreakdownSegment } = {}): Promise<RollupRow[]> {
  const source = rollupTable(filter, by);
  const time = Prisma.raw(source.time);
  const conds: Prisma.Sql[] = [Prisma.sql`"workspaceId" = ${filter.workspaceId}`, Prisma.sql`livemode = ${filter.livemode}`];
  if (filter.range) conds.push(Prisma.sql`${time} >= ${filter.range.fromLocal} AND ${time} < ${filter.range.toLocal}`);
  if (filter.psp) conds.push(Prisma.sql`psp = ${filter.psp}`);
  if (filter.declineCategory) conds.push(Prisma.sql`"declineCategory" = ${filter.declineCategory}`);
  if (filter.campaignId) conds.push(Prisma.sql`"campaignId" = ${filter.campaignId}`);
  if (filter.currency) conds.push(Prisma.sql`currency = ${filter.currency}`);
  const period = Prisma.raw(by.groupBy ? PERIOD_SQL[by.groupBy] : "NULL::timestamp");
  const segment = Prisma.raw(by.segment ? SEGMENT_COLUMN[by.segment] : "NULL::text");
  const rows = await db().$queryRaw<Array<Record<string, unknown>>>`
    SELECT ${period} AS period, ${segment} AS segment, currency,
      sum("failedCount")::int AS failed, sum("recoveredCount")::int AS recovered, sum("terminalCount")::int AS terminal,
      sum("activeCount")::int AS active, sum("failedMinor")::bigint AS "failedMinor", sum("recoveredMinor")::bigint AS "recoveredMinor",
      sum("activeMinor")::bigint AS "activeMinor"
    FROM ${Prisma.raw(source.table)} WHERE ${Prisma.join(conds, " AND ")}
    GROUP BY 1, 2, 3`;
  return rows.map((r) => ({
    period: (r.period as Date | null) ?? null,
    segment: (r.segment as string | null) ?? null,
    currency: r.currency as string,
    failed: Number(r.failed),
    recovered: Number(r.recovered),
    terminal: Number(r.terminal),
    active: Number(r.active),
    failedMinor: Number(r.failedMinor),
    recoveredMinor: Number(r.recoveredMinor),
    activeMinor: Number(r.activeMinor),
  }));
}

/** The workspace's zone and reporting currency, and how fresh the rollups are (ADR 0081: a read never rolls up). */
export async function analyticsContext(input: { workspaceId: string; currency?: string }) {
  const workspace = await db().workspace.findUnique({ where: { id: input.workspaceId }, select: { currency: true } });
  if (!workspace) throw new AppError("not_found", "No such workspace.");
  const { asOf, zone } = await rollupFreshness({ workspaceId: input.workspaceId });
  return { zone, asOf, currency: reportingCurrencyOf(input.currency, workspace.currency) };
}

/** The range of local days asked, or a validation error naming the field. */
export function rangeOrThrow(input: { from?: string; to?: string; zone: string; groupBy?: GroupBy }): LocalRange {
  const range = localRange({ startDate: input.from, endDate: input.to, zone: input.zone, now: now(), groupBy: input.groupBy });
  if (isRangeProblem(range)) {
    throw new AppError("validation_failed", `query.${range.field}: ${range.message}`, { errors: [{ path: `query.${range.field}`, message: range.message }] });
  }
  return range;
}

/** The words for a segment's key: the campaign's name, the decline code's description, the category's words. */
async function labelsFor(workspaceId: string, segment: BreakdownSegment, keys: string[]): Promise<Map<string, string>> {
  const labels = new Map<string, string>();
  if (segment === "campaign") {
    const campaigns = await db().dunningSequence.findMany({ where: { workspaceId, id: { in: keys.filter(Boolean) } }, select: { id: true, name: true } });
    for (const c of campaigns) labels.set(c.id, c.name);
    labels.set("", "No campaign");
  }
  for (const key of keys) {
    if (labels.has(key)) continue;
    if (segment === "decline_category") labels.set(key, CATEGORY_LABELS[key] ?? key);
    else if (segment === "decline_code") labels.set(key, key ? (lookupDeclineCode(null, key)?.description ?? key) : "No decline code");
    else if (segment === "psp") labels.set(key, key.charAt(0).toUpperCase() + key.slice(1));
    else labels.set(key, key || "None");
  }
  return labels;
}

/**
 * The cohort of the local days [from, to] by period and segment: per period, each segment's failed,
 * recovered and terminal counts and its failed and recovered money (in `currency`); totals per
 * segment over the range. Periods are local starts ("2026-03-02T00:00:00"), every period present.
 */
export async function recoveryBreakdown(input: {
  workspaceId: string;
  livemode: boolean;
  from: string;
  to: string;
  groupBy: "hour" | "day" | "week" | "month";
  segmentBy: BreakdownSegment;
  currency?: string;
}): Promise<{
  timezone: string;
  currency: string;
  asOf: string;
  series: Array<{ period: string; segments: Array<{ key: string; label: string; failed: number; recovered: number; terminal: number; failedMinor: number; recoveredMinor: number }> }>;
  totals: Array<{ key: string; label: string; failed: number; recovered: number; rate: number | null; failedMinor: number; recoveredMinor: number }>;
}> {
  const ctx = await analyticsContext({ workspaceId: input.workspaceId, currency: input.currency });
  // "" means the default, as LostChurn's omitted parameter does (30 days to today).
  const range = rangeOrThrow({ from: input.from || undefined, to: input.to || undefined, zone: ctx.zone, groupBy: input.groupBy });
  const rows = await sumRollup(
    { workspaceId: input.workspaceId, livemode: input.livemode, range, currency: input.currency ? ctx.currency : undefined },
    { groupBy: input.groupBy, segment: input.segmentBy },
  );
  const keyOf = (r: RollupRow) => r.segment ?? "";
  const rawKeys = [...new Set(rows.map(keyOf))];
  if (input.segmentBy === "decline_category") for (const c of DECLINE_CATEGORIES) if (!rawKeys.includes(c)) rawKeys.push(c);
  const labels = await labelsFor(input.workspaceId, input.segmentBy, rawKeys);
  const publicKey = (k: string) => (k === "" && (input.segmentBy === "campaign" || input.segmentBy === "decline_code") ? "none" : k);
  const zero = () => ({ failed: 0, recovered: 0, terminal: 0, failedMinor: 0, recoveredMinor: 0 });
  const cells = new Map<string, Map<string, ReturnType<typeof zero>>>();
  const totals = new Map<string, ReturnType<typeof zero>>(rawKeys.map((k) => [k, zero()]));
  for (const r of rows) {
    const period = periodOf(r.period!, input.groupBy);
    const key = keyOf(r);
    const inPeriod = cells.get(period) ?? new Map<string, ReturnType<typeof zero>>();
    cells.set(period, inPeriod);
    for (const target of [inPeriod.get(key) ?? zero(), totals.get(key)!]) {
      target.failed += r.failed;
      target.recovered += r.recovered;
      target.terminal += r.terminal;
      if (r.currency === ctx.currency) {
        target.failedMinor += r.failedMinor;
        target.recoveredMinor += r.recoveredMinor;
      }
      if (target !== totals.get(key)) inPeriod.set(key, target);
    }
  }
  const ordered = rawKeys.sort((a, b) => totals.get(b)!.failed - totals.get(a)!.failed || a.localeCompare(b));
  return {
    timezone: ctx.zone,
    currency: ctx.currency,
    asOf: ctx.asOf.toISOString(),
    series: periodsOf(range, input.groupBy).map((period) => ({
      period,
      segments: ordered.map((key) => {
        const c = cells.get(period)?.get(key) ?? zero();
        return { key: publicKey(key), label: labels.get(key) ?? key, failed: c.failed, recovered: c.recovered, terminal: c.terminal, failedMinor: c.failedMinor, recoveredMinor: c.recoveredMinor };
      }),
    })),
    totals: ordered.map((key) => {
      const t = totals.get(key)!;
      return { key: publicKey(key), label: labels.get(key) ?? key, failed: t.failed, recovered: t.recovered, rate: shareOf(t.recovered, t.failed), failedMinor: t.failedMinor, recoveredMinor: t.recoveredMinor };
    }),
  };
}
