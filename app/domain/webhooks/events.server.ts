// Outbound events: created once per happening (dedupe key), then sent to every enabled endpoint that
// takes their type (one `webhook-deliver` job per endpoint) or, when none does, emailed to the
// workspace owner. Everything is written inside the caller's transaction, so an event never exists
// without its jobs (ADR 0002) and a retried caller never makes a second event.
import { AppError } from "~/domain/errors";
import { toWire } from "~/utils/casing";
import { formatMoney } from "~/utils/money";
import { now } from "~/utils/clock.server";
import { db, type Prisma, type Tx } from "~/utils/db.server";
import { emailOwnerNotice } from "~/domain/messages/owner-notice.server";
import { log } from "~/utils/logger.server";
import { enqueue } from "~/utils/queue.server";
import type { WebhookEvent } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { WEBHOOK_EVENT_CATALOGUE, type CatalogueEventType } from "./schemas";

// Sending is delivery.server.ts's; these names were this module's first.
export { deliverWebhook, postSigned, testWebhookEndpoint, wireEvent, type PostResult } from "./delivery.server";

export type EventChannel = "webhook" | "email" | "none";

/** Flow Arc's alert event types (seed 001, AlertRule.event_type). */
export const ALERT_EVENT_TYPES = ["payment_failed", "payment_succeeded", "payment_refunded", "fallback_triggered", "payment_abandoned", "provider_disconnected", "subscription_past_due"] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

/** An event's facts as alert rules filter on them (filter_json) and people read them. */
export interface AlertFacts {
  type: AlertEventType;
  amountMinor?: number | null;
  /** ISO 4217, upper case. */
  currency?: string | null;
  /** stripe | dojo | shopify | the ingested PSP's name. */
  provider?: string | null;
  /** Flow Arc's failure codes: insufficient_funds, card_expired, incorrect_cvc, card_declined, do_not_honor, fraud_suspected, authentication_required, processing_error, unknown. */
  failureCode?: string | null;
  /** card | bank_transfer | direct_debit | wallet | other. */
  paymentMethod?: string | null;
  /** One line a person reads: "£12.00 from ada@example.com failed: insufficient funds". */
  summary: string;
}

export async function emitWebhookEvent(input: {
  tx: Tx;
  workspaceId: string;
  type: CatalogueEventType;
  dedupeKey: string;
  recoveryId?: string | null;
  /** camelCase; sent snake_case. */
  data: Record<string, unknown>;
  /** An event only an integration wants (a status change): not emailed to the owner when no endpoint takes it. */
  quiet?: boolean;
  /**
   * What Flow Arc's alert rules see of it (ADR 0077), when it is one of their event types: the event
   * is then also handed to the `alert-match` job, in the same transaction.
   */
  alert?: AlertFacts;
}): Promise<{ eventId: string; created: boolean; channel: EventChannel }> {
  const { tx } = input;
  // The catalogue is the contract (the OpenAPI document's `webhooks`): a payload off it is our bug, caught here, not by a receiver.
  const payload = WEBHOOK_EVENT_CATALOGUE[input.type].data.parse(toWire(input.data));
  const [inserted] = await tx.webhookEvent.createManyAndReturn({
    data: {
      workspaceId: input.workspaceId,
      type: input.type,
      dedupeKey: input.dedupeKey,
      recoveryId: input.recoveryId ?? null,
      payload: payload as Prisma.InputJsonValue,
      alertEventType: input.alert?.type ?? null,
      amountMinor: input.alert?.amountMinor ?? null,
      currency: input.alert?.currency ?? null,
      provider: input.alert?.provider ?? null,
      failureCode: input.alert?.failureCode ?? null,
      paymentMethod: input.alert?.paymentMethod ?? null,
      summary: input.alert?.summary ?? null,
      createdAt: now(),
    },
    skipDuplicates: true,
  });
  if (!inserted) {
    const existing = await tx.webhookEvent.findUniqueOrThrow({
      where: { workspaceId_dedupeKey: { workspaceId: input.workspaceId, dedupeKey: input.dedupeKey } },
      include: { deliveries: { select: { id: true } } },
    });
    return { eventId: existing.id, created: false, channel: existing.deliveries.length ? "webhook" : existing.emailedAt ? "email" : "none" };
  }
  if (input.alert) await enqueue(queues.alertMatch, { eventId: inserted.id }, { tx, key: inserted.id });
  const endpoints = await tx.webhookEndpoint.findMany({
    where: { workspaceId: input.workspaceId, enabled: true, events: { has: input.type } },
    select: { id: true },
  });
  if (endpoints.length === 0) {
    if (input.quiet) return { eventId: inserted.id, created: true, channel: "none" };
    await enqueue(queues.webhookOwnerEmail, { eventId: inserted.id }, { tx, key: inserted.id });
    return { eventId: inserted.id, created: true, channel: "email" };
  }
  for (const endpoint of endpoints) {
    const delivery = await tx.webhookDelivery.create({ data: { workspaceId: input.workspaceId, endpointId: endpoint.id, eventId: inserted.id } });
    await enqueue(queues.webhookDeliver, { deliveryId: delivery.id }, { tx, key: delivery.id });
  }
  return { eventId: inserted.id, created: true, channel: "webhook" };
}

/**
 * One event to one chosen endpoint, whatever it subscribes to (an alert rule's webhook channel, ADR
 * 0077): signed, delivered, retried, logged and replayable like every other delivery. Once per dedupe key.
 */
export async function emitToEndpoint(input: {
  tx: Tx;
  workspaceId: string;
  endpointId: string;
  type: "alert.triggered";
  dedupeKey: string;
  /** camelCase; sent snake_case. */
  data: Record<string, unknown>;
}): Promise<{ eventId: string; deliveryId: string | null }> {
  const { tx } = input;
  const [inserted] = await tx.webhookEvent.createManyAndReturn({
    data: { workspaceId: input.workspaceId, type: input.type, dedupeKey: input.dedupeKey, payload: toWire(input.data) as Prisma.InputJsonValue, createdAt: now() },
    skipDuplicates: true,
  });
  const event =
    inserted ?? (await tx.webhookEvent.findUniqueOrThrow({ where: { workspaceId_dedupeKey: { workspaceId: input.workspaceId, dedupeKey: input.dedupeKey } } }));
  const endpoint = await tx.webhookEndpoint.findFirst({ where: { id: input.endpointId, workspaceId: input.workspaceId }, select: { id: true } });
  if (!endpoint) return { eventId: event.id, deliveryId: null };
  const [delivery] = await tx.webhookDelivery.createManyAndReturn({ data: { workspaceId: input.workspaceId, endpointId: endpoint.id, eventId: event.id }, skipDuplicates: true });
  if (delivery) await enqueue(queues.webhookDeliver, { deliveryId: delivery.id }, { tx, key: delivery.id });
  return { eventId: event.id, deliveryId: delivery?.id ?? null };
}

type RetryDueData = {
  payment_id: string;
  external_id: string;
  provider: string;
  amount_cents: number;
  currency: string;
  attempt_number: number;
  customer?: { email?: string | null; external_id?: string | null };
  reason?: string | null;
};

/** The owner's email for an event no endpoint takes: in words, with what to do. */
function ownerEmailFor(event: WebhookEvent, workspaceName: string): { subject: string; text: string } {
  if (event.type !== "payment.retry_due") throw new AppError("invalid_state", `No email for ${event.type} events.`);
  const d = event.payload as unknown as RetryDueData;
  const amount = formatMoney(d.amount_cents, d.currency);
  const who = d.customer?.email || d.customer?.external_id || "the customer";
  const subject = `Retry due: ${amount} from ${who} (${d.provider} payment ${d.external_id})`;
  const text = [
    `Recoup would retry this failed payment now, but ${d.provider} payments are charged by you, not by Recoup.`,
    "",
    `Payment: ${d.external_id} (${d.provider}), ${amount}`,
    `Customer: ${who}`,
    `Retry: number ${d.attempt_number}`,
    ...(d.reason ? [`Why now: ${d.reason}`] : []),
    "",
    "Retry it in your payment system, then tell Recoup how it went: POST /api/v1/ingest/payment-event with payment_succeeded or payment_failed for this external_id.",
    `To receive these as signed "payment.retry_due" webhooks instead of emails, add an endpoint: POST /api/v1/webhooks/endpoints.`,
    "",
    `Event ${event.id} · ${workspaceName}`,
  ].join("\n");
  return { subject, text };
}

/** The `webhook-owner-email` job: once per event (its Message-ID is the event's, so a resend is the same email). */
export async function emailOwnerAboutEvent(input: { eventId: string }) {
  const event = await db().webhookEvent.findUnique({ where: { id: input.eventId }, include: { workspace: { include: { owner: true } } } });
  if (!event || event.emailedAt) return { kind: "skipped" as const };
  const to = event.workspace.owner.email;
  if (!to) {
    log.warn("outbound event has no endpoint and the workspace owner no email", { eventId: event.id, workspaceId: event.workspaceId });
    return { kind: "skipped" as const };
  }
  const { subject, text } = ownerEmailFor(event, event.workspace.name);
  await emailOwnerNotice({ workspace: event.workspace, to, subject, text, messageId: `<${event.id}@recoup>` });
  await db().webhookEvent.update({ where: { id: event.id }, data: { emailedAt: now() } });
  return { kind: "emailed" as const };
}
