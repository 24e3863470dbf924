import { describe, expect, it } from "vitest";
import { parsePostmark, parseResend, parseSendGrid, parseSesNotification } from "./events";

const suppress = (eventKey: string, ...recipients: Array<[string, string, string | null]>) => ({
  eventKey,
  payload: { type: "suppress", recipients: recipients.map(([email, reason, detail]) => ({ email, reason, detail })) },
});

describe("what each provider's webhook suppresses", () => {
  it("Postmark: a hard bounce or a spam complaint; soft bounces and other records are dropped", () => {
    expect(parsePostmark({ RecordType: "Bounce", ID: 42, Type: "HardBounce", TypeCode: 1, Email: "John@Example.com", Details: "smtp;550 5.1.1 unknown user" })).toEqual([
      suppress("Bounce:42", ["john@example.com", "hard_bounce", "smtp;550 5.1.1 unknown user"]),
    ]);
    expect(parsePostmark({ RecordType: "SpamComplaint", ID: 43, Type: "SpamComplaint", Email: "john@example.com" })).toEqual([suppress("SpamComplaint:43", ["john@example.com", "complaint", null])]);
    expect(parsePostmark({ RecordType: "Bounce", ID: 44, Type: "SoftBounce", Email: "john@example.com" })).toEqual([]);
    expect(parsePostmark({ RecordType: "Delivery", ID: 45, Email: "john@example.com" })).toEqual([]);
    expect(parsePostmark({ RecordType: "Bounce", ID: 46, Type: "HardBounce", Email: "not an address" })).toEqual([]);
    expect(parsePostmark([1, 2])).toEqual([]);
  });

  it("Amazon SES: a Permanent bounce's recipients and a complaint's; Transient bounces are dropped", () => {
    const bounce = { notificationType: "Bounce", bounce: { bounceType: "Permanent", bouncedRecipients: [{ emailAddress: "a@example.com", diagnosticCode: "smtp; 550 user unknown" }, { emailAddress: "b@example.com" }] } };
    expect(parseSesNotification("m-1", JSON.stringify(bounce))).toEqual([suppress("m-1", ["a@example.com", "hard_bounce", "smtp; 550 user unknown"], ["b@example.com", "hard_bounce", null])]);
    const published = { eventType: "Complaint", complaint: { complaintFeedbackType: "abuse", complainedRecipients: [{ emailAddress: "c@example.com" }] } };
    expect(parseSesNotification("m-2", JSON.stringify(published))).toEqual([suppress("m-2", ["c@example.com", "complaint", "abuse"])]);
    expect(parseSesNotification("m-3", JSON.stringify({ notificationType: "Bounce", bounce: { bounceType: "Transient", bouncedRecipients: [{ emailAddress: "a@example.com" }] } }))).toEqual([]);
    expect(parseSesNotification("m-4", "not json")).toEqual([]);
  });

  it("SendGrid: bounce events (not blocked ones) and spam reports, each by its sg_event_id", () => {
    const events = [
      { email: "a@example.com", event: "bounce", type: "bounce", reason: "550 5.1.1 no mailbox", sg_event_id: "e1" },
      { email: "b@example.com", event: "bounce", type: "blocked", reason: "421 try later", sg_event_id: "e2" },
      { email: "c@example.com", event: "spamreport", sg_event_id: "e3" },
      { email: "d@example.com", event: "delivered", sg_event_id: "e4" },
      "garbage",
    ];
    expect(parseSendGrid(events)).toEqual([suppress("e1", ["a@example.com", "hard_bounce", "550 5.1.1 no mailbox"]), suppress("e3", ["c@example.com", "complaint", null])]);
    expect(parseSendGrid({ not: "an array" })).toEqual([]);
  });

  it("Resend: email.bounced and email.complained, keyed by the svix-id", () => {
    expect(parseResend("msg_1", { type: "email.bounced", data: { to: ["A@example.com"], bounce: { message: "Mailbox does not exist" } } })).toEqual([
      suppress("msg_1", ["a@example.com", "hard_bounce", "Mailbox does not exist"]),
    ]);
    expect(parseResend("msg_2", { type: "email.complained", data: { to: ["a@example.com"] } })).toEqual([suppress("msg_2", ["a@example.com", "complaint", null])]);
    expect(parseResend("msg_3", { type: "email.delivered", data: { to: ["a@example.com"] } })).toEqual([]);
  });

  it("never keeps what PostgreSQL cannot store", () => {
    expect(parsePostmark({ RecordType: "Bounce", ID: "x\u0000", Type: "HardBounce", Email: "a@example.com" })).toEqual([]);
    expect(parsePostmark({ RecordType: "Bounce", ID: 1, Type: "HardBounce", Email: "a\u0000@example.com" })).toEqual([]);
    expect(parsePostmark({ RecordType: "Bounce", ID: 1, Type: "HardBounce", Email: "a@example.com", Details: "bad\ud800" })).toEqual([suppress("Bounce:1", ["a@example.com", "hard_bounce", null])]);
  });
});
