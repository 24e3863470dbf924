// When the dunning sequence's emails go out: planned by the same brain as the retries (policy.ts),
// from the same facts. Pure: no clock, no IO; the dunning-step job (app/domain/dunning) and the
// recovery bench replay it on their clocks (ADR 0053).
import { DateTime } from "luxon";
import { zoneOf } from "~/utils/customer-zone";
import { inHourRange, inQuietHours, type Classification, type RetrySettings } from "./policy";

const HOUR = 3_600_000;

/** Emails Recoup sends about one failed payment, whoever's they are (card-update request, reminders). */
export const MAX_EMAILS_PER_RECOVERY = 3;
/** Local hours in which Recoup's own emails go out: read in the morning, answered the same day. */
export const EMAIL_HOURS: readonly [number, number] = Object.freeze([8, 20]) as unknown as readonly [number, number];
/** No two emails to one customer within a day, unless they acted in between. */
export const EMAIL_SPACING_HOURS = 24;
/** A reminder never goes out just before a retry that is likely to succeed: it waits for the answer. */
const IMMINENT_RETRY_HOURS = 24;
const AFTER_RETRY_HOURS = 2;

/** Subcategories whose customer is never emailed: they told their bank to stop, or only the merchant can fix it. */
const NO_EMAIL = new Set<Classification["subcategory"]>(["revoked", "blocked", "merchant_action", "already_paid"]);

/**
 * The earliest moment another email may go to the customer: `at`, or a day after their last one,
 * whichever recoveries they are about (a reminder, a resumed sequence, the merchant's "send update
 * link" all wait; a confirmation the customer requested does not). ADRs 0035, 0053.
 */
export function emailAllowedAt(at: Date, lastEmailAt: Date | null): Date {
  const spaced = lastEmailAt ? lastEmailAt.getTime() + EMAIL_SPACING_HOURS * HOUR : 0;
  return new Date(Math.max(at.getTime(), spaced));
}

/** The first instant ≥ at inside the email hours and outside the workspace's quiet hours, in `zone`. */
export function emailSendAt(at: Date, settings: Pick<RetrySettings, "quietHours">, zone: string): Date {
  const z = zoneOf(zone, null);
  const ok = (ms: number) => {
    const hour = DateTime.fromMillis(ms, { zone: z }).hour;
    return inHourRange(hour, EMAIL_HOURS[0], EMAIL_HOURS[1]) && !inQuietHours(hour, settings.quietHours);
  };
  if (ok(at.getTime())) return at;
  const top = DateTime.fromMillis(at.getTime(), { zone: z }).startOf("hour");
  for (let k = 1; k <= 48; k++) {
    const candidate = top.plus({ hours: k }).toMillis();
    if (ok(candidate)) return new Date(candidate);
  }
  // Quiet hours cover every email hour: the quiet hours win, as for retries.
  for (let k = 1; k <= 26; k++) {
    const candidate = top.plus({ hours: k }).toMillis();
    if (!inQuietHours(DateTime.fromMillis(candidate, { zone: z }).hour, settings.quietHours)) return new Date(candidate);
  }
  return at;
}

export interface SequenceEmailInput {
  /** The latest failure as the policy classified it. */
  classification: Classification;
  /** The step's own time: the recovery's start plus its delay. */
  stepDueAt: Date;
  /** This recovery's customer emails so far (card-update and authentication requests, earlier steps). */
  sentForRecovery: readonly Date[];
  /** The customer's latest email from this workspace, about any recovery. */
  lastEmailToCustomerAt: Date | null;
  /** The customer's latest own action (a new card, a payment they tried), which allows an email sooner. */
  customerActedAt: Date | null;
  /** What the engine plans next for the recovery (Recovery.nextActionKind / nextActionAt). */
  nextAction: { kind: string | null; at: Date | null };
  /** A valid IANA zone: the customer's, else the workspace's. */
  zone: string;
  settings: Pick<RetrySettings, "quietHours">;
  now: Date;
}

export type SequenceEmailPlan = { kind: "send"; at: Date; reason: string } | { kind: "skip"; reason: string };

/**
 * When a sequence step goes out, or that it does not. In order: never to a customer who revoked
 * the payment (or when only the merchant can act); at most MAX_EMAILS_PER_RECOVERY emails per
 * failed payment; not within a day of the customer's last email unless they acted since; after a
 * soft decline's retry that is due within a day (its answer may make the email needless); in the
 * customer's daytime, outside quiet hours.
 */
export function planSequenceEmail(input: SequenceEmailInput): SequenceEmailPlan {
  const { classification: c } = input;
  if (NO_EMAIL.has(c.subcategory)) {
    return { kind: "skip", reason: "Not emailed: this customer must not be chased about this payment." };
  }
  if (input.sentForRecovery.length >= MAX_EMAILS_PER_RECOVERY) {
    return { kind: "skip", reason: `Not emailed: the customer already had ${MAX_EMAILS_PER_RECOVERY} emails about this payment.` };
  }
  let at = Math.max(input.now.getTime(), input.stepDueAt.getTime());
  const notes: string[] = [];
  const last = input.lastEmailToCustomerAt;
  const acted = input.customerActedAt;
  if (last && !(acted && acted > last)) {
    const spaced = emailAllowedAt(new Date(at), last).getTime();
    if (spaced > at) notes.push("a day after their last email");
    at = spaced;
  }
  const retryAt = input.nextAction.kind === "retry" ? (input.nextAction.at?.getTime() ?? null) : null;
  if (c.declineType === "soft" && retryAt !== null && retryAt >= input.now.getTime() && retryAt <= at + IMMINENT_RETRY_HOURS * HOUR) {
    at = Math.max(at, retryAt + AFTER_RETRY_HOURS * HOUR);
    notes.push("after the retry due first, which may make it needless");
  }
  const send = emailSendAt(new Date(at), input.settings, input.zone);
  if (send.getTime() > at) notes.push("in the customer's daytime");
  const why = notes.length > 0 ? `: ${notes.join(", ")}` : "";
  return { kind: "send", at: send, reason: `Email planned for ${DateTime.fromJSDate(send, { zone: "UTC" }).toISO()}${why}.` };
}
