// What Recoup takes from each provider's verified webhook (ADR 0071): hard bounces and spam
// complaints, by address, with the provider's id for the event. Everything else (deliveries, opens,
// soft bounces) is acknowledged and dropped. Pure: the bodies are parsed, never trusted as typed.
import { z } from "zod";
import { findUnstorable } from "~/utils/storable-text";
import { MAX_ADDRESS_LENGTH, normaliseEmail, shortDetail } from "./policy";

export interface Recipient {
  email: string;
  reason: "hard_bounce" | "complaint";
  detail: string | null;
}

/** What an inbox row holds: the addresses to suppress, or an SNS subscription to confirm. */
export type EmailEventPayload =
  | { type: "suppress"; recipients: Recipient[] }
  | { type: "sns_subscription"; topicArn: string; subscribeUrl: string };

export interface ParsedEmailEvent {
  /** The provider's own id for the event: a redelivery is the same row. */
  eventKey: string;
  payload: EmailEventPayload;
}

// An address the database can store and a mailbox could have; anything else is dropped, not stored.
const storable = (text: string) => findUnstorable(text) === null;
const Address = z
  .string()
  .max(MAX_ADDRESS_LENGTH)
  .transform(normaliseEmail)
  .refine((a) => /^[^\s@]+@[^\s@]+$/.test(a) && storable(a));
const Text = z.string().max(100_000).optional().nullable().catch(null);
const Key = z.union([
  z.string().min(1).max(200).refine(storable),
  // Postmark's ids can exceed 2^53: the same text always reads as the same number, so the key is stable.
  z.number().transform(String),
]);

const clean = (text: string | null | undefined) => {
  const detail = shortDetail(text?.replaceAll("\u0000", ""));
  return detail && storable(detail) ? detail : null;
};

function suppressing(eventKey: string, recipients: Array<Recipient | null>): ParsedEmailEvent[] {
  const kept = recipients.filter((r): r is Recipient => r !== null);
  return kept.length ? [{ eventKey, payload: { type: "suppress", recipients: kept } }] : [];
}

function recipient(email: unknown, reason: Recipient["reason"], detail: string | null | undefined): Recipient | null {
  const address = Address.safeParse(email);
  return address.success ? { email: address.data, reason, detail: clean(detail) } : null;
}

/**
 * Postmark's bounce and spam complaint webhooks, one record each
 * (https://postmarkapp.com/developer/webhooks/bounce-webhook, /spam-complaint-webhook): a HardBounce
 * or BadEmailAddress bounce is a hard bounce; a SpamComplaint is a complaint. Soft bounces, blocks and
 * auto-responders are not the address's end.
 */
const PostmarkRecord = z.object({ RecordType: z.string(), ID: Key, Type: z.string().optional(), Email: z.unknown(), Details: Text, Description: Text });
const POSTMARK_HARD = new Set(["HardBounce", "BadEmailAddress"]);

export function parsePostmark(body: unknown): ParsedEmailEvent[] {
  const record = PostmarkRecord.safeParse(body);
  if (!record.success) return [];
  const { RecordType, ID, Type, Email, Details, Description } = record.data;
  const key = `${RecordType}:${ID}`;
  if (RecordType === "SpamComplaint" || Type === "SpamComplaint") return suppressing(key, [recipient(Email, "complaint", Details ?? Description)]);
  if (RecordType === "Bounce" && Type && POSTMARK_HARD.has(Type)) return suppressing(key, [recipient(Email, "hard_bounce", Details ?? Description)]);
  return [];
}

/**
 * Amazon SES's notification, the Message of an SNS Notification: a Permanent bounce's recipients are
 * hard bounces, a complaint's are complaints; Transient and Undetermined bounces are not
 * (https://docs.aws.amazon.com/ses/latest/dg/notification-contents.html). SES's notifications say
 * `notificationType`, its event publishing `eventType`: both are read.
 */
const SesNotification = z.object({
  notificationType: z.string().optional(),
  eventType: z.string().optional(),
  bounce: z.object({ bounceType: z.string(), bouncedRecipients: z.array(z.object({ emailAddress: z.unknown(), diagnosticCode: Text })).max(1000) }).optional(),
  complaint: z.object({ complaintFeedbackType: Text, complainedRecipients: z.array(z.object({ emailAddress: z.unknown() })).max(1000) }).optional(),
});

export function parseSesNotification(messageId: string, message: string): ParsedEmailEvent[] {
  let body: unknown;
  try {
    body = JSON.parse(message);
  } catch {
    return [];
  }
  const parsed = SesNotification.safeParse(body);
  if (!parsed.success) return [];
  const kind = parsed.data.notificationType ?? parsed.data.eventType;
  const { bounce, complaint } = parsed.data;
  if (kind === "Bounce" && bounce?.bounceType === "Permanent") {
    return suppressing(messageId, bounce.bouncedRecipients.map((r) => recipient(r.emailAddress, "hard_bounce", r.diagnosticCode)));
  }
  if (kind === "Complaint" && complaint) {
    return suppressing(messageId, complaint.complainedRecipients.map((r) => recipient(r.emailAddress, "complaint", complaint.complaintFeedbackType)));
  }
  return [];
}

/**
 * SendGrid's Event Webhook: a JSON array of events (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/event).
 * A `bounce` (not a `blocked` one, which is temporary) is a hard bounce; a `spamreport` a complaint.
 */
const SendGridEvent = z.object({ event: z.string(), email: z.unknown(), sg_event_id: Key.optional(), sg_message_id: z.string().max(200).optional(), type: z.string().optional(), reason: Text });

export function parseSendGrid(body: unknown): ParsedEmailEvent[] {
  if (!Array.isArray(body)) return [];
  return body.slice(0, 10_000).flatMap((item) => {
    const e = SendGridEvent.safeParse(item);
    if (!e.success) return [];
    const { event, email, sg_event_id, sg_message_id, type, reason } = e.data;
    const key = sg_event_id ?? (sg_message_id ? `${sg_message_id}:${event}` : null);
    if (!key) return [];
    if (event === "bounce" && type !== "blocked") return suppressing(key, [recipient(email, "hard_bounce", reason)]);
    if (event === "spamreport") return suppressing(key, [recipient(email, "complaint", null)]);
    return [];
  });
}

/**
 * Resend's `email.bounced` (the recipient's server refused it for good) and `email.complained`
 * (https://resend.com/docs/webhooks/emails/bounced), keyed by the delivery's svix-id.
 */
const ResendEvent = z.object({
  type: z.string(),
  data: z.object({ to: z.union([z.array(z.unknown()).max(1000), z.unknown().transform((one) => [one])]), bounce: z.object({ message: Text }).optional().catch(undefined) }),
});

export function parseResend(svixId: string, body: unknown): ParsedEmailEvent[] {
  const e = ResendEvent.safeParse(body);
  if (!e.success) return [];
  const { type, data } = e.data;
  if (type === "email.bounced") return suppressing(svixId, data.to.map((to) => recipient(to, "hard_bounce", data.bounce?.message)));
  if (type === "email.complained") return suppressing(svixId, data.to.map((to) => recipient(to, "complaint", null)));
  return [];
}
