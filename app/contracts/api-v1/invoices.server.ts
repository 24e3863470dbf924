import { z } from "zod";
import { classifyDecline, DECLINE_CATEGORIES } from "~/domain/recovery/decline-codes";
import { retrySettingsFor } from "~/domain/recovery/engine.server";
import { getRecoveryTimeline } from "~/domain/recovery/timeline.server";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import type { Prisma } from "../../../generated/prisma/client";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";
import { PAYMENT_STATUSES } from "./payments";
import { paymentStatus } from "./payments.server";
import { RECOVERY_STATUSES } from "./recoveries";
import { recoveryStatus } from "./recoveries.server";
import { inScope, type ApiScope } from "./attempts.server";

// Invoices over /api/v1 (LostChurn 31–32): a failed invoice is a Recovery seen from the
// billing side. Its id is the recovery's (= the payment's); `external_id` the PSP's invoice reference.

const NextActionSchema = z
  .object({
    kind: z.string().describe("retry | email | wait | stop"),
    at: z.iso.datetime().nullable(),
    reason: z.string().nullable().describe("What Recoup does next, and why, in plain words."),
  })
  .register(API_SCHEMA_NAMES, { id: "InvoiceNextAction" });

const AttemptSchema = z
  .object({
    attempt_number: z.number().int(),
    source: z.string().describe("recoup (our retry), platform (the PSP's own attempt) or customer."),
    status: z.string().describe("pending | succeeded | failed | error"),
    decline_code: z.string().nullable(),
    attempted_at: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "InvoiceAttempt" });

export const InvoiceSchema = z
  .object({
    id: z.string().describe("Recoup's id: the same as the payment's and the recovery's."),
    external_id: z.string().describe("The PSP's invoice reference (Stripe `in_…`; Shopify `shopify:<contract>:<billing attempt>`)."),
    psp: z.string(),
    subscription_id: z.string().nullable().describe("The PSP's subscription id, when the invoice belongs to one."),
    customer_id: z.string().nullable().describe("Recoup's customer id."),
    psp_customer_id: z.string(),
    customer_email: z.string().nullable(),
    amount_cents: z.number().int().describe("Amount due, integer minor units."),
    amount_paid_cents: z.number().int().describe("Recovered so far (0 until paid)."),
    currency: z.string().describe("ISO 4217, lower case."),
    status: z.enum(PAYMENT_STATUSES).describe("failed: still owed; recovered: paid; terminal: Recoup stopped (gave up, or the invoice was voided or its subscription ended)."),
    recovery_status: z.enum(RECOVERY_STATUSES),
    paused: z.boolean(),
    decline_code: z.string().nullable(),
    decline_category: z.enum(DECLINE_CATEGORIES).nullable(),
    attempt_count: z.number().int().describe("Charge attempts so far, every source."),
    retry_count: z.number().int().describe("Recoup's own retries."),
    max_retries: z.number().int(),
    attempts: z.array(AttemptSchema).describe("Every charge attempt, oldest first."),
    next_action: NextActionSchema.nullable().describe("Null when the invoice is closed or its recovery paused."),
    close_reason: z.string().nullable().describe("Why it closed (invoice_paid, invoice_void, subscription_canceled, expired, …)."),
    hosted_invoice_url: z.string().nullable(),
    created_at: z.iso.datetime().describe("The first failure."),
    updated_at: z.iso.datetime(),
    closed_at: z.iso.datetime().nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "Invoice" });

const TimelineEventSchema = z
  .object({
    type: z
      .string()
      .describe(
        "payment_failed, retry_attempted, retry_failed, retry_succeeded, payment_succeeded, email_scheduled, email_sent, email_failed, email_opened, link_clicked, paused, retry_scheduled, recovered, terminal",
      ),
    timestamp: z.iso.datetime(),
    details: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
  })
  .register(API_SCHEMA_NAMES, { id: "InvoiceTimelineEvent" });

export const InvoiceTimelineSchema = z
  .object({
    invoice_id: z.string(),
    external_id: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    events: z.array(TimelineEventSchema).describe("Oldest first; a planned retry comes last."),
  })
  .register(API_SCHEMA_NAMES, { id: "InvoiceTimeline" });

export const invoiceInclude = {
  customer: { select: { email: true } },
  retries: { orderBy: [{ attemptedAt: "asc" }, { attemptNumber: "asc" }] },
  outcomes: true,
  workspace: { select: { retrySettings: true, timezone: true } },
} satisfies Prisma.RecoveryInclude;

type InvoiceRow = Prisma.RecoveryGetPayload<{ include: typeof invoiceInclude }>;

function categoryOf(row: InvoiceRow) {
  if ((DECLINE_CATEGORIES as readonly string[]).includes(row.declineCategory ?? "")) return row.declineCategory as (typeof DECLINE_CATEGORIES)[number];
  const code = row.declineCode ?? row.errorCode;
  return code ? classifyDecline(row.provider, code).category : null;
}

export function invoiceOf(row: InvoiceRow) {
  const active = row.status === "pending" && !row.paused;
  return {
    id: row.id,
    externalId: row.externalId,
    psp: row.provider,
    subscriptionId: row.externalSubscriptionId,
    customerId: row.customerId,
    pspCustomerId: row.externalCustomerId,
    customerEmail: row.customer?.email ?? null,
    amountCents: row.amountDueMinor,
    amountPaidCents: row.status === "recovered" ? (row.recoveredAmountMinor ?? row.amountDueMinor) : 0,
    currency: row.currency,
    status: paymentStatus(row.status),
    recoveryStatus: recoveryStatus(row),
    paused: row.paused,
    declineCode: row.declineCode ?? row.errorCode,
    declineCategory: categoryOf(row),
    attemptCount: row.retries.length,
    retryCount: row.recoupRetryCount,
    maxRetries: retrySettingsFor(row.workspace).maxRetries,
    attempts: row.retries.map((r) => ({
      attemptNumber: r.attemptNumber,
      source: r.source,
      status: r.status,
      declineCode: r.declineCode ?? r.errorCode,
      attemptedAt: r.attemptedAt,
    })),
    nextAction: active && row.nextActionKind ? { kind: row.nextActionKind, at: row.nextActionAt, reason: row.nextActionReason } : null,
    closeReason: row.status === "pending" ? null : (row.outcomes[0]?.reasonCode ?? null),
    hostedInvoiceUrl: row.hostedInvoiceUrl,
    createdAt: row.startedAt,
    updatedAt: row.updatedAt,
    closedAt: row.endedAt,
  };
}

async function findInvoice(scope: ApiScope, id: string) {
  const row = await db().recovery.findFirst({
    where: { ...inScope(scope), OR: [{ id }, { externalId: id }] },
    include: invoiceInclude,
  });
  if (!row) throw new AppError("invoice_not_found", "No invoice with this id in this workspace.");
  return row;
}

/** By Recoup's id or the PSP's invoice reference; another workspace's is a 404. */
export async function getInvoice(input: ApiScope & { id: string }) {
  return invoiceOf(await findInvoice(input, input.id));
}

type Event = { type: string; timestamp: Date; details: Record<string, string | number | boolean | null> };

/** Retry and status history, oldest first, from the same record as the dashboard's timeline. */
export async function getInvoiceTimeline(input: ApiScope & { id: string }) {
  const row = await findInvoice(input, input.id);
  const timeline = await getRecoveryTimeline({ workspaceId: input.workspaceId, recoveryId: row.id });
  const events: Event[] = [];
  for (const entry of timeline.entries) {
    const at = new Date(entry.at);
    switch (entry.kind) {
      case "failure": {
        const type = entry.source === "recoup" ? (entry.status === "pending" ? "retry_attempted" : "retry_failed") : "payment_failed";
        events.push({ type, timestamp: at, details: { attemptNumber: entry.attemptNumber, source: entry.source, declineCode: entry.declineCode, message: entry.message } });
        break;
      }
      case "charge_succeeded":
        events.push({
          type: entry.source === "recoup" ? "retry_succeeded" : "payment_succeeded",
          timestamp: at,
          details: { attemptNumber: entry.attemptNumber, source: entry.source, amountCents: row.recoveredAmountMinor ?? row.amountDueMinor },
        });
        break;
      case "email": {
        const type = entry.status === "failed" ? "email_failed" : ["scheduled", "sending"].includes(entry.status) ? "email_scheduled" : "email_sent";
        // A message whose delivery is unknown left our hands (docs/decisions/0058): `sent` in this contract's words.
        const status = entry.status === "delivery_unknown" ? "sent" : entry.status;
        events.push({ type, timestamp: at, details: { messageId: entry.messageId, emailKind: entry.emailKind, subject: entry.subject, status } });
        if (entry.openedAt) events.push({ type: "email_opened", timestamp: new Date(entry.openedAt), details: { messageId: entry.messageId } });
        if (entry.clickedAt) events.push({ type: "link_clicked", timestamp: new Date(entry.clickedAt), details: { messageId: entry.messageId } });
        break;
      }
      case "outcome":
        events.push({
          type: entry.outcome === "recovered" ? "recovered" : "terminal",
          timestamp: at,
          details: { outcome: entry.outcome, reason: entry.reasonCode, amountCents: entry.outcome === "recovered" ? (row.recoveredAmountMinor ?? row.amountDueMinor) : null },
        });
        break;
    }
  }
  if (row.status === "pending" && row.paused && row.pausedAt) events.push({ type: "paused", timestamp: row.pausedAt, details: { reason: row.nextActionReason } });
  // To the second, stably: within one second the dashboard timeline's own order stands.
  const second = (e: Event) => Math.floor(e.timestamp.getTime() / 1000);
  events.sort((a, b) => second(a) - second(b));
  if (row.status === "pending" && !row.paused && row.nextActionKind === "retry" && row.nextActionAt) {
    events.push({ type: "retry_scheduled", timestamp: row.nextActionAt, details: { retryNumber: row.recoupRetryCount + 1, reason: row.nextActionReason } });
  }
  return { invoiceId: row.id, externalId: row.externalId, status: paymentStatus(row.status), events };
}
