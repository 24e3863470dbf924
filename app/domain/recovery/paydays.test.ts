import { describe, expect, it } from "vitest";
import { fundsLikelyAt, payCalendarFor, paydayBelief, type PaydayEvidence } from "./paydays";

const t = (s: string) => Date.parse(s);

function belief(over: Partial<PaydayEvidence> = {}) {
  return paydayBelief({ country: "US", zone: "America/New_York", failedAt: t("2025-03-10T13:00:00Z"), failedRetries: [], paidAt: [], ...over });
}

const weightOf = (b: ReturnType<typeof paydayBelief>, kind: string, extra: (s: Record<string, unknown>) => boolean = () => true) =>
  b.schedules.filter((s) => s.schedule.kind === kind && extra(s.schedule as unknown as Record<string, unknown>)).reduce((a, s) => a + s.weight, 0);

describe("how a customer is paid", () => {
  it("starts from their country's pay calendar, and a spread when the country is unknown", () => {
    expect(payCalendarFor("gb")[0]).toEqual([{ kind: "last_business_day" }, 0.7]);
    expect(payCalendarFor("DE")).toEqual(payCalendarFor("FR"));
    expect(payCalendarFor(null)).toEqual(payCalendarFor("ZZ"));
    const us = belief();
    expect(us.schedules.reduce((a, s) => a + s.weight, 0)).toBeCloseTo(1, 10);
  });

  it("expects fresh money only after a payday's deposit has landed, in the customer's own time", () => {
    const us = belief();
    // Friday 14 March 2025: 06:00 in New York is before the day's pay lands (07:00), 07:00 is after.
    const before = fundsLikelyAt(us, t("2025-03-14T10:00:00Z"));
    const after = fundsLikelyAt(us, t("2025-03-14T11:00:00Z"));
    expect(after).toBeGreaterThan(before + 0.2);
    // A Wednesday with no payday since the failure: nothing new.
    expect(fundsLikelyAt(us, t("2025-03-12T11:00:00Z"))).toBe(0);
    // The money drains: three days after Friday it is less likely than on Friday.
    expect(fundsLikelyAt(us, t("2025-03-17T11:00:00Z"))).toBeLessThan(after);
  });

  it("makes a schedule less likely after a retry failed just after its payday", () => {
    const friday = t("2025-03-14T11:00:00Z");
    const before = belief();
    const after = belief({ failedRetries: [friday] });
    expect(weightOf(after, "weekly")).toBeLessThan(weightOf(before, "weekly") * 0.8);
    // The month-end payers, whose pay had not come, are likelier now.
    expect(weightOf(after, "last_business_day")).toBeGreaterThan(weightOf(before, "last_business_day"));
    expect(after.since).toBe(friday);
  });

  it("reads a pay date from the customer's own payments, and how many it was judged from", () => {
    const own = belief({ failedAt: t("2025-03-20T13:00:00Z"), paidAt: [t("2025-01-25T15:00:00Z"), t("2025-02-25T14:00:00Z")] });
    expect(own.ownPayments).toBe(2);
    const the25th = weightOf(own, "monthly", (s) => JSON.stringify(s.days) === "[25]");
    expect(the25th).toBeGreaterThan(0.3);
    // One payment on a day is not a pattern; payments after the failure do not count.
    expect(weightOf(belief({ failedAt: t("2025-03-20T13:00:00Z"), paidAt: [t("2025-02-25T14:00:00Z")] }), "monthly", (s) => JSON.stringify(s.days) === "[25]")).toBe(0);
    expect(belief({ paidAt: [t("2025-03-25T14:00:00Z"), t("2025-04-25T14:00:00Z")] }).ownPayments).toBe(0);
  });

  it("moves a weekend payday to the Friday before", () => {
    // Brazil: the 20th advance fell on Sunday 20 April 2025, so it came on Friday the 18th, before this failure.
    const br = paydayBelief({ country: "BR", zone: "America/Sao_Paulo", failedAt: t("2025-05-01T12:00:00Z"), failedRetries: [], paidAt: [] });
    // The 5th (a Monday) brings the salary; the Sunday before brings nothing.
    expect(fundsLikelyAt(br, t("2025-05-05T10:00:00Z"))).toBeGreaterThan(0.4);
    expect(fundsLikelyAt(br, t("2025-05-04T10:00:00Z"))).toBe(0);
  });
});
