// /dashboard/analytics, server side: failed vs recovered by decline code and by campaign over a
// range of the workspace's local days, from the analytics module's breakdown (never aggregated
// here), and the same figures over time.
import { z } from "zod";
import { recoveryBreakdown } from "~/domain/analytics/breakdown.server";
import { GROUP_BYS } from "~/domain/analytics/definitions";
import { AppError } from "~/domain/errors";

const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const blankIsAbsent = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

/** A hand-edited value is the default, not an error page. */
export const AnalyticsQuerySchema = z.object({
  from: z.preprocess(blankIsAbsent, day.optional()).catch(undefined),
  to: z.preprocess(blankIsAbsent, day.optional()).catch(undefined),
  groupBy: z.enum(GROUP_BYS).catch("day"),
  mode: z.enum(["live", "test"]).catch("live"),
});
export type AnalyticsQuery = z.infer<typeof AnalyticsQuerySchema>;

type Breakdown = Awaited<ReturnType<typeof recoveryBreakdown>>;

/** Per period, every segment together: the line chart's failed and recovered. */
function overTime(breakdown: Breakdown) {
  return breakdown.series.map((p) => ({
    period: p.period,
    failed: p.segments.reduce((n, s) => n + s.failed, 0),
    recovered: p.segments.reduce((n, s) => n + s.recovered, 0),
  }));
}

export async function loadAnalyticsPage(input: { workspaceId: string; url: URL }) {
  const query = AnalyticsQuerySchema.parse(Object.fromEntries(input.url.searchParams));
  const ask = (q: AnalyticsQuery, segmentBy: "decline_code" | "campaign") =>
    recoveryBreakdown({ workspaceId: input.workspaceId, livemode: q.mode === "live", from: q.from ?? "", to: q.to ?? "", groupBy: q.groupBy, segmentBy });
  let problem: string | null = null;
  let used = query;
  // The by-code read first: a range it refuses falls back to the default range, which the by-campaign read then uses too.
  let byCode: Breakdown;
  try {
    byCode = await ask(query, "decline_code");
  } catch (error) {
    // A range the breakdown refuses (backwards, too long, hourly over months): say why, show the default.
    if (!(error instanceof AppError && error.code === "validation_failed")) throw error;
    problem = error.message.replace(/^query\.\w+: /, "");
    used = { ...query, from: undefined, to: undefined, groupBy: "day" };
    byCode = await ask(used, "decline_code");
  }
  const byCampaign = await ask(used, "campaign");
  return {
    query,
    problem,
    timezone: byCode.timezone,
    currency: byCode.currency,
    asOf: byCode.asOf,
    overTime: overTime(byCode),
    declineCodes: byCode.totals,
    campaigns: byCampaign.totals,
  };
}

export type AnalyticsPageData = Awaited<ReturnType<typeof loadAnalyticsPage>>;
