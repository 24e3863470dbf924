// What stops mail to an address (ADR 0071), as pure rules: the words a suppression is stored under,
// how an address is compared, and which SMTP refusals are the recipient's own and permanent.

export const SUPPRESSION_REASONS = ["hard_bounce", "complaint", "unsubscribe", "manual"] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

export const SUPPRESSION_SOURCES = ["smtp", "postmark", "ses", "sendgrid", "resend", "list_unsubscribe", "api"] as const;
export type SuppressionSource = (typeof SUPPRESSION_SOURCES)[number];

/** The providers whose bounce and complaint webhooks Recoup verifies (POST /webhooks/email/<provider>). */
export const EMAIL_PROVIDERS = ["postmark", "ses", "sendgrid", "resend"] as const;
export type EmailProvider = (typeof EMAIL_PROVIDERS)[number];

export const isEmailProvider = (value: string): value is EmailProvider => (EMAIL_PROVIDERS as readonly string[]).includes(value);

/** The longest address SMTP carries (RFC 5321: 64 + @ + 255). */
export const MAX_ADDRESS_LENGTH = 320;
/** A provider's diagnostic is kept this short: enough to read why, never a whole bounce message. */
export const MAX_DETAIL_LENGTH = 500;

/** How an address is stored and compared: trimmed, lower case (a mailbox's case is its server's business, never a second address). */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function shortDetail(detail: string | null | undefined): string | null {
  const text = detail?.replace(/\s+/g, " ").trim();
  return text ? text.slice(0, MAX_DETAIL_LENGTH) : null;
}

/** The `error` of a message that was not sent because its address is suppressed. */
export function suppressedSkipReason(reason: string): string {
  return `address suppressed (${reason})`;
}

/** The SMTP commands whose refusal is about the recipient (RCPT TO) or this message to them (DATA). */
const RECIPIENT_COMMANDS = new Set(["RCPT TO", "DATA"]);

/**
 * The server's permanent refusal of the recipient, as a nodemailer error carries it: a 5xx reply
 * (RFC 5321 §4.2.1: "permanent negative completion") to RCPT TO or DATA. Returns the reply to keep
 * as the suppression's detail, or null: a 4xx is transient (retried), and a 5xx to MAIL FROM or
 * AUTH is about the sender's setup, not this address.
 */
export function permanentRecipientFailure(error: unknown): string | null {
  const e = error as { responseCode?: unknown; command?: unknown; response?: unknown; message?: unknown } | null;
  if (!e || typeof e.responseCode !== "number" || e.responseCode < 500 || e.responseCode > 599) return null;
  if (typeof e.command !== "string" || !RECIPIENT_COMMANDS.has(e.command)) return null;
  return shortDetail(typeof e.response === "string" ? e.response : String(e.message ?? e.responseCode));
}

/** `j•••@example.com`: enough for a person to recognise their address on a page anyone holding the link can open. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf("@");
  if (at <= 0) return "•••";
  return `${email[0]}•••${email.slice(at)}`;
}
