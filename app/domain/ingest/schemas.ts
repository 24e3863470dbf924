import { z } from "zod";
import { validZone, zoneForPlace } from "~/utils/customer-zone";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

/** LostChurn's event types (`POST /v1/ingest/payment-event`). */
export const INGEST_EVENT_TYPES = ["payment_failed", "payment_succeeded", "subscription_cancelled", "payment_method_updated", "charge_refunded"] as const;

/** PSPs without a native Recoup integration. Stripe and Shopify send their own webhooks and are refused here. */
export const INGEST_PROVIDERS = ["adyen", "braintree", "checkout", "paddle", "authorize_net", "paypal", "worldpay", "gocardless", "mollie", "square", "razorpay", "recurly", "chargebee", "bigcommerce", "woocommerce", "custom"] as const;

/** LostChurn's supported currencies (ISO 4217). Amounts are in each currency's minor unit: cents, but whole yen for JPY. */
export const INGEST_CURRENCIES = [
  "usd", "eur", "gbp", "cad", "aud", "jpy", "chf", "nzd", "sek", "nok",
  "dkk", "pln", "czk", "huf", "ron", "bgn", "hrk", "brl", "mxn", "inr",
] as const;

// NUL characters, which PostgreSQL cannot store, are refused by the endpoint pipeline before these run.
const text = (max: number) => z.string().trim().min(1).max(max);
const Id = text(255);

export const IngestPaymentEventSchema = z.object({
  event_type: z.enum(INGEST_EVENT_TYPES),
  event_id: Id.optional().describe("Your id for this event: sending it again is a no-op. Without it, the `Idempotency-Key` header names the event; without both, an identical body is the same event."),
  provider: z.enum(INGEST_PROVIDERS).default("custom").describe("The PSP the payment went through; its decline codes are read from Recoup's catalogue."),
  external_id: Id.optional().describe("The PSP's payment/charge/invoice reference (the payment's `external_id`). Optional: without it, the event is about the customer's open payment from this provider with the same amount and currency; a `payment_failed` that matches none opens a new payment whose `external_id` is `pe_` + a hash of the event's identity."),
  amount_cents: z.number().int().min(0).max(2_147_483_647).describe("Integer amount in the currency's smallest unit (cents; whole yen for `jpy`)."),
  currency: z.string().toLowerCase().pipe(z.enum(INGEST_CURRENCIES)).describe(`ISO 4217 code, any case: ${INGEST_CURRENCIES.join(", ")}.`),
  customer_email: z.email().max(254),
  customer_id: Id.optional().describe("The PSP's customer id. Without it the customer is known by email."),
  customer_name: text(200).optional(),
  customer_timezone: z
    .string()
    .trim()
    .max(64)
    .refine((zone) => validZone(zone) !== null, "Not an IANA time zone (e.g. America/Chicago, Europe/Paris).")
    .transform((zone) => validZone(zone)!)
    .optional()
    .describe("The customer's IANA time zone (e.g. `America/Chicago`): retries and emails are timed for their day. Without it, `customer_country`'s main zone, else the workspace's."),
  customer_country: z
    .string()
    .trim()
    .refine((code) => zoneForPlace(code) !== null, "Not an ISO 3166-1 alpha-2 country code (e.g. US, FR).")
    .transform((code) => code.toUpperCase())
    .optional()
    .describe("The customer's country, ISO 3166-1 alpha-2 (e.g. `US`), any case: their billing address's, else their card's."),
  subscription_id: Id.optional(),
  decline_code: text(100).optional().describe("The PSP's own decline code (e.g. Adyen `Refused` reasons, Braintree `2001`)."),
  occurred_at: z.iso.datetime({ offset: true }).optional().describe("When it happened (RFC 3339); default: when Recoup received it."),
  payment_url: z.url({ protocol: /^https$/ }).max(2048).optional().describe("Where the customer can pay this (https); used on the customer's payment page."),
  metadata: z
    .record(z.string().min(1).max(40), z.union([z.string().max(500), z.number(), z.boolean(), z.null()]))
    .refine((m) => Object.keys(m).length <= 50, "at most 50 keys")
    .optional()
    .describe("Your key-value pairs (at most 50), kept with the event."),
});
export type IngestPaymentEvent = z.infer<typeof IngestPaymentEventSchema>;

export const IngestResultSchema = z
  .object({
    event_id: z.string().describe("Recoup's id for the stored event (the first one's, for a duplicate)."),
    status: z.enum(["queued", "duplicate"]).describe("`queued`: stored and processed within seconds; `duplicate`: seen before, nothing done."),
    duplicate: z.boolean(),
    recovery_initiated: z.boolean().describe("A `payment_failed` for a payment Recoup had no recovery for: one opens."),
  })
  .register(API_SCHEMA_NAMES, { id: "IngestResult" });
