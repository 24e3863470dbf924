// LostChurn's email analytics (seed 002, "Email Health", "Email Engagement"; ADR 0078), read from
// EmailRollup (per local hour of sending × mode × campaign × recipient domain): deliverability with
// per-domain signals, and engagement. Rates are definitions.ts's (counts beside them, low_volume and
// a Wilson interval under 30 emails, industry bars for the flags).
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { Prisma } from "../../../generated/prisma/client";
import { BOUNCE_RATE_LIMIT, COMPLAINT_RATE_LIMIT, emailHealthFlags, emailRateFigure, periodOf, periodsOf, type GroupBy } from "./definitions";
import { analyticsContext, rangeOrThrow } from "./breakdown.server";

interface EmailSums {
  key: string | null;
  sent: number;
  delivered: number;
  bounced: number;
  complained: number;
  opened: number;
  clicked: number;
  unsubscribed: number;
}

const GROUP_SQL: Record<GroupBy, string> = {
  hour: `"localHour"`,
  day: `"localDay"`,
  week: `date_trunc('week', "localDay")`,
  month: `date_trunc('month', "localDay")`,
};

/** Sums of the email rollup in the range by `by` (a column or a period): the hourly rows when by the hour, else the daily ones. */
async function sumEmails(filter: { workspaceId: string; livemode: boolean; from: Date; to: Date; campaignId?: string }, by: string, hourly = false): Promise<EmailSums[]> {
  const campaign = filter.campaignId !== undefined ? Prisma.sql`AND "campaignId" = ${filter.campaignId}` : Prisma.empty;
  const [table, time] = hourly ? [`"EmailRollup"`, `"localHour"`] : [`"EmailDailyRollup"`, `"localDay"`];
  const rows = await db().$queryRaw<Array<Record<string, unknown>>>`
    SELECT ${Prisma.raw(by)} AS key, sum(sent)::int AS sent, sum(delivered)::int AS delivered, sum(bounced)::int AS bounced,
      sum(complained)::int AS complained, sum(opened)::int AS opened, sum(clicked)::int AS clicked, sum(unsubscribed)::int AS unsubscribed
    FROM ${Prisma.raw(table)}
    WHERE "workspaceId" = ${filter.workspaceId} AND livemode = ${filter.livemode} AND ${Prisma.raw(time)} >= ${filter.from} AND ${Prisma.raw(time)} < ${filter.to} ${campaign}
    GROUP BY 1`;
  return rows.map((r) => ({
    key: r.key instanceof Date ? r.key.toISOString() : ((r.key as string | null) ?? null),
    sent: Number(r.sent),
    delivered: Number(r.delivered),
    bounced: Number(r.bounced),
    complained: Number(r.complained),
    opened: Number(r.opened),
    clicked: Number(r.clicked),
    unsubscribed: Number(r.unsubscribed),
  }));
}

const zero = (key: string | null): EmailSums => ({ key, sent: 0, delivered: 0, bounced: 0, complained: 0, opened: 0, clicked: 0, unsubscribed: 0 });
const total = (rows: EmailSums[]) =>
  rows.reduce(
    (t, r) => ({ ...t, sent: t.sent + r.sent, delivered: t.delivered + r.delivered, bounced: t.bounced + r.bounced, complained: t.complained + r.complained, opened: t.opened + r.opened, clicked: t.clicked + r.clicked, unsubscribed: t.unsubscribed + r.unsubscribed }),
    zero(null),
  );

function deliverability(t: EmailSums) {
  return {
    sent: t.sent,
    delivered: t.delivered,
    bounced: t.bounced,
    complained: t.complained,
    deliveryRate: emailRateFigure(t.delivered, t.sent),
    bounceRate: emailRateFigure(t.bounced, t.sent),
    complaintRate: emailRateFigure(t.complained, t.sent),
  };
}

/** Deliverability in the range: totals and rates, a series by `groupBy`, and per recipient domain its signals and flags. */
export async function emailHealthReport(input: { workspaceId: string; livemode: boolean; from?: string; to?: string; groupBy: GroupBy }) {
  const ctx = await analyticsContext(input);
  const range = rangeOrThrow({ from: input.from, to: input.to, zone: ctx.zone, groupBy: input.groupBy });
  const filter = { workspaceId: input.workspaceId, livemode: input.livemode, from: range.fromLocal, to: range.toLocal };
  const [byPeriod, byDomain, suppressions] = await Promise.all([
    sumEmails(filter, GROUP_SQL[input.groupBy], input.groupBy === "hour"),
    sumEmails(filter, `"recipientDomain"`, input.groupBy === "hour"),
    // Addresses suppressed now (hard bounces, complaints, unsubscribes, manual), by domain: whichever mode mailed them.
    db().$queryRaw<Array<{ domain: string; n: number }>>`
      SELECT lower(split_part(email, '@', 2)) AS domain, count(*)::int AS n FROM "EmailSuppression"
      WHERE "workspaceId" = ${input.workspaceId} AND active GROUP BY 1`,
  ]);
  const t = total(byPeriod);
  const periods = new Map(byPeriod.map((r) => [periodOf(new Date(r.key!), input.groupBy), r]));
  const suppressedOf = new Map(suppressions.map((s) => [s.domain, s.n]));
  const domains = byDomain
    .map((d) => ({ ...deliverability(d), domain: d.key ?? "", suppressed: suppressedOf.get(d.key ?? "") ?? 0, flags: emailHealthFlags(d) }))
    .sort((a, b) => b.sent - a.sent || a.domain.localeCompare(b.domain));
  return {
    ...deliverability(t),
    flags: emailHealthFlags(t),
    thresholds: { bounceRate: BOUNCE_RATE_LIMIT, complaintRate: COMPLAINT_RATE_LIMIT },
    suppressedAddresses: suppressions.reduce((n, s) => n + s.n, 0),
    series: periodsOf(range, input.groupBy).map((period) => {
      const p = periods.get(period) ?? zero(period);
      return { period, sent: p.sent, delivered: p.delivered, bounced: p.bounced, complained: p.complained, bounceRate: emailRateFigure(p.bounced, p.sent).rate, complaintRate: emailRateFigure(p.complained, p.sent).rate };
    }),
    domains,
    meta: { startDate: range.startDate, endDate: range.endDate, groupBy: input.groupBy, timezone: ctx.zone, asOf: ctx.asOf },
  };
}

function engagement(t: EmailSums) {
  return {
    sent: t.sent,
    delivered: t.delivered,
    opened: t.opened,
    clicked: t.clicked,
    unsubscribed: t.unsubscribed,
    openRate: emailRateFigure(t.opened, t.delivered),
    clickRate: emailRateFigure(t.clicked, t.delivered),
    unsubscribeRate: emailRateFigure(t.unsubscribed, t.delivered),
  };
}

/** Engagement in the range (rates of the delivered emails), overall and per campaign; `campaignId` narrows both to one campaign. */
export async function emailEngagementReport(input: { workspaceId: string; livemode: boolean; from?: string; to?: string; campaignId?: string }) {
  if (input.campaignId) {
    const campaign = await db().dunningSequence.findFirst({ where: { id: input.campaignId, workspaceId: input.workspaceId }, select: { id: true } });
    if (!campaign) throw new AppError("campaign_not_found", "No campaign with this id in this workspace.");
  }
  const ctx = await analyticsContext(input);
  const range = rangeOrThrow({ from: input.from, to: input.to, zone: ctx.zone });
  const byCampaign = await sumEmails({ workspaceId: input.workspaceId, livemode: input.livemode, from: range.fromLocal, to: range.toLocal, campaignId: input.campaignId }, `"campaignId"`);
  const names = await db().dunningSequence.findMany({ where: { workspaceId: input.workspaceId, id: { in: byCampaign.map((c) => c.key ?? "").filter(Boolean) } }, select: { id: true, name: true } });
  const nameOf = new Map(names.map((n) => [n.id, n.name]));
  return {
    ...engagement(total(byCampaign)),
    campaignId: input.campaignId ?? null,
    campaigns: byCampaign
      .map((c) => ({ campaignId: c.key || null, name: c.key ? (nameOf.get(c.key) ?? null) : null, ...engagement(c) }))
      .sort((a, b) => b.sent - a.sent || (a.campaignId ?? "").localeCompare(b.campaignId ?? "")),
    meta: { startDate: range.startDate, endDate: range.endDate, timezone: ctx.zone, asOf: ctx.asOf },
  };
}
