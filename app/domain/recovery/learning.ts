// What a workspace's own retries teach the policy: success by decline code, customer-local hour,
// weekday and day of the month. Pure: the rows come from learning.server.ts.
import { DateTime } from "luxon";

/** Decided Recoup retries (succeeded or declined) and how many succeeded. */
export interface Rate {
  attempts: number;
  successes: number;
}

export interface LearnedRates {
  /** Decided Recoup retries counted, and the period they span. */
  attempts: number;
  from: Date;
  to: Date;
  overall: Rate;
  /** By the decline code the retry followed (lower case). */
  byDeclineCode: Record<string, Rate>;
  /** By the customer's local hour of the retry, 0–23. */
  byLocalHour: Rate[];
  /** By the customer's local weekday of the retry, index 0 = Monday … 6 = Sunday. */
  byWeekday: Rate[];
  /** By the customer's local day of the month of the retry, index 0 = the 1st … 30 = the 31st. */
  byDayOfMonth: Rate[];
}

// "Enough data" (ADR 0050). A retry succeeds roughly one time in four to three in ten; the standard
// error of a proportion p over n tries is √(p(1−p)/n):
// - 500 retries overall: √(0.3·0.7/500) ≈ 0.020, the workspace's own rate to ±7 % (relative), a
//   reference steady enough to measure buckets against;
// - 30 in a bucket: √(0.3·0.7/30) ≈ 0.084 (±28 %), below which a bucket's count says nothing an
//   hour-to-hour difference could be told from, so it stays on the prior (factor 1);
// - above that, the bucket's rate is shrunk toward the overall one by a Beta prior worth 50 retries:
//   at 50 (SE ≈ 0.065) the data and the prior weigh the same; at 450 the data weighs 90 %.
/** Decided retries a workspace needs before anything it learned is used. */
export const LEARNING_MIN_ATTEMPTS = 500;
/** Retries a bucket (an hour, weekday, day of the month or decline code) needs before it moves from the prior. */
export const LEARNING_MIN_BUCKET_ATTEMPTS = 30;
/** Strength of the Beta prior centred on the workspace's overall rate, in retries. */
export const LEARNING_PRIOR_STRENGTH = 50;

/** One decided Recoup retry, as learning.server.ts reads it. */
export interface RetryOutcome {
  attemptedAt: Date;
  succeeded: boolean;
  /** The code of the failure this retry followed (any case), null when none was reported. */
  declineCode: string | null;
}

const emptyRates = (n: number): Rate[] => Array.from({ length: n }, () => ({ attempts: 0, successes: 0 }));

function count(rate: Rate, succeeded: boolean) {
  rate.attempts += 1;
  if (succeeded) rate.successes += 1;
}

/**
 * Counts decided retries by decline code and by the customer's local hour, weekday and day of the
 * month; `zoneOf` names the IANA zone of each row (the customer's, else the workspace's). An unknown
 * zone counts in UTC. Null when there is no row.
 */
export function learnRates<R extends RetryOutcome>(rows: readonly R[], zoneOf: (row: R) => string): LearnedRates | null {
  if (rows.length === 0) return null;
  const learned: LearnedRates = {
    attempts: 0,
    from: rows[0]!.attemptedAt,
    to: rows[0]!.attemptedAt,
    overall: { attempts: 0, successes: 0 },
    byDeclineCode: {},
    byLocalHour: emptyRates(24),
    byWeekday: emptyRates(7),
    byDayOfMonth: emptyRates(31),
  };
  for (const row of rows) {
    let local = DateTime.fromJSDate(row.attemptedAt, { zone: zoneOf(row) });
    if (!local.isValid) local = DateTime.fromJSDate(row.attemptedAt, { zone: "utc" });
    learned.attempts += 1;
    if (row.attemptedAt < learned.from) learned.from = row.attemptedAt;
    if (row.attemptedAt > learned.to) learned.to = row.attemptedAt;
    count(learned.overall, row.succeeded);
    count(learned.byLocalHour[local.hour]!, row.succeeded);
    count(learned.byWeekday[local.weekday - 1]!, row.succeeded);
    count(learned.byDayOfMonth[local.day - 1]!, row.succeeded);
    const code = row.declineCode?.trim().toLowerCase();
    if (code) count((learned.byDeclineCode[code] ??= { attempts: 0, successes: 0 }), row.succeeded);
  }
  return learned;
}

/** The overall rate buckets are measured against; null below the threshold or when every retry went the same way. */
function overallRate(learned: LearnedRates | null | undefined): number | null {
  if (!learned || learned.overall.attempts < LEARNING_MIN_ATTEMPTS) return null;
  const { attempts, successes } = learned.overall;
  if (successes === 0 || successes === attempts) return null;
  return successes / attempts;
}

/** A bucket's success rate shrunk toward `prior`; `prior` itself while the bucket is too small. */
function shrunk(rate: Rate | undefined, prior: number): number {
  if (!rate || rate.attempts < LEARNING_MIN_BUCKET_ATTEMPTS) return prior;
  return (rate.successes + LEARNING_PRIOR_STRENGTH * prior) / (rate.attempts + LEARNING_PRIOR_STRENGTH);
}

function factors(learned: LearnedRates | null | undefined, buckets: (l: LearnedRates) => Rate[]): number[] | null {
  const prior = overallRate(learned);
  if (prior === null) return null;
  return buckets(learned!).map((rate) => shrunk(rate, prior) / prior);
}

/** Per customer-local hour (0–23): how much likelier a retry then succeeds than the workspace's average; null until there is enough. */
export function hourFactors(learned: LearnedRates | null | undefined): number[] | null {
  return factors(learned, (l) => l.byLocalHour);
}

/** Per customer-local weekday (0 = Monday … 6 = Sunday), as hourFactors. */
export function weekdayFactors(learned: LearnedRates | null | undefined): number[] | null {
  return factors(learned, (l) => l.byWeekday);
}

/** Per customer-local day of the month (0 = the 1st … 30 = the 31st), as hourFactors. */
export function dayOfMonthFactors(learned: LearnedRates | null | undefined): number[] | null {
  return factors(learned, (l) => l.byDayOfMonth);
}

/** The shrunk success rate of retries after `code` (any case); null until the workspace and the code have enough retries. */
export function declineCodeRate(learned: LearnedRates | null | undefined, code: string | null): number | null {
  const prior = overallRate(learned);
  const rate = code ? learned?.byDeclineCode[code.trim().toLowerCase()] : undefined;
  if (prior === null || !rate || rate.attempts < LEARNING_MIN_BUCKET_ATTEMPTS) return null;
  return shrunk(rate, prior);
}

/** A factor this far above 1 is worth telling the merchant about (a 5 % better chance). */
const NOTABLE_FACTOR = 1.05;

/** The buckets (indices) whose factor is notably above 1, best first, at most `limit`. */
export function bestBuckets(factors: number[] | null, limit = 3): number[] {
  if (!factors) return [];
  return factors
    .map((factor, index) => ({ factor, index }))
    .filter((b) => b.factor >= NOTABLE_FACTOR)
    .sort((a, b) => b.factor - a.factor || a.index - b.index)
    .slice(0, limit)
    .map((b) => b.index);
}

/** Learned rates as JSON stores them (dates as ISO strings) and back. */
export function ratesToJson(learned: LearnedRates): Record<string, unknown> {
  return { ...learned, from: learned.from.toISOString(), to: learned.to.toISOString() };
}

export function ratesFromJson(json: unknown): LearnedRates | null {
  if (!json || typeof json !== "object") return null;
  const stored = json as Omit<LearnedRates, "from" | "to"> & { from: string; to: string };
  return { ...stored, from: new Date(stored.from), to: new Date(stored.to) };
}
