// Alert dispatch (ADR 0077). `matchAlertRules` (the alert-match job) turns one outbound event into one
// AlertDispatch per matching realtime rule, each with its alert-dispatch job, in one transaction;
// unique per rule and event, so a job run twice makes nothing twice. `sendAlertDispatch` (the
// alert-dispatch job) sends one, once: every recipient's result is written as it goes, an email
// keeps its Message-ID, a text message is looked up at the SMS provider before it is sent again, a webhook and
// the notifications are rows keyed by the dispatch.
import { createHash } from "node:crypto";
import { listMembers } from "~/domain/team/team.server";
import { deliverEmail } from "~/domain/mail/outbox.server";
import { notifyMembers } from "~/domain/notifications/notifications.server";
import { emitToEndpoint } from "~/domain/webhooks/events.server";
import { now } from "~/utils/clock.server";
import { db, type Prisma } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { escapeHtml } from "~/utils/html";
import { log } from "~/utils/logger.server";
import { enqueue } from "~/utils/queue.server";
import type { AlertDispatch } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { digestContent, realtimeContent, type AlertContent, type AlertEventFacts } from "./content";
import { digestFacts } from "./digests.server";
import { matchesRule } from "./match";
import { SmsError, smsSender } from "./sms";
import { viewOf, type AlertRuleView } from "./rules.server";

const EVENT_FACTS = {
  id: true,
  alertEventType: true,
  summary: true,
  amountMinor: true,
  currency: true,
  provider: true,
  failureCode: true,
  paymentMethod: true,
  recoveryId: true,
  createdAt: true,
} as const;

/** The alert-match job: a dispatch (and its job) per enabled realtime rule the event matches. */
export async function matchAlertRules(input: { eventId: string }): Promise<{ dispatched: number }> {
  const event = await db().webhookEvent.findUnique({ where: { id: input.eventId }, select: { ...EVENT_FACTS, workspaceId: true } });
  if (!event?.alertEventType) return { dispatched: 0 };
  const rules = await db().alertRule.findMany({ where: { workspaceId: event.workspaceId, eventType: event.alertEventType, enabled: true, cadence: "realtime" } });
  const matching = rules.map(viewOf).filter((rule) => matchesRule(rule, event));
  if (matching.length === 0) return { dispatched: 0 };
  return db().$transaction(async (tx) => {
    const made = await tx.alertDispatch.createManyAndReturn({
      data: matching.map((rule) => ({ workspaceId: event.workspaceId, ruleId: rule.id, dedupeKey: event.id, eventId: event.id, channel: rule.channel, createdAt: now() })),
      skipDuplicates: true,
      select: { id: true },
    });
    for (const dispatch of made) await enqueue(queues.alertDispatch, { dispatchId: dispatch.id }, { tx, key: dispatch.id });
    return { dispatched: made.length };
  });
}

type RecipientState = "sending" | "sent" | "failed";

export interface RecipientResult {
  to: string;
  state: RecipientState;
  /** The provider's id: the SMTP Message-ID, Twilio's SM… sid, the webhook delivery, the notifications' count. */
  providerId?: string | null;
  error?: string | null;
  at: string;
}

/** The rule's people with one of `roles` (every member when `roles` is empty): who gets in-app notifications and role emails. */
async function membersWith(workspaceId: string, roles: string[]) {
  const members = await listMembers(workspaceId);
  return roles.length ? members.filter((m) => roles.includes(m.role)) : members;
}

function resultsOf(dispatch: AlertDispatch): Map<string, RecipientResult> {
  const list = Array.isArray(dispatch.results) ? (dispatch.results as unknown as RecipientResult[]) : [];
  return new Map(list.map((r) => [r.to, r]));
}

async function saveResults(id: string, results: Map<string, RecipientResult>) {
  await db().alertDispatch.update({ where: { id }, data: { results: [...results.values()] as unknown as Prisma.InputJsonValue } });
}

/** A short stable reference for a dispatch and recipient: in a text message, what finds it again at Twilio. */
function refOf(dispatchId: string, to = ""): string {
  return createHash("sha256").update(`${dispatchId}|${to}`).digest("hex").slice(0, 8);
}

async function finish(dispatch: AlertDispatch, outcome: { status: "sent" | "failed" | "skipped"; error?: string | null; results?: Map<string, RecipientResult> }) {
  await db().alertDispatch.update({
    where: { id: dispatch.id },
    data: {
      status: outcome.status,
      error: outcome.error ?? null,
      ...(outcome.results ? { results: [...outcome.results.values()] as unknown as Prisma.InputJsonValue } : {}),
      sentAt: outcome.status === "sent" ? now() : null,
    },
  });
  return { kind: outcome.status };
}

/** What the dispatch says: its event's, or its digest period's. Null when its event is gone. */
async function contentOf(dispatch: AlertDispatch, rule: AlertRuleView, workspace: { name: string; timezone: string }, ref: string) {
  const base = { ruleName: rule.name, workspaceName: workspace.name, appUrl: env().APP_URL.replace(/\/$/, ""), ref };
  if (dispatch.periodStart && dispatch.periodEnd && rule.cadence !== "realtime") {
    const digest = await digestFacts({ rule, periodStart: dispatch.periodStart, periodEnd: dispatch.periodEnd, timeZone: workspace.timezone });
    return { content: digestContent({ ...base, eventType: rule.eventType, digest }), data: { digest } };
  }
  const event = dispatch.eventId
    ? await db().webhookEvent.findFirst({ where: { id: dispatch.eventId, workspaceId: dispatch.workspaceId }, select: EVENT_FACTS })
    : null;
  if (!event) return null;
  return { content: realtimeContent({ ...base, event }), data: { event } };
}

/** The body an alert rule's webhook receives: the rule, and the event or the digest. */
function webhookData(rule: AlertRuleView, dispatch: AlertDispatch, data: { event?: AlertEventFacts; digest?: unknown }) {
  return {
    alert: { dispatchId: dispatch.id, ruleId: rule.id, ruleName: rule.name, eventType: rule.eventType, channel: rule.channel, cadence: rule.cadence },
    ...(data.event ? { event: data.event } : {}),
    ...(data.digest ? { digest: data.digest } : {}),
  };
}

/**
 * The alert-dispatch job. Pending only: a sent, failed or skipped dispatch is done. A recipient
 * that failed for a passing reason throws (pg-boss retries; those sent are not sent again) until the
 * last attempt, which records the failure.
 */
export async function sendAlertDispatch(input: { dispatchId: string; finalAttempt?: boolean }): Promise<{ kind: string }> {
  const found = await db().alertDispatch.findUnique({ where: { id: input.dispatchId }, include: { rule: { include: { workspace: { select: { name: true, timezone: true } } } } } });
  if (!found || found.status !== "pending") return { kind: "skipped" };
  const { rule: row, ...rest } = found;
  const dispatch = await db().alertDispatch.update({ where: { id: rest.id }, data: { attempts: { increment: 1 } } });
  const rule = viewOf(row);
  if (!rule.enabled) return finish(dispatch, { status: "skipped", error: "The rule was turned off before this alert went out." });
  const made = await contentOf(dispatch, rule, row.workspace, refOf(dispatch.id));
  if (!made) return finish(dispatch, { status: "failed", error: "The event this alert was about no longer exists." });
  switch (dispatch.channel) {
    case "email":
      return sendEmails(dispatch, rule, made.content, input.finalAttempt ?? false);
    case "sms":
      return sendTexts(dispatch, rule, made.content, input.finalAttempt ?? false);
    case "webhook":
      return sendWebhook(dispatch, rule, made.data);
    default:
      return sendInApp(dispatch, rule, made.content);
  }
}

/** Done with every recipient: sent when someone got it; otherwise failed, or thrown for a retry while one may yet succeed. */
async function settle(dispatch: AlertDispatch, results: Map<string, RecipientResult>, passing: string[], finalAttempt: boolean) {
  if (passing.length && !finalAttempt) {
    await saveResults(dispatch.id, results);
    throw new Error(`alert ${dispatch.id}: ${passing.length} recipient(s) not reached yet: ${passing[0]}`);
  }
  const failed = [...results.values()].filter((r) => r.state !== "sent");
  const someone = failed.length < results.size;
  const error = failed.length ? failed.map((r) => `${r.to}: ${r.error ?? "not sent"}`).join("; ") : null;
  return finish(dispatch, { status: someone ? "sent" : "failed", error, results });
}

async function sendEmails(dispatch: AlertDispatch, rule: AlertRuleView, content: AlertContent, finalAttempt: boolean) {
  const byRole = rule.recipientRoles.length ? (await membersWith(dispatch.workspaceId, rule.recipientRoles)).map((m) => m.email) : [];
  const recipients = [...new Set([...rule.recipientEmails, ...byRole.filter((e): e is string => Boolean(e)).map((e) => e.toLowerCase())])];
  if (recipients.length === 0) return finish(dispatch, { status: "skipped", error: "No one to send it to: no member has the rule's roles." });
  const results = resultsOf(dispatch);
  const passing: string[] = [];
  const html = content.text
    .split("\n\n")
    .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
    .join("");
  for (const to of recipients) {
    if (results.get(to)?.state === "sent") continue;
    // The same on every attempt: a resend is the same email.
    const messageId = `<alert-${dispatch.id}-${refOf(dispatch.id, to)}@recoup>`;
    try {
      await deliverEmail({ to, subject: content.subject, text: content.text, html, messageId }, { kind: "owner_notice", workspaceId: dispatch.workspaceId, audience: "members" });
      results.set(to, { to, state: "sent", providerId: messageId, at: now().toISOString() });
    } catch (error) {
      passing.push(to);
      results.set(to, { to, state: "failed", error: (error as Error).message, at: now().toISOString() });
      log.warn("alert email not sent", { dispatchId: dispatch.id, error: (error as Error).message });
    }
    await saveResults(dispatch.id, results);
  }
  return settle(dispatch, results, passing, finalAttempt);
}

/**
 * Text messages through the SMS port (Twilio). A recipient is marked "sending" before the POST: found so on a
 * retry (a crash between the POST and the mark of its result), the message is looked up at Twilio
 * by its reference before it is sent again.
 */
async function sendTexts(dispatch: AlertDispatch, rule: AlertRuleView, content: AlertContent, finalAttempt: boolean) {
  const port = smsSender();
  if ("reason" in port) return finish(dispatch, { status: "failed", error: port.reason });
  const { sender } = port;
  const results = resultsOf(dispatch);
  const passing: string[] = [];
  for (const to of rule.recipientPhones) {
    const before = results.get(to);
    if (before?.state === "sent" || (before?.state === "failed" && before.providerId === "permanent")) continue;
    const body = content.sms.replace(/ ref \w+$/, ` ref ${refOf(dispatch.id, to)}`);
    try {
      // Sending, or a passing failure (a timeout may follow a created message): Twilio may have it already.
      if (before) {
        const earlier = await sender.findSent({ to, body });
        if (earlier) {
          results.set(to, { to, state: "sent", providerId: earlier.id, at: now().toISOString() });
          await saveResults(dispatch.id, results);
          continue;
        }
      }
      results.set(to, { to, state: "sending", at: now().toISOString() });
      await saveResults(dispatch.id, results);
      const sms = await sender.send({ to, body });
      results.set(to, { to, state: "sent", providerId: sms.id, at: now().toISOString() });
    } catch (error) {
      const permanent = error instanceof SmsError && error.permanent;
      if (!permanent) passing.push(to);
      // A refused message was not created: nothing to look up on the next attempt.
      results.set(to, { to, state: "failed", providerId: permanent ? "permanent" : null, error: (error as Error).message, at: now().toISOString() });
      log.warn("alert text message not sent", { dispatchId: dispatch.id, permanent, error: (error as Error).message });
    }
    await saveResults(dispatch.id, results);
  }
  return settle(dispatch, results, passing, finalAttempt);
}

/** One `alert.triggered` event to the rule's endpoint: signed, retried and logged like every delivery. */
async function sendWebhook(dispatch: AlertDispatch, rule: AlertRuleView, data: { event?: AlertEventFacts; digest?: unknown }) {
  if (!rule.webhookEndpointId) return finish(dispatch, { status: "failed", error: "The rule's webhook endpoint was deleted." });
  return db().$transaction(async (tx) => {
    const sent = await emitToEndpoint({
      tx,
      workspaceId: dispatch.workspaceId,
      endpointId: rule.webhookEndpointId!,
      type: "alert.triggered",
      dedupeKey: `alert:${dispatch.id}`,
      data: webhookData(rule, dispatch, data),
    });
    const to = rule.webhookEndpointId!;
    const result: RecipientResult = { to, state: sent.deliveryId ? "sent" : "failed", providerId: sent.eventId, at: now().toISOString() };
    await tx.alertDispatch.update({
      where: { id: dispatch.id },
      data: {
        status: sent.deliveryId ? "sent" : "failed",
        error: sent.deliveryId ? null : "The rule's webhook endpoint was deleted.",
        results: [result] as unknown as Prisma.InputJsonValue,
        sentAt: sent.deliveryId ? now() : null,
      },
    });
    return { kind: sent.deliveryId ? "sent" : "failed" };
  });
}

/** A notification per member to tell (the rule's roles, or everyone): the dashboard's bell shows them. */
async function sendInApp(dispatch: AlertDispatch, rule: AlertRuleView, content: AlertContent) {
  const members = await membersWith(dispatch.workspaceId, rule.recipientRoles);
  if (members.length === 0) return finish(dispatch, { status: "skipped", error: "No member has the rule's roles." });
  return db().$transaction(async (tx) => {
    await notifyMembers({ tx, workspaceId: dispatch.workspaceId, userIds: members.map((m) => m.userId), dedupeKey: `alert:${dispatch.id}`, title: content.title, body: content.body, link: content.link });
    const at = now().toISOString();
    const results = members.map((m): RecipientResult => ({ to: m.email ?? m.userId, state: "sent", providerId: m.userId, at }));
    await tx.alertDispatch.update({ where: { id: dispatch.id }, data: { status: "sent", error: null, results: results as unknown as Prisma.InputJsonValue, sentAt: now() } });
    return { kind: "sent" };
  });
}
