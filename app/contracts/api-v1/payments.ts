// /api/v1 payments and recoveries (LostChurn's shapes under our conventions): the wire schemas.
// A payment and a recovery are two views of one Recovery row and share its id.
import { z } from "zod";
import { DECLINE_CATEGORIES } from "~/domain/recovery/decline-codes";
import { PageQuerySchema } from "./pagination.server";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

/** Non-empty text (NUL characters, which PostgreSQL cannot store, are refused by the endpoint pipeline). */
export const text = (max: number) => z.string().trim().min(1).max(max);

export const PAYMENT_STATUSES = ["failed", "recovered", "terminal"] as const;
/** `pending` filters: failed payments Recoup is still working on (not paused). */
export const PAYMENT_STATUS_FILTERS = ["failed", "pending", "recovered", "terminal"] as const;

const isoInstant = z.iso.datetime({ offset: true });
const dateOrInstant = z
  .string()
  .max(40)
  .refine((v) => z.iso.date().safeParse(v).success || isoInstant.safeParse(v).success, "Use a date (YYYY-MM-DD) or an RFC 3339 time (2026-03-28T10:30:00Z).");

export const ListPaymentsQuerySchema = PageQuerySchema.extend({
  status: z.enum(PAYMENT_STATUS_FILTERS).optional().describe("`failed` (open, paused or not), `pending` (open and not paused), `recovered`, `terminal` (given up or closed)."),
  decline_category: z.enum(DECLINE_CATEGORIES).optional(),
  created_after: dateOrInstant.optional().describe("Failed at or after: YYYY-MM-DD (midnight UTC) or RFC 3339."),
  created_before: dateOrInstant.optional().describe("Failed before: YYYY-MM-DD (midnight UTC) or RFC 3339."),
});

export const PaymentIdParamsSchema = z.object({
  id: text(200).describe(
    "Recoup's id, or the PSP's reference: invoice id (`in_…`), Stripe PaymentIntent (`pi_…`) or charge (`ch_…`, `py_…`) of any attempt on it, Shopify billing attempt, or the ingested payment's id.",
  ),
});

export const NextActionSchema = z
  .object({
    kind: z.string().nullable().describe("retry | email | wait | stop"),
    at: z.iso.datetime().nullable(),
    reason: z.string().nullable().describe("Why, in plain words."),
  })
  .register(API_SCHEMA_NAMES, { id: "NextAction" });

export const PaymentSchema = z
  .object({
    id: z.string(),
    external_id: z.string().describe("The PSP's reference (Stripe invoice, Shopify subscription billing, ingested payment id)."),
    payment_intent_id: z
      .string()
      .nullable()
      .describe("Stripe: the invoice's PaymentIntent (`pi_…`), as of the latest charge Recoup has seen; null for other PSPs. Also accepted as `{id}`."),
    latest_charge_id: z
      .string()
      .nullable()
      .describe("Stripe: the latest charge Recoup has seen on it, failed or paid, Stripe's attempt or Recoup's retry (`ch_…`, `py_…`); each attempt's charge is in its timeline event's details, and every one is accepted as `{id}`."),
    amount_cents: z.number().int(),
    currency: z.string().describe("ISO 4217, lower case."),
    status: z.enum(PAYMENT_STATUSES),
    paused: z.boolean().describe("Recovery is paused: no retries or emails until resumed."),
    decline_code: z.string().nullable(),
    decline_category: z.enum(DECLINE_CATEGORIES).nullable(),
    retry_count: z.number().int().describe("Retries Recoup has made."),
    max_retries: z.number().int().describe("Retries the workspace's policy allows."),
    recovered_amount_cents: z.number().int().nullable(),
    customer_id: z.string().nullable().describe("Recoup's customer id (`/api/v1/customers/{id}`)."),
    psp_customer_id: z.string().describe("The PSP's customer id (`cus_…`)."),
    customer_email: z.string().nullable(),
    subscription_id: z.string().nullable(),
    psp: z.string().describe("stripe | shopify | the PSP named at ingest."),
    next_action: NextActionSchema.nullable().describe("What Recoup does next; null once closed."),
    metadata: z.record(z.string(), z.string()),
    created_at: z.iso.datetime().describe("When the payment failed."),
    updated_at: z.iso.datetime(),
    ended_at: z.iso.datetime().nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "Payment" });

export const TIMELINE_EVENT_TYPES = [
  "payment_failed",
  "retry_scheduled",
  "retry_succeeded",
  "retry_failed",
  "email_scheduled",
  "email_sent",
  "email_failed",
  "email_opened",
  "link_clicked",
  "paused",
  "recovered",
  "terminal",
] as const;

export const TimelineEventSchema = z
  .object({
    type: z.enum(TIMELINE_EVENT_TYPES),
    timestamp: z.iso.datetime(),
    details: z.record(z.string(), z.unknown()),
  })
  .register(API_SCHEMA_NAMES, { id: "TimelineEvent" });

export const PaymentTimelineSchema = z
  .object({
    payment_id: z.string(),
    status: z.enum(PAYMENT_STATUSES),
    events: z.array(TimelineEventSchema).describe("Oldest first; a scheduled retry is last, at its future time."),
  })
  .register(API_SCHEMA_NAMES, { id: "PaymentTimeline" });

export const PaymentRetrySchema = z
  .object({
    payment_id: z.string(),
    retry_scheduled: z.boolean(),
    retry_number: z.number().int(),
    scheduled_at: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "PaymentRetry" });

export const PaymentPauseSchema = z
  .object({
    payment_id: z.string(),
    status: z.enum(["paused", "active"]),
    paused: z.boolean(),
    next_action: NextActionSchema.nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "PaymentRecoveryState" });
