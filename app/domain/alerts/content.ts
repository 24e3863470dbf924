// What an alert says (ADR 0077): one email, one text message, one notification, for one event or one
// digest period. Pure: the dispatch job fills it in and the tests read it.
import { DateTime } from "luxon";
import { formatMoney } from "~/utils/money";

export interface AlertEventFacts {
  id: string;
  alertEventType: string | null;
  summary: string | null;
  amountMinor: number | null;
  currency: string | null;
  provider: string | null;
  failureCode: string | null;
  paymentMethod: string | null;
  recoveryId: string | null;
  createdAt: Date;
}

export interface DigestFacts {
  cadence: "daily_digest" | "weekly_digest";
  periodStart: Date;
  periodEnd: Date;
  timeZone: string;
  eventCount: number;
  /** Per currency (upper case), in minor units. */
  totals: Array<{ currency: string; amountMinor: number }>;
  /** The first events of the period, oldest first (up to DIGEST_LISTED). */
  events: AlertEventFacts[];
}

export interface AlertContent {
  subject: string;
  text: string;
  /** One line for a text message. */
  sms: string;
  /** The bell's title and line. */
  title: string;
  body: string;
  /** A dashboard path. */
  link: string;
}

export const DIGEST_LISTED = 50;
const SMS_MAX = 320;

const EVENT_WORDS: Record<string, string> = {
  payment_failed: "payment failed",
  payment_succeeded: "payment succeeded",
  payment_refunded: "payment refunded",
  fallback_triggered: "fallback provider used",
  payment_abandoned: "payment abandoned",
  provider_disconnected: "provider disconnected",
  subscription_past_due: "subscription past due",
};

export function eventWords(type: string | null): string {
  return (type && EVENT_WORDS[type]) ?? "event";
}

function summaryOf(event: AlertEventFacts): string {
  if (event.summary) return event.summary;
  const amount = event.amountMinor !== null && event.currency ? `${formatMoney(event.amountMinor, event.currency)} ` : "";
  return `${amount}${eventWords(event.alertEventType)}`.replace(/^./, (c) => c.toUpperCase());
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** One event, as it happened. */
export function realtimeContent(input: { ruleName: string; workspaceName: string; appUrl: string; event: AlertEventFacts; ref: string }): AlertContent {
  const { event } = input;
  const summary = summaryOf(event);
  const link = event.recoveryId ? `/dashboard/recoveries/${event.recoveryId}` : "/dashboard/alerts";
  const facts = [
    event.amountMinor !== null && event.currency ? `Amount: ${formatMoney(event.amountMinor, event.currency)}` : null,
    event.provider ? `Provider: ${event.provider}` : null,
    event.failureCode ? `Failure: ${event.failureCode.replace(/_/g, " ")}` : null,
    event.paymentMethod ? `Payment method: ${event.paymentMethod.replace(/_/g, " ")}` : null,
  ].filter((line): line is string => line !== null);
  const text = [
    summary,
    facts.join("\n"),
    `See it in Recoup: ${input.appUrl}${link}`,
    `You receive this because the alert rule "${input.ruleName}" of ${input.workspaceName} names you. Change or turn it off in Recoup under Alerts.`,
  ]
    .filter(Boolean)
    .join("\n\n");
  return {
    subject: clip(`${input.ruleName}: ${summary}`, 200),
    text,
    sms: clip(`Recoup: ${summary} (${input.ruleName})`, SMS_MAX - 12) + ` ref ${input.ref}`,
    title: clip(`${input.ruleName}: ${eventWords(event.alertEventType)}`, 200),
    body: clip(summary, 500),
    link,
  };
}

function totalsWords(totals: DigestFacts["totals"]): string {
  return totals.length ? totals.map((t) => formatMoney(t.amountMinor, t.currency)).join(", ") : "no amounts";
}

/** A period's events, counted and listed. */
export function digestContent(input: { ruleName: string; workspaceName: string; appUrl: string; eventType: string; digest: DigestFacts; ref: string }): AlertContent {
  const { digest } = input;
  const zone = (d: Date) => DateTime.fromJSDate(d, { zone: digest.timeZone });
  const lastDay = zone(digest.periodEnd).minus({ days: 1 });
  const when =
    digest.cadence === "daily_digest" ? lastDay.toFormat("ccc d LLL yyyy") : `${zone(digest.periodStart).toFormat("d LLL")} – ${lastDay.toFormat("d LLL yyyy")}`;
  const kind = digest.cadence === "daily_digest" ? "Daily" : "Weekly";
  const what = eventWords(input.eventType);
  const headline = `${digest.eventCount} × ${what}, ${when}`;
  const rows = digest.events.map((e) => `${zone(e.createdAt).toFormat("ccc HH:mm")}  ${summaryOf(e)}`);
  const more = digest.eventCount - digest.events.length;
  const text = [
    `${kind} digest of "${input.ruleName}" (${input.workspaceName}): ${headline}.`,
    `Totals: ${totalsWords(digest.totals)}`,
    [...rows, ...(more > 0 ? [`…and ${more} more.`] : [])].join("\n"),
    `See them in Recoup: ${input.appUrl}/dashboard/alerts`,
  ].join("\n\n");
  return {
    subject: clip(`${kind} digest: ${input.ruleName}: ${headline}`, 200),
    text,
    sms: clip(`Recoup ${kind.toLowerCase()} digest (${input.ruleName}): ${headline}; ${totalsWords(digest.totals)}`, SMS_MAX - 12) + ` ref ${input.ref}`,
    title: clip(`${kind} digest: ${input.ruleName}`, 200),
    body: clip(`${headline}. Totals: ${totalsWords(digest.totals)}`, 500),
    link: "/dashboard/alerts",
  };
}
