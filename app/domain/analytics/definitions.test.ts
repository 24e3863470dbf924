import { describe, expect, it } from "vitest";
import { currencyExponent } from "~/utils/money";
import {
  emailHealthFlags,
  emailRateFigure,
  expiringCardMonths,
  highValueMinor,
  isExpiringCard,
  isRangeProblem,
  isRepeatFailure,
  localHourOf,
  localRange,
  outcomeOf,
  OUTCOME_SQL,
  periodOf,
  periodsOf,
  rateFigure,
  wilson95,
} from "./definitions";

describe("analytics definitions", () => {
  it("files every recovery status under one outcome, and the SQL spelling agrees", () => {
    expect((["pending", "recovered", "failed", "abandoned"] as const).map(outcomeOf)).toEqual(["active", "recovered", "terminal", "terminal"]);
    for (const status of ["pending", "recovered", "failed", "abandoned"] as const) {
      const sqlOutcome = Object.entries(OUTCOME_SQL).find(([, sql]) => sql.includes(`'${status}'`))?.[0];
      expect(sqlOutcome, status).toBe(outcomeOf(status));
    }
  });

  it("flags rates on fewer than 30 events with their Wilson interval", () => {
    expect(wilson95(0, 0)).toBeNull();
    // 1 of 1: [0.207, 1] (the textbook value).
    expect(wilson95(1, 1)).toEqual([0.207, 1]);
    expect(rateFigure(2, 4)).toEqual({ rate: 0.5, lowVolume: true, interval: [0.15, 0.85] });
    expect(rateFigure(15, 30)).toEqual({ rate: 0.5, lowVolume: false, interval: null });
    expect(rateFigure(0, 0)).toEqual({ rate: null, lowVolume: true, interval: null });
  });

  it("buckets instants into local hours and periods (weeks from Monday), across a 30-minute offset", () => {
    expect(localHourOf(new Date("2026-03-09T23:30:00Z"), "Asia/Kolkata").toISOString()).toBe("2026-03-10T05:00:00.000Z");
    expect(localHourOf(new Date("2026-03-09T18:29:00Z"), "Asia/Kolkata").toISOString()).toBe("2026-03-09T23:00:00.000Z");
    const hour = new Date("2026-03-11T15:00:00.000Z"); // a Wednesday
    expect(periodOf(hour, "hour")).toBe("2026-03-11T15:00:00");
    expect(periodOf(hour, "day")).toBe("2026-03-11T00:00:00");
    expect(periodOf(hour, "week")).toBe("2026-03-09T00:00:00");
    expect(periodOf(hour, "month")).toBe("2026-03-01T00:00:00");
  });

  it("reads ranges as inclusive local days, 30 days to today by default, and names the field at fault", () => {
    const now = new Date("2026-03-20T20:00:00Z"); // already the 21st in Kolkata
    const r = localRange({ zone: "Asia/Kolkata", now });
    if (isRangeProblem(r)) throw new Error(r.message);
    expect([r.startDate, r.endDate]).toEqual(["2026-02-19", "2026-03-21"]);
    expect(r.fromInstant.toISOString()).toBe("2026-02-18T18:30:00.000Z");
    expect(r.toLocal.toISOString()).toBe("2026-03-22T00:00:00.000Z");
    expect(periodsOf(r, "week")[0]).toBe("2026-02-16T00:00:00");
    expect(localRange({ zone: "UTC", now, startDate: "2026-02-30" })).toMatchObject({ field: "start_date" });
    expect(localRange({ zone: "UTC", now, startDate: "2026-03-10", endDate: "2026-03-01" })).toMatchObject({ field: "start_date" });
    expect(localRange({ zone: "UTC", now, startDate: "2025-01-01", groupBy: "hour" })).toMatchObject({ field: "start_date" });
  });
});

describe("at-risk cohorts and email bars", () => {
  const now = new Date("2026-03-20T12:00:00Z");
  it("counts a card as expiring when its month ends within 30 days (or has ended), and a repeat failure within 90 days", () => {
    expect(isExpiringCard({ expYear: 2026, expMonth: 3 }, now)).toBe(true); // ends 04-01
    expect(isExpiringCard({ expYear: 2026, expMonth: 4 }, now)).toBe(false); // ends 05-01, 42 days on
    expect(isExpiringCard({ expYear: 2025, expMonth: 12 }, now)).toBe(true);
    const months = expiringCardMonths(now);
    expect(months[months.length - 1]).toEqual({ expYear: 2026, expMonth: 3 });
    expect(months).toHaveLength(13);
    expect(isRepeatFailure(new Date("2025-12-20T12:00:00Z"), now)).toBe(true); // exactly 90 days
    expect(isRepeatFailure(new Date("2025-12-20T11:59:59Z"), now)).toBe(false);
    expect(isRepeatFailure(null, now)).toBe(false);
    expect(highValueMinor("usd", currencyExponent)).toBe(50_000);
    expect(highValueMinor("jpy", currencyExponent)).toBe(500);
  });

  it("flags mail above 2 % bounces or 0.1 % complaints on the exact ratio", () => {
    expect(emailHealthFlags({ sent: 50, bounced: 1, complained: 0 })).toEqual([]);
    expect(emailHealthFlags({ sent: 49, bounced: 1, complained: 0 })).toEqual(["bounce_rate_high"]);
    // 1 in 999 rounds to 0.001 yet is above 0.1 %; 1 in 1,000 is not.
    expect(emailHealthFlags({ sent: 999, bounced: 0, complained: 1 })).toEqual(["complaint_rate_high"]);
    expect(emailHealthFlags({ sent: 1000, bounced: 0, complained: 1 })).toEqual([]);
    expect(emailRateFigure(1, 10)).toEqual({ rate: 0.1, lowVolume: true, interval: [0.018, 0.404] });
  });
});
