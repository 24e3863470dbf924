import { describe, expect, it } from "vitest";
import { emailAllowedAt, emailSendAt, EMAIL_SPACING_HOURS, MAX_EMAILS_PER_RECOVERY, planSequenceEmail, type SequenceEmailInput } from "./email-plan";
import { makeFailure } from "../../../tests/helpers/failure-input";
import { classifyFailure, type FailureInput } from "./policy";

const iso = (s: string) => new Date(s);

const failure = (over: Partial<FailureInput> = {}) => makeFailure({ customerTimezone: "Europe/Paris", ...over });

function input(over: Partial<SequenceEmailInput> = {}): SequenceEmailInput {
  return {
    classification: classifyFailure(failure()),
    stepDueAt: iso("2025-03-06T10:00:00Z"), // 11:00 in Paris
    sentForRecovery: [],
    lastEmailToCustomerAt: null,
    customerActedAt: null,
    nextAction: { kind: null, at: null },
    zone: "Europe/Paris",
    settings: { quietHours: null },
    now: iso("2025-03-06T10:00:00Z"),
    ...over,
  };
}

const sendAt = (plan: ReturnType<typeof planSequenceEmail>) => {
  expect(plan.kind, plan.reason).toBe("send");
  return plan.kind === "send" ? plan.at.toISOString() : "";
};

describe("when a dunning step's email goes", () => {
  it("goes when due, in the customer's daytime", () => {
    expect(sendAt(planSequenceEmail(input()))).toBe("2025-03-06T10:00:00.000Z");
    // Due at 02:00 in Paris: held to 08:00 there.
    const night = iso("2025-03-06T01:00:00Z");
    expect(sendAt(planSequenceEmail(input({ stepDueAt: night, now: night })))).toBe("2025-03-06T07:00:00.000Z");
    // And never into the workspace's quiet hours either.
    const quiet = planSequenceEmail(input({ stepDueAt: night, now: night, settings: { quietHours: { start: 20, end: 10 } } }));
    expect(sendAt(quiet)).toBe("2025-03-06T09:00:00.000Z");
  });

  it("never sends a fourth email about one failed payment, counting the engine's own requests", () => {
    const three = [iso("2025-03-03T10:00:00Z"), iso("2025-03-04T10:00:00Z"), iso("2025-03-05T10:00:00Z")];
    const plan = planSequenceEmail(input({ sentForRecovery: three }));
    expect(plan).toMatchObject({ kind: "skip" });
    expect(plan.reason).toMatch(/already had 3 emails/);
    expect(MAX_EMAILS_PER_RECOVERY).toBe(3);
    expect(planSequenceEmail(input({ sentForRecovery: three.slice(1) })).kind).toBe("send");
  });

  it("waits a day after the customer's last email, unless they acted since", () => {
    const last = iso("2025-03-06T08:00:00Z");
    expect(EMAIL_SPACING_HOURS).toBe(24);
    expect(sendAt(planSequenceEmail(input({ lastEmailToCustomerAt: last })))).toBe("2025-03-07T08:00:00.000Z");
    const acted = iso("2025-03-06T09:00:00Z");
    expect(sendAt(planSequenceEmail(input({ lastEmailToCustomerAt: last, customerActedAt: acted })))).toBe("2025-03-06T10:00:00.000Z");
    expect(emailAllowedAt(iso("2025-03-06T10:00:00Z"), last).toISOString()).toBe("2025-03-07T08:00:00.000Z");
  });

  it("lets a soft decline's retry due within a day go first, but not a hard decline's", () => {
    const retry = { kind: "retry", at: iso("2025-03-07T06:00:00Z") }; // 07:00 in Paris, the next morning
    expect(sendAt(planSequenceEmail(input({ nextAction: retry })))).toBe("2025-03-07T08:00:00.000Z");
    // A retry two days away does not hold the email.
    expect(sendAt(planSequenceEmail(input({ nextAction: { kind: "retry", at: iso("2025-03-08T06:00:00Z") } })))).toBe("2025-03-06T10:00:00.000Z");
    const expired = classifyFailure(failure({ declineCode: "expired_card" }));
    expect(sendAt(planSequenceEmail(input({ classification: expired, nextAction: retry })))).toBe("2025-03-06T10:00:00.000Z");
  });

  it("never chases a customer who revoked the payment", () => {
    const revoked = classifyFailure(failure({ declineCode: "revocation_of_authorization" }));
    expect(planSequenceEmail(input({ classification: revoked }))).toMatchObject({ kind: "skip", reason: expect.stringMatching(/must not be chased/) });
  });

  it("reads the email hours in the zone it is given, across a daylight-saving change", () => {
    // 30 March 2025: Paris moves to UTC+2; 07:30 local is 05:30 UTC, held to 08:00 local = 06:00 UTC.
    expect(emailSendAt(iso("2025-03-31T05:30:00Z"), { quietHours: null }, "Europe/Paris").toISOString()).toBe("2025-03-31T06:00:00.000Z");
    expect(emailSendAt(iso("2025-03-31T05:30:00Z"), { quietHours: null }, "Not/AZone").toISOString()).toBe("2025-03-31T08:00:00.000Z");
  });
});
