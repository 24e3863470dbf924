// Dunning emails for one recovery: scheduling the sequence's steps, rendering and storing each
// message (the DunningMessage row is also the outbox), sending it through the one message lifecycle
// (app/domain/messages/lifecycle.server.ts), and tracking what the customer did with it. The recovery engine calls scheduleSequence, requestCustomerAction,
// resumeSequence and markConverted; the dunning-step and dunning-send jobs call the rest.
import { emitDunningEmailSent } from "~/domain/webhooks/collect-events.server";
import { randomBytes } from "node:crypto";
import { DateTime } from "luxon";
import { AppError } from "~/domain/errors";
import { setRecoverySequence } from "~/domain/recovery/commands.server";
import { createRecoveryToken, payLinkOfRecoveryUrl, recoveryUrl } from "~/domain/recovery/links.server";
import type { ReadInTransaction } from "~/domain/recovery/listeners";
import { retrySettingsFor } from "~/domain/recovery/policy";
import { zoneOf } from "~/utils/customer-zone";
import { now } from "~/utils/clock.server";
import { db, type Db, type Prisma, type Tx } from "~/utils/db.server";
import { deliverEmail } from "~/domain/mail/outbox.server";
import { DeliveryUnknownError, enqueueSend, HANDED_OVER, OPEN_STATUSES, sendStoredMessage, type Refused, type SendOutcome as SendOutcomeOf, type Sent } from "~/domain/messages/lifecycle.server";
import { permanentRecipientFailure, suppressedSkipReason } from "~/domain/deliverability/policy";
import { isSuppressed, suppress } from "~/domain/deliverability/suppressions.server";
import { listUnsubscribeHeaders } from "~/domain/deliverability/unsubscribe.server";
import type { EmailReceipt } from "~/utils/email.server";
import { env } from "~/utils/env.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import { emailAllowedAt, emailSendAt } from "~/domain/recovery/email-plan";
import { planStepEmail } from "~/domain/recovery/email-plan.server";
import { log } from "~/utils/logger.server";
import { stepDueAt } from "./schedule";
import { abVariantForStep } from "./ab-tests.server";
import { stepJobKey } from "./step-jobs.server";
import { renderEmail, type EmailBranding, type PlaceholderValues } from "./templates";
import { formatMoney } from "~/utils/money";
import type { Recovery } from "../../../generated/prisma/client";

type Client = Db | Tx;
type MessageStatus = "scheduled" | "sending" | "delivery_unknown" | "sent" | "opened" | "clicked" | "converted" | "failed" | "skipped";
export type CustomerActionKind = "card_update_request" | "authentication_request";

const RECOVERY_FOR_EMAIL = { customer: true, workspace: true } as const;
type RecoveryForEmail = Prisma.RecoveryGetPayload<{ include: typeof RECOVERY_FOR_EMAIL }>;

const STEPS_IN_ORDER = { steps: { orderBy: { position: "asc" } } } as const;

const SKIPPED_PAUSED = "recovery paused";
const SKIPPED_CLOSED = "recovery closed";
const SKIPPED_NO_EMAIL = "no email address";

const SENT_OR_GOING: MessageStatus[] = ["scheduled", ...HANDED_OVER];
const TRACKING_ID = /^[A-Za-z0-9_-]{8,64}$/;

export function openPixelUrl(trackingId: string): string {
  return `${env().APP_URL}/e/o/${trackingId}.gif`;
}

/** The Message-ID header of a message: fixed per row, the key the SMTP server sees it under (handed over at most once). */
export function messageIdHeader(messageId: string): string {
  return `<${messageId}@recoup>`;
}

export function merchantName(workspace: { senderName: string | null; name: string }): string {
  return workspace.senderName?.trim() || workspace.name;
}

/** The workspace's name, colour and logo as the dunning emails (and their previews) show them. */
export function emailBranding(
  workspace: { senderName: string | null; name: string; brandColor: string | null; logoUrl: string | null },
  buttonLabel?: string,
): EmailBranding {
  return { merchantName: merchantName(workspace), accentColor: workspace.brandColor ?? undefined, logoUrl: workspace.logoUrl, buttonLabel };
}

function declineReason(failureMessage: string | null): string {
  const reason = failureMessage?.trim().replace(/\.+$/, "");
  return reason || "your bank declined the payment";
}

function retryDate(recovery: RecoveryForEmail): string {
  if (recovery.nextActionKind !== "retry" || !recovery.nextActionAt) return "when you update your card";
  let at = DateTime.fromJSDate(recovery.nextActionAt, { zone: recovery.workspace.timezone });
  if (!at.isValid) at = DateTime.fromJSDate(recovery.nextActionAt, { zone: "UTC" });
  return at.setLocale("en").toFormat("cccc, LLLL d");
}

function placeholderValues(recovery: RecoveryForEmail, trackingId: string): PlaceholderValues {
  return {
    customer_name: recovery.customer?.name?.trim() || "there",
    amount: formatMoney(recovery.amountDueMinor, recovery.currency),
    currency: recovery.currency.toUpperCase(),
    decline_reason: declineReason(recovery.failureMessage),
    retry_date: retryDate(recovery),
    update_payment_url: recoveryUrl(createRecoveryToken(recovery.id, now()), trackingId),
    pay_link_url: payLinkOfRecoveryUrl(createRecoveryToken(recovery.id, now())),
    merchant_name: merchantName(recovery.workspace),
  };
}

async function loadRecovery(client: Client, recoveryId: string): Promise<RecoveryForEmail | null> {
  return client.recovery.findUnique({ where: { id: recoveryId }, include: RECOVERY_FOR_EMAIL });
}

/**
 * A recovery already read, with what its emails need (one statement fewer than loadRecovery: ADR
 * 0062); its customer and workspace as the engine read them in this transaction, when it did (ADR 0066).
 */
async function withEmailRelations(tx: Tx, recovery: Recovery, read: ReadInTransaction = {}): Promise<RecoveryForEmail> {
  const customerRead = read.customer !== undefined && (read.customer?.id ?? null) === recovery.customerId;
  const customer = customerRead ? read.customer! : recovery.customerId ? await tx.customer.findUnique({ where: { id: recovery.customerId } }) : null;
  const workspace = read.workspace?.id === recovery.workspaceId ? read.workspace : await tx.workspace.findUniqueOrThrow({ where: { id: recovery.workspaceId } });
  return { ...recovery, customer, workspace };
}

/** The address a recovery's emails go to: the customer's, trimmed; null when there is none. */
function customerAddress(recovery: { customer: { email: string | null } | null }): string | null {
  return recovery.customer?.email?.trim() || null;
}

/**
 * Renders and stores one message, once per (recovery, dedupeKey), and enqueues its send in the
 * same transaction. A second call with the same key changes nothing.
 */
export async function createMessage(
  tx: Tx,
  input: {
    recovery: RecoveryForEmail;
    stepId: string | null;
    kind: "sequence" | CustomerActionKind | "manual";
    dedupeKey: string;
    subjectTemplate: string;
    bodyTemplate: string;
    buttonLabel?: string;
    /** The A/B test variant whose subject and body these are. */
    ab?: { abTestId: string; abVariant: string };
  },
): Promise<{ messageId: string; created: boolean }> {
  const { recovery } = input;
  const trackingId = randomBytes(16).toString("base64url");
  const values = placeholderValues(recovery, trackingId);
  const email = renderEmail({
    subject: input.subjectTemplate,
    body: input.bodyTemplate,
    values,
    branding: emailBranding(recovery.workspace, input.buttonLabel),
    pixelUrl: openPixelUrl(trackingId),
  });
  const toEmail = customerAddress(recovery);
  // createManyAndReturn: a new row comes back with its id, so only a duplicate is read again (ADR 0062).
  const [inserted] = await tx.dunningMessage.createManyAndReturn({
    data: [
      {
        workspaceId: recovery.workspaceId,
        recoveryId: recovery.id,
        stepId: input.stepId,
        kind: input.kind,
        dedupeKey: input.dedupeKey,
        toEmail,
        subject: email.subject,
        bodyText: email.text,
        bodyHtml: email.html,
        status: toEmail ? "scheduled" : "skipped",
        error: toEmail ? null : SKIPPED_NO_EMAIL,
        scheduledFor: now(),
        trackingId,
        abTestId: input.ab?.abTestId ?? null,
        abVariant: input.ab?.abVariant ?? null,
      },
    ],
    select: { id: true },
    skipDuplicates: true, // ON CONFLICT DO NOTHING on (recoveryAttemptId, dedupeKey)
  });
  const message =
    inserted ??
    (await tx.dunningMessage.findUniqueOrThrow({
      where: { recoveryId_dedupeKey: { recoveryId: recovery.id, dedupeKey: input.dedupeKey } },
      select: { id: true },
    }));
  if (inserted && toEmail) await enqueueSend(tx, queues.dunningSend, message.id);
  return { messageId: message.id, created: Boolean(inserted) };
}

/**
 * Inside the engine's transaction that opens a recovery, once a campaign has enrolled it
 * (app/domain/campaigns/recovery-listener.server.ts): schedules the campaign's first step at
 * startedAt + delayHours. Each step, when it runs, schedules the next one. Idempotent (one job per
 * recovery and step).
 */
export async function scheduleSequence(input: {
  tx: Tx;
  recovery: { id: string; startedAt: Date; experimentParams?: unknown };
  sequence: { id: string; steps: Array<{ id: string; delayHours: number }> };
}): Promise<{ stepId: string; dueAt: Date } | null> {
  const { tx, recovery, sequence } = input;
  const first = sequence.steps[0];
  if (!first) return null;
  // The recovery's campaign in /api/v1 (filterable: Recovery.sequenceId is indexed).
  await setRecoverySequence(tx, { recoveryId: recovery.id, sequenceId: sequence.id });
  const dueAt = stepDueAt(recovery, first.delayHours);
  await enqueue(
    queues.dunningStep,
    { recoveryId: recovery.id, stepId: first.id },
    { key: stepJobKey(recovery.id, first.id), startAfter: dueAt, tx },
  );
  return { stepId: first.id, dueAt };
}

/**
 * The latest email this customer's address got (or is about to get) from the workspace, about any
 * of their recoveries. Null when none did (or no address).
 */
async function lastEmailToCustomer(
  client: Client,
  input: { workspaceId: string; toEmail: string | null },
): Promise<{ id: string; at: Date; subject: string } | null> {
  // The inbox is what the rule protects: by address (index (workspaceId, toEmail, scheduledFor)).
  if (!input.toEmail) return null;
  const latest = await client.dunningMessage.findFirst({
    where: { workspaceId: input.workspaceId, status: { in: SENT_OR_GOING }, toEmail: input.toEmail },
    orderBy: [{ scheduledFor: "desc" }, { id: "desc" }],
    select: { id: true, sentAt: true, scheduledFor: true, subject: true },
  });
  return latest ? { id: latest.id, at: latest.sentAt ?? latest.scheduledFor, subject: latest.subject } : null;
}

/** The earliest moment another email may go to the customer: now, or the spacing after their last one. */
export async function nextEmailAllowedAt(
  client: Client,
  input: { workspaceId: string; toEmail: string | null },
): Promise<{ at: Date; last: { id: string; at: Date; subject: string } | null }> {
  const last = await lastEmailToCustomer(client, input);
  return { at: emailAllowedAt(now(), last?.at ?? null), last };
}

export type StepOutcome =
  | { outcome: "created" | "already_created"; messageId: string; nextStepId: string | null }
  | { outcome: "spaced"; dueAt: Date }
  | { outcome: "not_sent"; reason: string }
  | { outcome: "recovery_missing" | "recovery_closed" | "recovery_paused" | "step_gone" | "campaign_paused" };

/** Campaign statuses whose steps are kept: sent (active; completed finishes what it started) or held (paused). */
const SENDING = new Set(["active", "completed", "paused"]);

/**
 * The dunning-step job: the step's message for this recovery (created once), its send, and the
 * next step's job. A paused recovery stops here; resumeSequence picks it up again.
 */
export async function runDunningStep(input: { recoveryId: string; stepId: string }): Promise<StepOutcome> {
  const recovery = await loadRecovery(db(), input.recoveryId);
  if (!recovery) return { outcome: "recovery_missing" };
  if (recovery.status !== "pending") return { outcome: "recovery_closed" };
  if (recovery.paused) return { outcome: "recovery_paused" };
  // The step's own sequence, not today's active one: a recovery finishes the sequence it started.
  const step = await db().dunningStep.findFirst({
    where: { id: input.stepId, workspaceId: recovery.workspaceId },
    include: { sequence: { include: STEPS_IN_ORDER } },
  });
  // Deleted from the sequence, the sequence deleted, switched off or archived: the merchant no longer
  // wants it sent (a deleted sequence's recoveries were handed over to the active one, see
  // deleteSequence). A paused campaign holds it: activating the campaign again resumes it. A
  // completed campaign claims nobody new but finishes what it started.
  if (!step || !SENDING.has(step.sequence.status)) return { outcome: "step_gone" };
  // The merchant moved the recovery to another campaign (enrollRecoveryInCampaign): this one's steps are no longer its.
  const moved = await db().campaignEnrollment.findFirst({ where: { recoveryId: recovery.id, campaignId: step.sequenceId, status: "exited", endReason: MOVED_TO_CAMPAIGN }, select: { id: true } });
  if (moved) return { outcome: "step_gone" };
  if (step.sequence.status === "paused") {
    await db().campaignEnrollment.updateMany({ where: { recoveryId: recovery.id, campaignId: step.sequenceId, status: "active" }, data: { status: "paused" } });
    return { outcome: "campaign_paused" };
  }

  // When the step goes, or that it does not, is the recovery's brain's call (email-plan.ts): at most
  // three emails per failed payment, a day apart, after a retry due first, in the customer's
  // daytime. Once its message exists, nothing changes.
  const own = await db().dunningMessage.findUnique({
    where: { recoveryId_dedupeKey: { recoveryId: recovery.id, dedupeKey: `step:${step.id}` } },
    select: { id: true },
  });
  if (!own) {
    const last = await lastEmailToCustomer(db(), { workspaceId: recovery.workspaceId, toEmail: customerAddress(recovery) });
    const plan = await db().$transaction((tx) =>
      planStepEmail(tx, recovery, { dueAt: stepDueAt(recovery, step.delayHours), lastEmailToCustomerAt: last?.at ?? null }),
    );
    if (plan.kind === "skip") {
      // The reasons hold for the later steps too (the customer revoked, or had their three emails).
      log.info("dunning step not sent", { recoveryId: recovery.id, stepId: step.id, reason: plan.reason });
      return { outcome: "not_sent", reason: plan.reason };
    }
    if (plan.at.getTime() > now().getTime()) {
      await enqueue(
        queues.dunningStep,
        { recoveryId: recovery.id, stepId: step.id },
        { key: `${stepJobKey(recovery.id, step.id)}:spaced:${plan.at.getTime()}`, startAfter: plan.at },
      );
      return { outcome: "spaced", dueAt: plan.at };
    }
  }

  return db().$transaction(async (tx) => {
    const steps = step.sequence.steps;
    const index = steps.findIndex((s) => s.id === step.id);
    // A running A/B test of this step gives the customer its variant's subject and body (ADR 0073).
    const ab = await abVariantForStep(tx, { campaignId: step.sequenceId, stepPosition: index + 1, customerKey: recovery.externalCustomerId });
    const { messageId, created } = await createMessage(tx, {
      recovery,
      stepId: step.id,
      kind: "sequence",
      dedupeKey: `step:${step.id}`,
      subjectTemplate: ab?.subject ?? step.subjectTemplate,
      bodyTemplate: ab?.body ?? step.bodyTemplate,
      ab: ab ? { abTestId: ab.abTestId, abVariant: ab.abVariant } : undefined,
    });
    const next = steps[index + 1];
    // The enrollment's progress: this step reached; the last one completes it.
    await tx.campaignEnrollment.updateMany({
      where: { recoveryId: recovery.id, campaignId: step.sequenceId, status: { in: ["active", "paused"] }, currentStep: { lt: index + 1 } },
      data: { currentStep: index + 1, totalSteps: steps.length, ...(next ? {} : { status: "completed", endReason: "all_steps_sent", endedAt: now() }) },
    });
    if (next) {
      await enqueue(
        queues.dunningStep,
        { recoveryId: recovery.id, stepId: next.id },
        { key: stepJobKey(recovery.id, next.id), startAfter: stepDueAt(recovery, next.delayHours), tx },
      );
    }
    return { outcome: created ? "created" : "already_created", messageId, nextStepId: next?.id ?? null };
  });
}

const CUSTOMER_ACTION_TEMPLATES: Record<CustomerActionKind, { subject: string; body: string; buttonLabel: string }> = {
  card_update_request: {
    subject: "Your card for {{merchant_name}} needs updating",
    body:
      "Hi {{customer_name}},\n\nWe couldn't take your payment of {{amount}} to {{merchant_name}} ({{decline_reason}}), and it won't go through on the card we have on file. Please update your card so that your subscription carries on:\n\n{{update_payment_url}}\n\nIt takes less than a minute.\n\nThanks,\n{{merchant_name}}",
    buttonLabel: "Update your card",
  },
  authentication_request: {
    subject: "Please confirm your payment to {{merchant_name}}",
    body:
      "Hi {{customer_name}},\n\nYour bank needs you to confirm this payment of {{amount}} to {{merchant_name}} before it can go through. It only takes a moment:\n\n{{update_payment_url}}\n\nThanks,\n{{merchant_name}}",
    buttonLabel: "Confirm your payment",
  },
};

/**
 * An immediate email outside the sequence, asking the customer to act (new card, or confirm the
 * payment with their bank). Once per dedupeKey; inside `tx` when given. Null when the recovery is
 * closed or paused.
 */
export async function requestCustomerAction(input: {
  recoveryId: string;
  kind: CustomerActionKind;
  dedupeKey: string;
  tx?: Tx;
  /** The recovery as `tx` has just written it (the engine's request): only its customer and workspace are read, unless `read` has them. */
  recovery?: Recovery;
  read?: ReadInTransaction;
}): Promise<{ messageId: string; created: boolean } | null> {
  const run = async (tx: Tx) => {
    const recovery = input.recovery ? await withEmailRelations(tx, input.recovery, input.read) : await loadRecovery(tx, input.recoveryId);
    if (!recovery) throw new AppError("recovery_not_found", `No recovery ${input.recoveryId}.`);
    if (recovery.status !== "pending" || recovery.paused) return null;
    const template = CUSTOMER_ACTION_TEMPLATES[input.kind];
    return createMessage(tx, {
      recovery,
      stepId: null,
      kind: input.kind,
      dedupeKey: input.dedupeKey,
      subjectTemplate: template.subject,
      bodyTemplate: template.body,
      buttonLabel: template.buttonLabel,
    });
  };
  return input.tx ? run(input.tx) : db().$transaction(run);
}

/**
 * After the engine un-pauses a recovery: schedules the step after the last one that produced a
 * message, at max(now, startedAt + delayHours). A step whose message was skipped only because
 * of the pause is sent again (its unsent row is replaced).
 */
export async function resumeSequence(input: { recoveryId: string }): Promise<{ stepId: string; dueAt: Date } | null> {
  const recovery = await db().recovery.findUnique({ where: { id: input.recoveryId }, include: { customer: { select: { email: true } } } });
  if (!recovery || recovery.status !== "pending" || recovery.paused) return null;
  const messages = await db().dunningMessage.findMany({
    where: { recoveryId: recovery.id, kind: "sequence" },
    select: { id: true, stepId: true, status: true, error: true },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });

  // The campaign the recovery follows (the one it was last enrolled in, moved there while paused
  // too; else, for a recovery from before campaigns were recorded, its latest step's) while it still
  // sends. A recovery no campaign claimed, or whose campaign was archived, gets no emails.
  let steps: Array<{ id: string; delayHours: number }> | null = null;
  const latestStepId = messages.find((m) => m.stepId)?.stepId;
  const ownId =
    recovery.sequenceId ?? (latestStepId ? (await db().dunningStep.findUnique({ where: { id: latestStepId }, select: { sequenceId: true } }))?.sequenceId : null);
  if (ownId) {
    const own = await db().dunningSequence.findUnique({ where: { id: ownId }, include: STEPS_IN_ORDER });
    if (own && (own.status === "active" || own.status === "completed")) steps = own.steps;
    // Its campaign is paused: activating the campaign resumes it (resumeCampaignEnrollments).
    if (own?.status === "paused") {
      await db().campaignEnrollment.updateMany({ where: { recoveryId: recovery.id, campaignId: own.id, status: "active" }, data: { status: "paused" } });
      return null;
    }
  }
  if (!steps) return null;

  const byStep = new Map(messages.filter((m) => m.stepId).map((m) => [m.stepId!, m]));
  const skippedByPause = (m: { status: MessageStatus; error: string | null }) => m.status === "skipped" && m.error === SKIPPED_PAUSED;
  let lastDone = -1;
  steps.forEach((s, i) => {
    const m = byStep.get(s.id);
    if (m && !skippedByPause(m)) lastDone = i;
  });
  const next = steps[lastDone + 1];
  if (!next) return null;

  const at = now();
  // Overdue steps go out now, but never within the spacing after the customer's last email.
  const allowed = await nextEmailAllowedAt(db(), { workspaceId: recovery.workspaceId, toEmail: customerAddress(recovery) });
  const dueAt = new Date(Math.max(allowed.at.getTime(), stepDueAt(recovery, next.delayHours).getTime()));
  const unsent = byStep.get(next.id);
  await db().$transaction(async (tx) => {
    if (unsent) await tx.dunningMessage.deleteMany({ where: { id: unsent.id, status: "skipped", error: SKIPPED_PAUSED } });
    // A fresh key: the step's original job has already run (and stopped at the pause). Should the
    // original still be waiting, both run and the message's dedupeKey keeps it to one email.
    await enqueue(
      queues.dunningStep,
      { recoveryId: recovery.id, stepId: next.id },
      { key: `${stepJobKey(recovery.id, next.id)}:resume:${at.getTime()}`, startAfter: dueAt, tx },
    );
  });
  return { stepId: next.id, dueAt };
}

/** The recovery's most recently sent message that the customer could have acted on becomes `converted`. */
export async function markConverted(input: { recoveryId: string; tx?: Tx }): Promise<{ messageId: string } | null> {
  const client = input.tx ?? db();
  const convertible: MessageStatus[] = ["delivery_unknown", "sent", "opened", "clicked"];
  const message = await client.dunningMessage.findFirst({
    where: { recoveryId: input.recoveryId, status: { in: convertible } },
    orderBy: [{ sentAt: { sort: "desc", nulls: "last" } }, { createdAt: "desc" }],
    select: { id: true },
  });
  if (!message) return null;
  const { count } = await client.dunningMessage.updateMany({
    where: { id: message.id, status: { in: convertible } },
    data: { status: "converted", convertedAt: now() },
  });
  return count ? { messageId: message.id } : null;
}

/** The open pixel was fetched. Statuses only move forward: scheduled < sent < opened < clicked < converted. */
export async function recordOpen(trackingId: string): Promise<boolean> {
  if (!TRACKING_ID.test(trackingId)) return false;
  const at = now();
  const [stamped, moved] = await db().$transaction([
    db().dunningMessage.updateMany({ where: { trackingId, openedAt: null, status: { in: HANDED_OVER } }, data: { openedAt: at } }),
    db().dunningMessage.updateMany({ where: { trackingId, status: { in: ["sending", "delivery_unknown", "sent"] } }, data: { status: "opened" } }),
  ]);
  return stamped.count + moved.count > 0;
}

/**
 * The customer followed the update link (`/recover/<token>?m=<trackingId>`): called by that page.
 * A click proves an open too. Returns the message's recovery, or null for an unknown trackingId.
 */
export async function recordClick(trackingId: string): Promise<{ recoveryId: string } | null> {
  if (!TRACKING_ID.test(trackingId)) return null;
  const at = now();
  const [, , , message] = await db().$transaction([
    db().dunningMessage.updateMany({ where: { trackingId, clickedAt: null, status: { in: HANDED_OVER } }, data: { clickedAt: at } }),
    db().dunningMessage.updateMany({ where: { trackingId, openedAt: null, status: { in: HANDED_OVER } }, data: { openedAt: at } }),
    db().dunningMessage.updateMany({ where: { trackingId, status: { in: ["sending", "delivery_unknown", "sent", "opened"] } }, data: { status: "clicked" } }),
    db().dunningMessage.findUnique({ where: { trackingId }, select: { recoveryId: true } }),
  ]);
  return message ? { recoveryId: message.recoveryId } : null;
}

export type SendOutcome = SendOutcomeOf<Sent<EmailReceipt["transport"]> | Refused>;

/**
 * Whether an SMTP failure may have come after the server took the message: the connection was lost
 * or timed out mid-exchange, with no reply code. A reply code (4xx/5xx) is the server's refusal, and
 * a connection that was never made or never greeted carried nothing: those are retried.
 */
function smtpMayHaveAccepted(error: unknown): boolean {
  const e = error as { responseCode?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e.responseCode === "number") return false;
  if (/\bconnect E[A-Z]+|getaddrinfo|Greeting never received/.test(String(e.message ?? ""))) return false;
  return e.code === "ECONNECTION" || e.code === "ESOCKET" || e.code === "ETIMEDOUT";
}

/**
 * The dunning-send job: hands one message to the mail transport through the one message lifecycle
 * (app/domain/messages/lifecycle.server.ts): claimed before SMTP, `sent` after, and handed over at
 * most once under its Message-ID (docs/decisions/0058-emails-at-most-once-per-message-id.md): a run
 * that finds it claimed, or a connection lost mid-exchange, leaves it `delivery_unknown`. An SMTP
 * refusal is retried; on the job's last attempt a failure marks the message `failed`. An address
 * the workspace suppressed is not sent to (`skipped`), and a permanent refusal of the recipient (a
 * 5xx to RCPT TO or DATA) suppresses it as a hard bounce and fails the message at once (ADR 0071).
 */
export async function sendDunningMessage(input: { messageId: string; lastAttempt?: boolean }): Promise<SendOutcome> {
  const message = await db().dunningMessage.findUnique({
    where: { id: input.messageId },
    include: { recovery: { include: { workspace: true, customer: { select: { timezone: true } } } } },
  });
  const suppressed = message?.status === "scheduled" && message.toEmail ? await isSuppressed(message.workspaceId, message.toEmail) : null;
  const outcome = await sendStoredMessage({
    message,
    lastAttempt: input.lastAttempt,
    skip: ({ recovery, toEmail }) =>
      recovery.status !== "pending"
        ? SKIPPED_CLOSED
        : recovery.paused
          ? SKIPPED_PAUSED
          : !toEmail
            ? SKIPPED_NO_EMAIL
            : suppressed
              ? suppressedSkipReason(suppressed.reason)
              : null,
    // What Recoup sends on its own goes out in the customer's daytime, outside quiet hours
    // (email-plan.ts); an email the merchant sends on purpose ("manual:…") goes now. Another job,
    // keyed by the new time, sends it then.
    hold: async ({ id, dedupeKey, recovery }) => {
      if (dedupeKey.startsWith("manual:")) return null;
      const zone = zoneOf(recovery.customer?.timezone, recovery.workspace.timezone);
      const at = now();
      const until = emailSendAt(at, retrySettingsFor(recovery.workspace), zone);
      if (until.getTime() <= at.getTime()) return null;
      await db().$transaction(async (tx) => {
        await tx.dunningMessage.updateMany({ where: { id, status: { in: OPEN_STATUSES } }, data: { scheduledFor: until } });
        await enqueue(queues.dunningSend, { messageId: id }, { key: `${id}:${until.toISOString()}`, startAfter: until, tx });
      });
      return until;
    },
    callOut: async (m): Promise<Sent<EmailReceipt["transport"]> | Refused> => {
      const to = m.toEmail!;
      try {
        const receipt = await deliverEmail({
          to,
          subject: m.subject,
          text: m.bodyText,
          html: m.bodyHtml,
          messageId: messageIdHeader(m.id),
          fromName: merchantName(m.recovery.workspace),
          replyTo: m.recovery.workspace.replyTo,
          headers: listUnsubscribeHeaders({ workspaceId: m.workspaceId, email: to }),
        }, { keptBy: "dunning_message" });
        return { sent: true, ...receipt };
      } catch (error) {
        // The recipient's server refused the address for good: no retry, and no more mail to it.
        const permanent = permanentRecipientFailure(error);
        if (permanent) {
          await suppress({ workspaceId: m.workspaceId, email: to, reason: "hard_bounce", source: "smtp", detail: permanent });
          return { sent: false, errors: [permanent] };
        }
        throw smtpMayHaveAccepted(error) ? new DeliveryUnknownError(error) : error;
      }
    },
  });
  // Also when a re-run finds it sent already (a crash between the send's record and this line): one event per email.
  if (outcome.outcome === "sent" || outcome.outcome === "not_sendable") await emitDunningEmailSent({ messageId: input.messageId });
  return outcome;
}

/** How many paused enrollments one campaign-resume job resumes per batch. */
const RESUME_BATCH = 200;

/**
 * The campaign-resume job: a paused campaign is active again, so each enrollment its pause held
 * picks up its next email (resumeSequence: never within a day of the customer's last email).
 * Idempotent: an enrollment is marked active as it is resumed, and resuming twice is one email
 * (each step's message is created once).
 */
export async function resumeCampaignEnrollments(input: { campaignId: string }): Promise<{ resumed: number }> {
  const campaign = await db().dunningSequence.findUnique({ where: { id: input.campaignId }, select: { status: true } });
  if (campaign?.status !== "active") return { resumed: 0 };
  let resumed = 0;
  for (;;) {
    const batch = await db().campaignEnrollment.findMany({
      where: { campaignId: input.campaignId, status: "paused" },
      orderBy: { id: "asc" },
      take: RESUME_BATCH,
      select: { id: true, recoveryId: true },
    });
    if (batch.length === 0) return { resumed };
    for (const e of batch) {
      if (e.recoveryId) await resumeSequence({ recoveryId: e.recoveryId });
      await db().campaignEnrollment.updateMany({ where: { id: e.id, status: "paused" }, data: { status: "active" } });
      resumed++;
    }
  }
}

/** Why an enrollment ended when the merchant moved its recovery to another campaign: its steps no longer send. */
export const MOVED_TO_CAMPAIGN = "moved_to_campaign";

/** The recovery closed: its running enrollment ends, with why. Inside the transaction that closed it. */
/**
 * A recovery moved to another campaign: its emails created but not yet handed over (waiting for the
 * customer's daytime) that are not steps of the new campaign are not sent.
 */
export async function skipWaitingSequenceEmails(input: { tx: Tx; recoveryId: string; keepStepIds: string[]; reason: string }) {
  await input.tx.dunningMessage.updateMany({
    where: { recoveryId: input.recoveryId, kind: "sequence", status: "scheduled", stepId: { notIn: input.keepStepIds } },
    data: { status: "skipped", error: input.reason },
  });
}

export async function endEnrollment(input: { tx: Tx; recoveryId: string; reason: string }) {
  await input.tx.campaignEnrollment.updateMany({
    where: { recoveryId: input.recoveryId, status: { in: ["active", "paused"] } },
    data: { status: "exited", endReason: input.reason, endedAt: now() },
  });
}
