// When a customer short of money is likely to have it again: a belief over how they are paid,
// from the pay calendars of their country, the times their own earlier payments went through and
// the retries that already failed. Pure: no clock, no IO (ADR 0052).
//
// A payday is a local date; the deposit is taken to have landed by DEPOSIT_LANDED_HOUR that morning.
// A deposit covers the debt with chance COVER_CHANCE and the money then drains away over days
// (DRAIN_DAYS); a retry that fails after a deposit says that deposit did not cover it.
import { IANAZone } from "luxon";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Payroll deposits land overnight: by this local hour the day's pay is in the account. */
export const DEPOSIT_LANDED_HOUR = 7;
/** Chance that one payday's deposit covers the failed amount (an assumption, not fitted; ADR 0052). */
const COVER_CHANCE = 0.5;
/** Mean days the money stays in the account after a payday (an assumption, not fitted; ADR 0052). */
const DRAIN_DAYS = 4;

export type PaySchedule =
  | { kind: "weekly"; weekday: number }
  | { kind: "biweekly"; weekday: number; phase: 0 | 1 }
  | { kind: "monthly"; days: readonly number[] }
  | { kind: "last_business_day" };

type Calendar = ReadonlyArray<readonly [PaySchedule, number]>;

// Weekdays as luxon numbers them: 1 = Monday … 7 = Sunday.
const THU = 4;
const FRI = 5;
const weekly = (weekday: number): PaySchedule => ({ kind: "weekly", weekday });
const biweekly = (weekday: number, phase: 0 | 1): PaySchedule => ({ kind: "biweekly", weekday, phase });
const monthly = (...days: number[]): PaySchedule => ({ kind: "monthly", days });
const LAST_BD: PaySchedule = { kind: "last_business_day" };

/**
 * How employees are paid, by country: public pay-practice figures, rounded (sources in ADR 0052).
 * Weekly and fortnightly pay falls on Friday (Thursday in Australia and New Zealand); a fortnightly
 * payroll's week is unknown, so both weeks are held equally likely until the customer's own
 * payments or failed retries tell them apart.
 */
const US: Calendar = [[weekly(FRI), 0.3], [biweekly(FRI, 0), 0.2], [biweekly(FRI, 1), 0.2], [monthly(1, 15), 0.2], [LAST_BD, 0.1]];
const CA: Calendar = [[weekly(FRI), 0.15], [biweekly(FRI, 0), 0.25], [biweekly(FRI, 1), 0.25], [monthly(1, 15), 0.2], [LAST_BD, 0.15]];
const GB: Calendar = [[LAST_BD, 0.7], [weekly(FRI), 0.2], [biweekly(FRI, 0), 0.05], [biweekly(FRI, 1), 0.05]];
const IE: Calendar = [[weekly(FRI), 0.3], [biweekly(FRI, 0), 0.1], [biweekly(FRI, 1), 0.1], [LAST_BD, 0.5]];
const EUROZONE: Calendar = [[LAST_BD, 0.65], [monthly(25), 0.2], [biweekly(FRI, 0), 0.075], [biweekly(FRI, 1), 0.075]];
const AU: Calendar = [[biweekly(THU, 0), 0.275], [biweekly(THU, 1), 0.275], [weekly(THU), 0.25], [LAST_BD, 0.2]];
const NZ: Calendar = [[weekly(THU), 0.4], [biweekly(THU, 0), 0.2], [biweekly(THU, 1), 0.2], [LAST_BD, 0.2]];
const BR: Calendar = [[monthly(5, 20), 0.6], [monthly(5), 0.4]];
const MX: Calendar = [[monthly(15, 31), 0.7], [weekly(FRI), 0.3]];
const MONTH_END_AND_25TH: Calendar = [[LAST_BD, 0.7], [monthly(25), 0.3]];
const JP: Calendar = [[monthly(25), 0.7], [LAST_BD, 0.3]];
const IN: Calendar = [[LAST_BD, 0.5], [monthly(1), 0.5]];
/** Nothing known about the country: a spread over the common patterns. */
const ANYWHERE: Calendar = [[weekly(FRI), 0.2], [biweekly(FRI, 0), 0.15], [biweekly(FRI, 1), 0.15], [monthly(1, 15), 0.2], [LAST_BD, 0.3]];

const BY_COUNTRY: Readonly<Record<string, Calendar>> = {
  US, CA, GB, IE, AU, NZ, BR, MX, JP, IN,
  ...Object.fromEntries(["DE", "FR", "ES", "IT", "NL", "BE", "AT", "PT", "FI", "LU", "GR", "SK", "SI", "EE", "LV", "LT", "HR", "CY", "MT", "PL", "CZ", "SE", "DK", "NO", "CH"].map((c) => [c, EUROZONE])),
  ...Object.fromEntries(["SG", "HK", "MY", "PH", "TH", "ID", "AE", "SA", "ZA", "KR", "TW", "CN"].map((c) => [c, MONTH_END_AND_25TH])),
};

/** The pay calendar the belief starts from: the customer's country's, else a spread. */
export function payCalendarFor(country: string | null | undefined): Calendar {
  return (country && BY_COUNTRY[country.trim().toUpperCase()]) || ANYWHERE;
}

// ---------- local dates, fast (the policy runs this many times per decision) ----------

interface LocalDay {
  /** UTC midnight of the local date: a day key that Date.UTC arithmetic can walk. */
  key: number;
  year: number;
  /** 0-based month. */
  month: number;
  day: number;
  /** luxon numbering: 1 = Monday … 7 = Sunday. */
  weekday: number;
}

function offsetMs(zone: IANAZone, ms: number): number {
  return zone.offset(ms) * 60_000;
}

function localDay(ms: number, zone: IANAZone): LocalDay {
  const d = new Date(ms + offsetMs(zone, ms));
  const year = d.getUTCFullYear();
  const month = d.getUTCMonth();
  const day = d.getUTCDate();
  return { key: Date.UTC(year, month, day), year, month, day, weekday: ((d.getUTCDay() + 6) % 7) + 1 };
}

/** The instant of local wall time `hour` on the local date `key`. */
function atLocalHour(key: number, hour: number, zone: IANAZone): number {
  const guess = key + hour * HOUR;
  const first = guess - offsetMs(zone, guess);
  return guess - offsetMs(zone, first);
}

const weekdayOf = (key: number) => ((new Date(key).getUTCDay() + 6) % 7) + 1;
/** Saturday and Sunday paydays are paid on the Friday before. */
function businessDayOnOrBefore(key: number): number {
  const wd = weekdayOf(key);
  return wd === 6 ? key - DAY : wd === 7 ? key - 2 * DAY : key;
}

// A Friday (2026-01-02): fortnightly phases count whole weeks from it. Any fixed week would do.
const PHASE_ANCHOR = Date.UTC(2026, 0, 2);

/** The schedule's paydays (day keys) from `fromKey` to `toKey`, inclusive. */
function paydayKeys(schedule: PaySchedule, fromKey: number, toKey: number): number[] {
  const out: number[] = [];
  if (schedule.kind === "weekly" || schedule.kind === "biweekly") {
    let k = fromKey;
    while (weekdayOf(k) !== schedule.weekday) k += DAY;
    if (schedule.kind === "biweekly") {
      const weeks = Math.round((k - PHASE_ANCHOR) / (7 * DAY));
      if ((((weeks + schedule.phase) % 2) + 2) % 2 !== 0) k += 7 * DAY;
    }
    const step = schedule.kind === "weekly" ? 7 * DAY : 14 * DAY;
    for (; k <= toKey; k += step) out.push(k);
    return out;
  }
  const from = new Date(fromKey);
  for (let m = -1; m <= 2 + Math.ceil((toKey - fromKey) / (28 * DAY)); m++) {
    const year = from.getUTCFullYear();
    const month = from.getUTCMonth() + m;
    const last = new Date(Date.UTC(year, month + 1, 0)).getUTCDate();
    const days = schedule.kind === "last_business_day" ? [last] : schedule.days.map((d) => Math.min(d, last));
    for (const d of days) {
      const k = businessDayOnOrBefore(Date.UTC(year, month, d));
      if (k >= fromKey && k <= toKey) out.push(k);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Deposit instants of a schedule in (from, to]. */
function depositsBetween(schedule: PaySchedule, from: number, to: number, zone: IANAZone): number[] {
  if (to <= from) return [];
  const keys = paydayKeys(schedule, localDay(from, zone).key - DAY, localDay(to, zone).key + DAY);
  return keys.map((k) => atLocalHour(k, DEPOSIT_LANDED_HOUR, zone)).filter((t) => t > from && t <= to);
}

/** The chance that a deposit of this schedule after `from` still covers the debt at `at`. */
function coverChance(schedule: PaySchedule, from: number, at: number, zone: IANAZone): number {
  let none = 1;
  for (const deposit of depositsBetween(schedule, from, at, zone)) none *= 1 - COVER_CHANCE * Math.exp(-(at - deposit) / (DRAIN_DAYS * DAY));
  return 1 - none;
}

export interface PaydayEvidence {
  /** The customer's country (ISO 3166 alpha-2), when known. */
  country: string | null | undefined;
  /** A valid IANA zone: the customer's, else the workspace's. */
  zone: string;
  /** When this debt first failed: money was short then. */
  failedAt: number;
  /** Our retries of this debt that failed, in time order. */
  failedRetries: readonly number[];
  /** When this customer's earlier payments went through (any debt). */
  paidAt: readonly number[];
}

export interface PaydayBelief {
  zone: IANAZone;
  schedules: Array<{ schedule: PaySchedule; weight: number }>;
  /** Since when a new deposit can help: the latest failed attempt. */
  since: number;
  /** How many of the customer's own payments shaped the belief. */
  ownPayments: number;
}

/** How much more likely a payment goes through just after a payday than at any other time. */
const PAID_AFTER_PAYDAY_LIKELIHOOD = 1;
/** Prior weight, per payment on it, of a pay date read from the customer's own payments (before they reweigh it). */
const OWN_DATE_WEIGHT_PER_PAYMENT = 0.25;
/** The customer's own payments a pay date must recur in to be considered (monthly day, weekday). */
const OWN_DATE_MIN_PAYMENTS = 2;

const sameSchedule = (a: PaySchedule, b: PaySchedule) => JSON.stringify(a) === JSON.stringify(b);

/**
 * Pay dates the customer's own payments point at: a day of the month, or a weekday, on which
 * at least two of them went through (a payment lands on or just after a payday).
 */
function ownPayDates(paid: readonly number[], zone: IANAZone): Array<{ schedule: PaySchedule; payments: number }> {
  const days = new Map<number, number>();
  const weekdays = new Map<number, number>();
  for (const t of paid) {
    const d = localDay(t, zone);
    days.set(d.day, (days.get(d.day) ?? 0) + 1);
    weekdays.set(d.weekday, (weekdays.get(d.weekday) ?? 0) + 1);
  }
  const out: Array<{ schedule: PaySchedule; payments: number }> = [];
  for (const [day, payments] of days) if (payments >= OWN_DATE_MIN_PAYMENTS) out.push({ schedule: monthly(day), payments });
  for (const [weekday, payments] of weekdays) if (payments >= OWN_DATE_MIN_PAYMENTS && weekday <= 5) out.push({ schedule: weekly(weekday), payments });
  return out;
}

/**
 * The belief over how this customer is paid: the country's calendar, reweighted by when their own
 * payments went through (a payment soon after a payday of a schedule makes that schedule likelier)
 * and by each failed retry (a retry that failed just after a schedule's payday makes it less likely).
 */
export function paydayBelief(evidence: PaydayEvidence): PaydayBelief {
  const zone = IANAZone.create(evidence.zone);
  const schedules = payCalendarFor(evidence.country).map(([schedule, weight]) => ({ schedule, weight }));
  const paid = evidence.paidAt.filter((t) => t < evidence.failedAt).slice(-12);
  for (const own of ownPayDates(paid, zone)) {
    if (!schedules.some((s) => sameSchedule(s.schedule, own.schedule))) schedules.push({ schedule: own.schedule, weight: OWN_DATE_WEIGHT_PER_PAYMENT * own.payments });
  }
  for (const s of schedules) {
    for (const t of paid) s.weight *= 1 + PAID_AFTER_PAYDAY_LIKELIHOOD * coverChance(s.schedule, t - 3 * DAY, t, zone);
    let from = evidence.failedAt;
    for (const t of evidence.failedRetries) {
      s.weight *= 1 - coverChance(s.schedule, from, t, zone);
      from = t;
    }
  }
  const total = schedules.reduce((sum, s) => sum + s.weight, 0) || 1;
  for (const s of schedules) s.weight /= total;
  const since = Math.max(evidence.failedAt, ...evidence.failedRetries);
  return { zone, schedules, since, ownPayments: paid.length };
}

/** The chance, under the belief, that fresh money is in the account at `at`. */
export function fundsLikelyAt(belief: PaydayBelief, at: number): number {
  let p = 0;
  for (const s of belief.schedules) p += s.weight * coverChance(s.schedule, belief.since, at, belief.zone);
  return p;
}

/** The local date of `at` as the belief's zone sees it: day of month (1–31) and weekday (1 = Monday). */
export function localDate(belief: PaydayBelief, at: number): { day: number; weekday: number } {
  const d = localDay(at, belief.zone);
  return { day: d.day, weekday: d.weekday };
}
