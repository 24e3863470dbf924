// The pure rules of alerts (ADR 0077): which events a rule takes, when a digest is due and what it
// covers, what makes a rule complete, and what an alert says.
import { describe, expect, it } from "vitest";
import { digestContent, realtimeContent } from "./content";
import { matchesRule } from "./match";
import { latestDuePeriod } from "./periods";
import { normaliseRule } from "./rules";
import type { AlertRuleFields } from "./schemas";

const failed = { alertEventType: "payment_failed", amountMinor: 5000, provider: "stripe", failureCode: "insufficient_funds", paymentMethod: "card" };
const rule = (filter: AlertRuleFields["filter"] = {}, over: Partial<{ enabled: boolean; eventType: string }> = {}) => ({ enabled: true, eventType: "payment_failed", filter, ...over });

describe("matchesRule", () => {
  it("takes an event of its type when every filter holds", () => {
    expect(matchesRule(rule(), failed)).toBe(true);
    expect(matchesRule(rule({ amountMinMinor: 5000, providers: ["stripe"], failureCodes: ["insufficient_funds", "card_expired"], paymentMethods: ["card"] }), failed)).toBe(true);
  });

  it("refuses another type, a disabled rule and each filter that does not hold", () => {
    expect(matchesRule(rule({}, { eventType: "payment_succeeded" }), failed)).toBe(false);
    expect(matchesRule(rule({}, { enabled: false }), failed)).toBe(false);
    expect(matchesRule(rule({ amountMinMinor: 5001 }), failed)).toBe(false);
    expect(matchesRule(rule({ providers: ["dojo"] }), failed)).toBe(false);
    expect(matchesRule(rule({ failureCodes: ["card_expired"] }), failed)).toBe(false);
    expect(matchesRule(rule({ paymentMethods: ["direct_debit"] }), failed)).toBe(false);
    expect(matchesRule(rule(), { ...failed, alertEventType: null })).toBe(false);
  });

  it("does not match a filter on a fact the event lacks, and an empty list filters nothing", () => {
    const bare = { alertEventType: "payment_failed", amountMinor: null, provider: null, failureCode: null, paymentMethod: null };
    expect(matchesRule(rule({ amountMinMinor: 0 }), bare)).toBe(false);
    expect(matchesRule(rule({ providers: ["stripe"] }), bare)).toBe(false);
    expect(matchesRule(rule({ failureCodes: ["unknown"] }), bare)).toBe(false);
    expect(matchesRule(rule({ paymentMethods: ["card"] }), bare)).toBe(false);
    expect(matchesRule(rule({ providers: [], failureCodes: [] }), bare)).toBe(true);
  });
});

describe("latestDuePeriod", () => {
  const iso = (p: { start: Date; end: Date; dueAt: Date }) => ({ start: p.start.toISOString(), end: p.end.toISOString(), dueAt: p.dueAt.toISOString() });

  it("a daily digest is due at 08:00 local and covers the previous local day", () => {
    // 08:00 in London in winter is 08:00 UTC.
    expect(iso(latestDuePeriod({ cadence: "daily_digest", timeZone: "Europe/London", at: new Date("2026-12-08T08:00:00Z") }))).toEqual({
      start: "2026-12-07T00:00:00.000Z",
      end: "2026-12-08T00:00:00.000Z",
      dueAt: "2026-12-08T08:00:00.000Z",
    });
    // One minute earlier, the latest due digest is the day before's.
    expect(iso(latestDuePeriod({ cadence: "daily_digest", timeZone: "Europe/London", at: new Date("2026-12-08T07:59:00Z") })).start).toBe("2026-12-06T00:00:00.000Z");
  });

  it("follows the workspace's zone and its summer time", () => {
    // New York, winter (UTC-5): local 08:00 is 13:00 UTC; the day is 05:00 UTC to 05:00 UTC.
    expect(iso(latestDuePeriod({ cadence: "daily_digest", timeZone: "America/New_York", at: new Date("2026-12-08T13:05:00Z") }))).toEqual({
      start: "2026-12-07T05:00:00.000Z",
      end: "2026-12-08T05:00:00.000Z",
      dueAt: "2026-12-08T13:00:00.000Z",
    });
    // London, summer (UTC+1): local 08:00 is 07:00 UTC.
    expect(iso(latestDuePeriod({ cadence: "daily_digest", timeZone: "Europe/London", at: new Date("2026-07-15T07:00:00Z") })).dueAt).toBe("2026-07-15T07:00:00.000Z");
    // The day summer time ends in London is 25 hours long.
    const long = latestDuePeriod({ cadence: "daily_digest", timeZone: "Europe/London", at: new Date("2026-10-26T09:00:00Z") });
    expect(long.end.getTime() - long.start.getTime()).toBe(25 * 3_600_000);
  });

  it("a weekly digest is due at 08:00 local on Monday and covers Monday to Sunday before it", () => {
    // 2026-12-07 is a Monday.
    expect(iso(latestDuePeriod({ cadence: "weekly_digest", timeZone: "Europe/London", at: new Date("2026-12-09T12:00:00Z") }))).toEqual({
      start: "2026-11-30T00:00:00.000Z",
      end: "2026-12-07T00:00:00.000Z",
      dueAt: "2026-12-07T08:00:00.000Z",
    });
    expect(iso(latestDuePeriod({ cadence: "weekly_digest", timeZone: "Europe/London", at: new Date("2026-12-07T07:45:00Z") })).start).toBe("2026-11-23T00:00:00.000Z");
  });

  it("reads an unknown zone as UTC rather than failing", () => {
    expect(latestDuePeriod({ cadence: "daily_digest", timeZone: "Mars/Olympus", at: new Date("2026-12-08T09:00:00Z") }).dueAt.toISOString()).toBe("2026-12-08T08:00:00.000Z");
  });
});

describe("normaliseRule", () => {
  const base: AlertRuleFields = { name: "Failed", enabled: true, eventType: "payment_failed", channel: "email", cadence: "realtime", filter: {}, recipientEmails: ["Ops@Example.com"], recipientPhones: [], recipientRoles: [], webhookEndpointId: null };

  it("stores phones in E.164 (UK first) and lists without repeats", () => {
    const result = normaliseRule({ ...base, channel: "sms", recipientPhones: ["07911 123456", "+447911123456", "+33 6 12 34 56 78"], recipientEmails: ["ops@example.com", "OPS@example.com"] });
    expect(result).toMatchObject({ ok: true, rule: { recipientPhones: ["+447911123456", "+33612345678"], recipientEmails: ["ops@example.com"] } });
  });

  it("reports every problem at once", () => {
    const result = normaliseRule({ ...base, name: "  ", channel: "sms", recipientPhones: ["12345", "07911 123456"], recipientRoles: ["boss"] });
    expect(result.ok).toBe(false);
    const problems = result.ok ? [] : result.problems;
    expect(problems.map((p) => [p.field, p.index])).toEqual([
      ["name", undefined],
      ["recipientPhones", 0],
      ["recipientRoles", 0],
    ]);
  });

  it("needs a recipient for email, a phone for SMS and an endpoint for a webhook; in-app needs nothing", () => {
    const fields = (r: ReturnType<typeof normaliseRule>) => (r.ok ? [] : r.problems.map((p) => p.field));
    expect(fields(normaliseRule({ ...base, recipientEmails: [] }))).toEqual(["recipientEmails"]);
    expect(normaliseRule({ ...base, recipientEmails: [], recipientRoles: ["owner"] }).ok).toBe(true);
    expect(fields(normaliseRule({ ...base, channel: "sms", recipientEmails: [] }))).toEqual(["recipientPhones"]);
    expect(fields(normaliseRule({ ...base, channel: "webhook" }))).toEqual(["webhookEndpointId"]);
    expect(normaliseRule({ ...base, channel: "in_app", recipientEmails: [] }).ok).toBe(true);
  });
});

describe("what an alert says", () => {
  const event = { id: "evt_1", alertEventType: "payment_failed", summary: "£50.00 from ada@example.com failed: insufficient funds", amountMinor: 5000, currency: "GBP", provider: "stripe", failureCode: "insufficient_funds", paymentMethod: "card", recoveryId: "rec_1", createdAt: new Date("2026-12-07T10:15:00Z") };

  it("an event's alert names the rule, the event and where to see it", () => {
    const c = realtimeContent({ ruleName: "Big failures", workspaceName: "Harley Street", appUrl: "https://app.recoup.test", event, ref: "abcd1234" });
    expect(c.subject).toBe("Big failures: £50.00 from ada@example.com failed: insufficient funds");
    expect(c.text).toContain("https://app.recoup.test/dashboard/recoveries/rec_1");
    expect(c.text).toContain("Failure: insufficient funds");
    expect(c.sms).toMatch(/^Recoup: £50\.00 from ada@example\.com failed: insufficient funds \(Big failures\) ref abcd1234$/);
    expect(c.link).toBe("/dashboard/recoveries/rec_1");
  });

  it("a digest counts the period's events, totals each currency and lists them in local time", () => {
    const c = digestContent({
      ruleName: "Daily failures",
      workspaceName: "Harley Street",
      appUrl: "https://app.recoup.test",
      eventType: "payment_failed",
      ref: "ffff0000",
      digest: {
        cadence: "daily_digest",
        periodStart: new Date("2026-12-07T00:00:00Z"),
        periodEnd: new Date("2026-12-08T00:00:00Z"),
        timeZone: "Europe/London",
        eventCount: 3,
        totals: [{ currency: "EUR", amountMinor: 1000 }, { currency: "GBP", amountMinor: 7500 }],
        events: [event, { ...event, id: "evt_2", summary: "£25.00 from bo@example.com failed: card expired" }],
      },
    });
    expect(c.subject).toBe("Daily digest: Daily failures: 3 × payment failed, Mon 7 Dec 2026");
    expect(c.text).toContain("Totals: €10.00, £75.00");
    expect(c.text).toContain("Mon 10:15  £50.00 from ada@example.com failed: insufficient funds");
    expect(c.text).toContain("…and 1 more.");
  });
});
