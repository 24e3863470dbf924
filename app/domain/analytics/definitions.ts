// Every analytics figure, defined once (ADR 0036, ADR 0078). Pure: no IO. The rollups
// (rollup.server.ts), the LostChurn analytics endpoints, the dashboard's breakdown and the overview
// all read their figures through these rules.
//
// - cohort: the recoveries whose payment failed (startedAt) in the range, the range being whole
//   local days in the workspace's time zone;
// - recovered: of that cohort, those recovered to date (whenever that happened);
// - terminal: of that cohort, those closed without recovery (failed or abandoned);
// - active (at risk): of that cohort, those still open; at-risk money is their amount due;
// - recovery rate: recovered / cohort, by count (LostChurn's `recovery_rate`) or by money
//   (`recoveryRateOf`, the dashboard's), never summed across currencies.
import { DateTime, IANAZone } from "luxon";

export type Outcome = "recovered" | "terminal" | "active";
export type RecoveryStatusName = "pending" | "recovered" | "failed" | "abandoned";

/** Where one recovery of a cohort stands today. */
export function outcomeOf(status: RecoveryStatusName): Outcome {
  if (status === "recovered") return "recovered";
  if (status === "pending") return "active";
  return "terminal";
}

/** The same rule over `RecoveryAttempt.status`, for the rollup's SQL (one definition, two spellings: a test keeps them equal). */
export const OUTCOME_SQL = {
  recovered: `status = 'recovered'`,
  terminal: `status IN ('failed', 'abandoned')`,
  active: `status = 'pending'`,
} as const satisfies Record<Outcome, string>;

/** recovered / failed of one cohort's money (0..1 by construction; clamped against rounding), 4 decimals. */
export function recoveryRateOf(failedMinor: number, recoveredMinor: number): number {
  if (failedMinor <= 0) return 0;
  return Math.round(Math.min(1, recoveredMinor / failedMinor) * 10_000) / 10_000;
}

/** Below this many events a rate is flagged `low_volume` and given its Wilson interval. */
export const LOW_VOLUME_EVENTS = 30;

const round3 = (x: number) => Math.round(x * 1000) / 1000;

/** A share of events, 3 decimals (LostChurn shows 0.633); null when there were no events. */
export function shareOf(part: number, whole: number): number | null {
  return whole > 0 ? round3(part / whole) : null;
}

/** The Wilson score interval at 95 % for `successes` of `n` (null when n is 0). */
export function wilson95(successes: number, n: number): [number, number] | null {
  if (n <= 0) return null;
  const z = 1.959964;
  const p = successes / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return [round3(Math.max(0, centre - half)), round3(Math.min(1, centre + half))];
}

/** A rate with what it stands on: `low_volume` and a 95 % interval when there are few events. */
export function rateFigure(part: number, whole: number): { rate: number | null; lowVolume: boolean; interval: [number, number] | null } {
  const low = whole < LOW_VOLUME_EVENTS;
  return { rate: shareOf(part, whole), lowVolume: low, interval: low ? wilson95(part, whole) : null };
}

export const GROUP_BYS = ["hour", "day", "week", "month"] as const;
export type GroupBy = (typeof GROUP_BYS)[number];

/** How many days the ranges default to (LostChurn: "30 days ago" to "Today"). */
export const DEFAULT_RANGE_DAYS = 30;
/** Longest range one request may ask for; hours are bounded tighter (a series of at most ~2 months of hours). */
export const MAX_RANGE_DAYS = 3 * 366;
export const MAX_HOURLY_DAYS = 62;

export function zoneOf(timezone: string | null | undefined): string {
  return timezone && IANAZone.isValidZone(timezone) ? timezone : "UTC";
}

export interface LocalRange {
  /** Inclusive local dates, YYYY-MM-DD. */
  startDate: string;
  endDate: string;
  /** Wall-clock bounds [from, to) as the rollups store local hours: local time written as if UTC. */
  fromLocal: Date;
  toLocal: Date;
  /** The same bounds as instants, for the rows themselves. */
  fromInstant: Date;
  toInstant: Date;
}

export type RangeProblem = { field: "start_date" | "end_date"; message: string };

/**
 * The local days [start_date, end_date] (inclusive) in `zone`; each defaults as LostChurn documents
 * (end: today, start: 30 days before the end). A problem names the field at fault.
 */
export function localRange(input: { startDate?: string; endDate?: string; zone: string; now: Date; groupBy?: GroupBy }): LocalRange | RangeProblem {
  const today = DateTime.fromJSDate(input.now, { zone: input.zone }).startOf("day");
  const parse = (value: string | undefined, field: RangeProblem["field"]) => {
    if (value === undefined) return null;
    const d = DateTime.fromISO(value, { zone: input.zone });
    return /^\d{4}-\d{2}-\d{2}$/.test(value) && d.isValid ? d.startOf("day") : ({ field, message: `${field} must be a date as YYYY-MM-DD.` } as RangeProblem);
  };
  const end = parse(input.endDate, "end_date");
  if (end && !(end instanceof DateTime)) return end;
  const endDay = end ?? today;
  const start = parse(input.startDate, "start_date");
  if (start && !(start instanceof DateTime)) return start;
  const startDay = start ?? endDay.minus({ days: DEFAULT_RANGE_DAYS });
  if (startDay > endDay) return { field: "start_date", message: "start_date must be on or before end_date." };
  const days = endDay.diff(startDay, "days").days;
  if (days > MAX_RANGE_DAYS) return { field: "start_date", message: `A range covers at most ${MAX_RANGE_DAYS} days.` };
  if (input.groupBy === "hour" && days > MAX_HOURLY_DAYS) return { field: "start_date", message: `group_by=hour covers at most ${MAX_HOURLY_DAYS} days.` };
  const wall = (d: DateTime) => new Date(`${d.toISODate()}T00:00:00.000Z`);
  const next = endDay.plus({ days: 1 });
  return {
    startDate: startDay.toISODate()!,
    endDate: endDay.toISODate()!,
    fromLocal: wall(startDay),
    toLocal: wall(next),
    fromInstant: startDay.toJSDate(),
    toInstant: next.toJSDate(),
  };
}

export function isRangeProblem(r: LocalRange | RangeProblem): r is RangeProblem {
  return "field" in r;
}

/** The local wall-clock hour an instant falls in, stored as if UTC (the rollups' `localHour`). */
export function localHourOf(at: Date, zone: string): Date {
  const local = DateTime.fromJSDate(at, { zone }).startOf("hour");
  return new Date(`${local.toFormat("yyyy-MM-dd'T'HH")}:00:00.000Z`);
}

/** The period a local hour belongs to, as its local start (ISO without offset: "2026-03-02T00:00:00"); weeks start on Monday. */
export function periodOf(localHour: Date, groupBy: GroupBy): string {
  const d = DateTime.fromJSDate(localHour, { zone: "UTC" });
  const start = groupBy === "hour" ? d.startOf("hour") : groupBy === "day" ? d.startOf("day") : groupBy === "week" ? d.startOf("week") : d.startOf("month");
  return start.toFormat("yyyy-MM-dd'T'HH:mm:ss");
}

/** Every period of the range, oldest first, so a series has a point for empty periods too. */
export function periodsOf(range: Pick<LocalRange, "fromLocal" | "toLocal">, groupBy: GroupBy): string[] {
  const out: string[] = [];
  let t = DateTime.fromJSDate(range.fromLocal, { zone: "UTC" });
  const end = DateTime.fromJSDate(range.toLocal, { zone: "UTC" });
  const step = { [groupBy]: 1 } as Record<GroupBy, number>;
  t = DateTime.fromISO(periodOf(t.toJSDate(), groupBy), { zone: "UTC" });
  while (t < end) {
    out.push(t.toFormat("yyyy-MM-dd'T'HH:mm:ss"));
    t = t.plus(step);
  }
  return out;
}

/** The money a row counts: always in one currency; `currencies` carry the rest, never converted. */
export function reportingCurrencyOf(asked: string | undefined, workspaceCurrency: string | null | undefined): string {
  return (asked ?? workspaceCurrency ?? "usd").toLowerCase();
}

/** A recipient's domain, lower case ("" when there is no address). */
export function domainOf(email: string | null | undefined): string {
  const at = email?.lastIndexOf("@") ?? -1;
  return at >= 0 ? email!.slice(at + 1).trim().toLowerCase() : "";
}

/** A decline category as the catalogue names it; a recovery without one is "unknown". */
export function categoryOf(category: string | null | undefined): string {
  return category && category.length > 0 ? category : "unknown";
}

// ---- at-risk customers (LostChurn's /analytics/at-risk-customers) ----
//
// An at-risk customer has at least one open recovery (money at risk now) or a card on file that
// expires within the next EXPIRING_CARD_DAYS (about to fail). Cohorts, each defined here once:
// - expiring_card: a card of theirs expires within EXPIRING_CARD_DAYS (CardExpiry, pre-dunning's
//   data), or an open recovery of theirs was declined because the card expired (EXPIRY_DECLINE_CODES);
// - repeat_failure: at least REPEAT_FAILURES payment failures (recoveries opened, whatever became of
//   them) in the last REPEAT_FAILURE_WINDOW_DAYS, the campaigns' own "repeated failure" window;
// - high_value: an open amount in one currency of at least HIGH_VALUE_MAJOR units of that currency
//   (500.00 usd, ¥500, 500.000 KWD): a fixed bar, the same for every workspace and every day, so
//   that membership does not move when other customers pay (a top decile would).

export const AT_RISK_COHORTS = ["all", "expiring_card", "repeat_failure", "high_value"] as const;
export type AtRiskCohort = (typeof AT_RISK_COHORTS)[number];
export const EXPIRING_CARD_DAYS = 30;
export const REPEAT_FAILURES = 2;
export const REPEAT_FAILURE_WINDOW_DAYS = 90;
export const HIGH_VALUE_MAJOR = 500;
/** Decline codes meaning the card has expired (Stripe's, Shopify's, LostChurn's spellings). */
export const EXPIRY_DECLINE_CODES = ["expired_card", "expired_payment_method", "Expired Card"] as const;

/** The last instant a card is good for: the end of its expiry month (UTC). */
export function cardExpiresAt(card: { expYear: number; expMonth: number }): Date {
  return new Date(Date.UTC(card.expYear, card.expMonth, 1));
}

/** A card expiring within the window from `at` (one already expired counts too: the next charge will fail). */
export function isExpiringCard(card: { expYear: number; expMonth: number }, at: Date): boolean {
  return cardExpiresAt(card).getTime() <= at.getTime() + EXPIRING_CARD_DAYS * 86_400_000;
}

/** The (year, month) pairs whose cards count as expiring at `at`: from a year back through the window's month. */
export function expiringCardMonths(at: Date): Array<{ expYear: number; expMonth: number }> {
  const out: Array<{ expYear: number; expMonth: number }> = [];
  const last = new Date(at.getTime() + EXPIRING_CARD_DAYS * 86_400_000);
  for (let i = -12; ; i++) {
    const d = new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + i, 1));
    if (d > last) break;
    const card = { expYear: d.getUTCFullYear(), expMonth: d.getUTCMonth() + 1 };
    if (isExpiringCard(card, at)) out.push(card);
  }
  return out;
}

/** Whether the second most recent failure (the first being the latest) puts the customer in repeat_failure at `at`. */
export function isRepeatFailure(secondFailureAt: Date | null, at: Date): boolean {
  return secondFailureAt !== null && secondFailureAt.getTime() >= repeatFailureSince(at).getTime();
}

export function repeatFailureSince(at: Date): Date {
  return new Date(at.getTime() - REPEAT_FAILURE_WINDOW_DAYS * 86_400_000);
}

/** The high-value bar in minor units of `currency`. */
export function highValueMinor(currency: string, exponentOf: (currency: string) => number): number {
  return HIGH_VALUE_MAJOR * 10 ** exponentOf(currency);
}

// ---- email health (LostChurn's /analytics/email-health) ----

/** Industry thresholds (mailbox providers' bulk-sender guidance): above them a domain is flagged. */
export const BOUNCE_RATE_LIMIT = 0.02;
export const COMPLAINT_RATE_LIMIT = 0.001;

/** An email rate: 4 decimals (a complaint rate's bar is 0.1 %), `low_volume` and a Wilson interval under 30 emails. */
export function emailRateFigure(part: number, whole: number): { rate: number | null; lowVolume: boolean; interval: [number, number] | null } {
  const low = whole < LOW_VOLUME_EVENTS;
  return { rate: whole > 0 ? Math.round((part / whole) * 10_000) / 10_000 : null, lowVolume: low, interval: low ? wilson95(part, whole) : null };
}

/** Which of the industry bars a domain's (or the workspace's) mail is above: by the exact ratio, not a rounded one. */
export function emailHealthFlags(input: { sent: number; bounced: number; complained: number }): Array<"bounce_rate_high" | "complaint_rate_high"> {
  const flags: Array<"bounce_rate_high" | "complaint_rate_high"> = [];
  if (input.sent > 0 && input.bounced / input.sent > BOUNCE_RATE_LIMIT) flags.push("bounce_rate_high");
  if (input.sent > 0 && input.complained / input.sent > COMPLAINT_RATE_LIMIT) flags.push("complaint_rate_high");
  return flags;
}
