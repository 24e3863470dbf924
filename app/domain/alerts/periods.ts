// When a digest is due and what it covers (ADR 0077), in the workspace's time zone: a daily digest
// at 08:00 local covers the previous local day; a weekly one at 08:00 local on Monday covers the
// previous local week, Monday to Sunday. Pure: the alert-digests job asks it on every run.
import { DateTime } from "luxon";

export const DIGEST_HOUR = 8;

export interface DigestPeriod {
  /** Inclusive. */
  start: Date;
  /** Exclusive: the local midnight the digest's day (or week) ends. */
  end: Date;
  /** 08:00 local on the day the period ended. */
  dueAt: Date;
}

function zoned(at: Date, timeZone: string): DateTime {
  const local = DateTime.fromJSDate(at, { zone: timeZone });
  // An unknown zone (a typo saved long ago) counts as UTC rather than stopping every digest.
  return local.isValid ? local : DateTime.fromJSDate(at, { zone: "UTC" });
}

/** The latest period whose digest is due at or before `at`. */
export function latestDuePeriod(input: { cadence: "daily_digest" | "weekly_digest"; timeZone: string; at: Date }): DigestPeriod {
  const local = zoned(input.at, input.timeZone);
  const unit = input.cadence === "daily_digest" ? "day" : "week"; // luxon's weeks start on Monday (ISO)
  let end = local.startOf(unit);
  if (local < end.set({ hour: DIGEST_HOUR })) end = end.minus({ [unit]: 1 }).startOf(unit);
  const start = end.minus({ [unit]: 1 }).startOf(unit);
  return { start: start.toJSDate(), end: end.toJSDate(), dueAt: end.set({ hour: DIGEST_HOUR }).toJSDate() };
}
