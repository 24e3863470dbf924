import { describe, expect, it } from "vitest";
import {
  bestBuckets,
  dayOfMonthFactors,
  declineCodeRate,
  hourFactors,
  learnRates,
  LEARNING_MIN_ATTEMPTS,
  LEARNING_MIN_BUCKET_ATTEMPTS,
  ratesFromJson,
  ratesToJson,
  weekdayFactors,
  type RetryOutcome,
} from "./learning";

type Row = RetryOutcome & { zone: string };
const zoneOf = (row: Row) => row.zone;

/** `n` retries at `iso` (UTC), every `every`-th one succeeding (the first of each cycle). */
function rows(n: number, iso: string, every: number, extra: Partial<Row> = {}): Row[] {
  return Array.from({ length: n }, (_, i) => ({
    attemptedAt: new Date(iso),
    succeeded: i % every === 0,
    declineCode: "insufficient_funds",
    zone: "UTC",
    ...extra,
  }));
}

describe("learnRates", () => {
  it("counts in the customer's local time, by code in lower case, and spans the rows", () => {
    const learned = learnRates(
      [
        // 2026-03-02 is a Monday: 23:30 UTC is 08:30 on Tuesday the 3rd in Tokyo.
        { attemptedAt: new Date("2026-03-02T23:30:00Z"), succeeded: true, declineCode: "Do_Not_Honor", zone: "Asia/Tokyo" },
        { attemptedAt: new Date("2026-03-01T10:00:00Z"), succeeded: false, declineCode: null, zone: "Not/AZone" },
      ],
      zoneOf,
    )!;
    expect(learned.attempts).toBe(2);
    expect(learned.overall).toEqual({ attempts: 2, successes: 1 });
    expect(learned.byDeclineCode).toEqual({ do_not_honor: { attempts: 1, successes: 1 } });
    expect(learned.byLocalHour[8]).toEqual({ attempts: 1, successes: 1 });
    expect(learned.byWeekday[1]).toEqual({ attempts: 1, successes: 1 });
    expect(learned.byDayOfMonth[2]).toEqual({ attempts: 1, successes: 1 });
    // An unknown zone counts in UTC: Sunday the 1st, 10 h.
    expect(learned.byLocalHour[10]).toEqual({ attempts: 1, successes: 0 });
    expect(learned.byWeekday[6]).toEqual({ attempts: 1, successes: 0 });
    expect(learned.byDayOfMonth[0]).toEqual({ attempts: 1, successes: 0 });
    expect(learned.from).toEqual(new Date("2026-03-01T10:00:00Z"));
    expect(learned.to).toEqual(new Date("2026-03-02T23:30:00Z"));
    expect(ratesFromJson(JSON.parse(JSON.stringify(ratesToJson(learned))))).toEqual(learned);
  });

  it("learns nothing from no rows", () => {
    expect(learnRates([], zoneOf)).toBeNull();
    expect(hourFactors(null)).toBeNull();
    expect(declineCodeRate(undefined, "insufficient_funds")).toBeNull();
  });
});

describe("factors", () => {
  it("stay on the prior (null) below the workspace threshold, however clear the effect", () => {
    const n = LEARNING_MIN_ATTEMPTS - 1;
    const learned = learnRates([...rows(Math.ceil(n / 2), "2026-03-02T09:00:00Z", 2), ...rows(Math.floor(n / 2), "2026-03-02T02:00:00Z", 10)], zoneOf);
    expect(learned!.attempts).toBe(n);
    expect(hourFactors(learned)).toBeNull();
    expect(weekdayFactors(learned)).toBeNull();
    expect(dayOfMonthFactors(learned)).toBeNull();
    expect(declineCodeRate(learned, "insufficient_funds")).toBeNull();
  });

  it("show a clear hour effect in enough data, and a small bucket stays near 1", () => {
    // 300 retries at 09:00 (50 % succeed), 300 at 02:00 (10 %), 20 at 15:00 (all succeed).
    const learned = learnRates(
      [...rows(300, "2026-03-02T09:00:00Z", 2), ...rows(300, "2026-03-03T02:00:00Z", 10), ...rows(LEARNING_MIN_BUCKET_ATTEMPTS - 10, "2026-03-04T15:00:00Z", 1)],
      zoneOf,
    );
    const hours = hourFactors(learned)!;
    expect(hours).toHaveLength(24);
    const overall = (150 + 30 + 20) / 620;
    // Shrunk: (150 + 50·p) / (300 + 50), against p.
    expect(hours[9]).toBeCloseTo((150 + 50 * overall) / 350 / overall, 10);
    expect(hours[9]).toBeGreaterThan(1.4);
    expect(hours[2]).toBeLessThan(0.45);
    // 20 retries, all successful: too few to move from the prior.
    expect(hours[15]).toBe(1);
    expect(hours[12]).toBe(1);
    expect(bestBuckets(hours)).toEqual([9]);

    const weekdays = weekdayFactors(learned)!;
    expect(weekdays[0]).toBeGreaterThan(1.4); // Monday the 2nd
    expect(weekdays[1]).toBeLessThan(0.45); // Tuesday the 3rd
    expect(weekdays[2]).toBe(1); // Wednesday the 4th: 20 retries
    expect(dayOfMonthFactors(learned)![1]).toBeCloseTo(hours[9]!, 10);
    expect(declineCodeRate(learned, "INSUFFICIENT_FUNDS")).toBeCloseTo(overall, 10);
    expect(declineCodeRate(learned, "expired_card")).toBeNull();
  });

  it("shrink a bucket just over the bucket threshold most of the way back to 1", () => {
    const learned = learnRates([...rows(600, "2026-03-02T09:00:00Z", 4), ...rows(40, "2026-03-02T20:00:00Z", 1)], zoneOf);
    const hours = hourFactors(learned)!;
    // 40 of 40 succeeded, against about 29 % overall: raw factor ≈ 3.5, shrunk well below it.
    expect(hours[20]).toBeGreaterThan(1.5);
    expect(hours[20]).toBeLessThan(2.2);
  });

  it("learn nothing when every retry went the same way", () => {
    expect(hourFactors(learnRates(rows(600, "2026-03-02T09:00:00Z", 1), zoneOf))).toBeNull();
  });

  it("are deterministic", () => {
    const input = [...rows(400, "2026-03-02T09:00:00Z", 3), ...rows(200, "2026-03-05T18:00:00Z", 5, { zone: "America/New_York" })];
    expect(hourFactors(learnRates(input, zoneOf))).toEqual(hourFactors(learnRates([...input].reverse(), zoneOf)));
  });
});
