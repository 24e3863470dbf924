import nodemailer, { type Transporter } from "nodemailer";
import addressparser from "nodemailer/lib/addressparser";
import { parseConnectionUrl } from "nodemailer/lib/shared";
import type SMTPPool from "nodemailer/lib/smtp-pool";
import { env } from "./env.server";
import { log } from "./logger.server";

export interface OutgoingEmail {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The Message-ID header, angle brackets included: fixed by the caller so that a resend is the same message. */
  messageId: string;
  replyTo?: string | null;
  /** Display name in From (the merchant); the address is always MAIL_FROM's. */
  fromName?: string | null;
  /** Extra header fields, e.g. List-Unsubscribe (RFC 8058) on dunning emails. */
  headers?: Record<string, string>;
}

export interface EmailReceipt {
  /** smtp: handed to the SMTP server; outbox: SMTP_URL is unset, nothing left the machine. */
  transport: "smtp" | "outbox";
  providerMessageId: string;
}

/**
 * SMTP connections per process and server; nodemailer queues further emails until one is free. The
 * dunning-send job runs this many at once (ADR 0058): a claimed message never waits in that queue,
 * so a crash can only cut off the exchanges themselves. 40 keeps one worker's emails up with its
 * failed payments on a busy machine, where each exchange waits its turns on the event loop (ADRs
 * 0064, 0066); a relay that allows fewer connections needs a lower number.
 */
export const SMTP_MAX_CONNECTIONS = 40;

const transports = new Map<string, Transporter<SMTPPool.SentMessageInfo>>();

function transportFor(url: string) {
  let transport = transports.get(url);
  if (!transport) {
    // Pooled: a handful of open connections carry the emails of many concurrent jobs (one handshake
    // per connection, not per email), bounded so that a burst never opens more than a relay allows.
    // Bounded waits: a stuck SMTP server must fail the job (and let pg-boss retry), not hold it until it expires.
    // The URL is parsed here: given as `url`, nodemailer would read the URL alone and drop every other option.
    transport = nodemailer.createTransport({
      ...parseConnectionUrl(url),
      pool: true,
      maxConnections: SMTP_MAX_CONNECTIONS,
      maxMessages: 1000,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
    });
    transports.set(url, transport);
  }
  return transport;
}

function fromAddress(fromName?: string | null): string | { name: string; address: string } {
  const configured = env().MAIL_FROM;
  if (!fromName) return configured;
  const [parsed] = addressparser(configured, { flatten: true });
  return parsed ? { name: fromName, address: parsed.address } : configured;
}

/** The provider's own id when its reply carries one ("250 Ok: queued as ABC"), else our Message-ID. */
function providerId(info: SMTPPool.SentMessageInfo, messageId: string): string {
  const match = /queued as\s+(\S+)/i.exec(info.response ?? "");
  return match?.[1] ?? info.messageId ?? messageId;
}

/**
 * Sends one email through SMTP_URL. Without SMTP_URL nothing leaves the machine: the caller's
 * row is the outbox (see /outbox). Throws when the SMTP server refuses or cannot be reached.
 */
export async function sendEmail(email: OutgoingEmail): Promise<EmailReceipt> {
  const url = env().SMTP_URL;
  if (!url) {
    log.info("email kept in the outbox (SMTP_URL is not set)", { messageId: email.messageId });
    return { transport: "outbox", providerMessageId: email.messageId };
  }
  const info = await transportFor(url).sendMail({
    from: fromAddress(email.fromName),
    to: email.to,
    replyTo: email.replyTo ?? undefined,
    subject: email.subject,
    text: email.text,
    html: email.html,
    messageId: email.messageId,
    headers: email.headers,
  });
  log.info("email sent", { messageId: email.messageId });
  return { transport: "smtp", providerMessageId: providerId(info, email.messageId) };
}

/** Closes cached SMTP connections (tests, shutdown). */
export function closeEmailTransports() {
  for (const transport of transports.values()) transport.close();
  transports.clear();
}
