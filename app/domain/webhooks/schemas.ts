import { z } from "zod";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

// The event catalogue (ADR 0080): every type Recoup sends, each with the zod schema of its `data`
// as it is on the wire (snake_case). The OpenAPI document's `webhooks` section is generated from
// these, and emitWebhookEvent checks every payload against its schema before storing it.

const Id = z.string();
const Iso = z.iso.datetime();
const Currency = z.string().length(3).describe("ISO 4217, as the payment carries it.");
const Cents = z.number().int().describe("Minor units (cents).");

/** Flow Arc's failure codes (seed 001): the decline, normalised across providers. */
export const FAILURE_CODES = [
  "insufficient_funds",
  "card_expired",
  "incorrect_cvc",
  "card_declined",
  "do_not_honor",
  "fraud_suspected",
  "authentication_required",
  "processing_error",
  "unknown",
] as const;
export type FailureCode = (typeof FAILURE_CODES)[number];
export const PAYMENT_METHODS = ["card", "bank_transfer", "direct_debit", "wallet", "other"] as const;
export type PaymentMethodKind = (typeof PAYMENT_METHODS)[number];

const CustomerRef = z
  .object({ id: Id.nullable(), external_id: Id.nullable(), email: z.string().nullable() })
  .describe("The customer as Recoup knows them; null fields when unknown or erased.");

/** What every recovery event says about the failed payment. */
const RecoveryFields = {
  recovery_id: Id.describe("The recovery (LostChurn's payment id): GET /api/v1/recoveries/{id}."),
  payment_id: Id.describe("The same id, by LostChurn's name: GET /api/v1/payments/{id}."),
  external_id: Id.nullable().describe("The provider's invoice or payment reference; null once the customer was erased."),
  provider: z.string().describe("stripe, shopify, or the ingested PSP's name."),
  amount_cents: Cents,
  currency: Currency,
  status: z.string().describe("pending, recovered, failed or abandoned: the recovery's status after this event."),
  subscription_id: Id.nullable(),
  customer: CustomerRef,
};

const PaymentFailedData = z.object({
  ...RecoveryFields,
  source: z.enum(["platform", "recoup"]).describe("platform: the provider's own charge (the first failure and its own retries); recoup: a retry Recoup made."),
  attempt_number: z.number().int().min(1),
  failed_at: Iso,
  decline_code: z.string().nullable(),
  failure_code: z.enum(FAILURE_CODES),
  failure_message: z.string().nullable(),
  payment_method: z.enum(PAYMENT_METHODS),
});

const PaymentRecoveredData = z.object({ ...RecoveryFields, recovered_amount_cents: Cents, recovered_at: Iso });

const RecoveryStartedData = z.object({ ...RecoveryFields, started_at: Iso, decline_code: z.string().nullable(), failure_code: z.enum(FAILURE_CODES) });

const RecoveryPausedData = z.object({
  ...RecoveryFields,
  paused_by: z.string().describe("merchant, account_disconnected, shop_uninstalled or subscription_paused."),
  paused_at: Iso,
  reason: z.string().nullable(),
});

const RecoveryResumedData = z.object({ ...RecoveryFields, resumed_at: Iso });

const RecoveryAbandonedData = z.object({
  ...RecoveryFields,
  outcome: z.enum(["failed", "abandoned"]).describe("failed: Recoup gave up (schedule exhausted, expired); abandoned: the debt ended elsewhere (voided, subscription ended, customer erased)."),
  reason_code: z.string(),
  ended_at: Iso,
});

const CardUpdatedData = z.object({
  ...RecoveryFields,
  updated_at: Iso,
  card: z.object({ brand: z.string().nullable(), last4: z.string().nullable() }).nullable(),
});

const RetryDueData = z.object({
  payment_id: Id,
  external_id: Id,
  provider: z.string(),
  amount_cents: Cents,
  currency: Currency,
  attempt_number: z.number().int().min(1),
  due_at: Iso,
  reason: z.string().nullable(),
  decline_code: z.string().nullable(),
  decline_category: z.string().nullable(),
  customer: CustomerRef,
});

const TransactionStatusData = z.object({
  transaction_id: Id,
  status: z.string(),
  previous_status: z.string().nullable(),
  amount_minor: Cents,
  refunded_minor: Cents,
  currency: Currency,
  source: z.string(),
  changed_at: Iso,
});

const RefundStatusData = z.object({
  refund_id: Id,
  transaction_id: Id,
  status: z.string(),
  previous_status: z.string().nullable(),
  amount_minor: Cents,
  currency: Currency,
  reason: z.string().nullable(),
  changed_at: Iso,
});

const RefundSettledData = z.object({
  refund_id: Id,
  transaction_id: Id,
  amount_minor: Cents,
  currency: Currency,
  provider: z.string(),
  reason: z.string().nullable(),
  at: Iso,
});

const DunningEmailSentData = z.object({
  message_id: Id,
  recovery_id: Id,
  kind: z.string().describe("The email's kind (reminder, final_notice, card_update_request, …)."),
  step: z.number().int().nullable().describe("Its position in the sequence, when it is a sequence step."),
  subject: z.string(),
  to: z.string(),
  sent_at: Iso,
});

const PaymentRequestData = z.object({
  payment_request_id: Id,
  status: z.string(),
  amount_minor: Cents,
  currency: Currency,
  description: z.string().nullable(),
  recovery_id: Id.nullable(),
  livemode: z.boolean(),
  at: Iso,
});

const PaymentRequestSucceededData = PaymentRequestData.extend({ transaction_id: Id, provider: z.string() });
const PaymentRequestFallbackData = PaymentRequestData.extend({
  failed_connection_id: Id.describe("The provider connection that could not take the payment."),
  failed_provider: z.string(),
  detail: z.string().nullable(),
});

const ProviderDisconnectedData = z.object({
  provider: z.enum(["stripe", "shopify"]),
  account: Id.describe("The Stripe account id or the Shopify shop domain."),
  reason: z.string(),
  disconnected_at: Iso,
  paused_recoveries: z.number().int().describe("Open recoveries of this account now paused until it comes back."),
});

/** Every event type Recoup sends to endpoints, with its data's schema and what it means. */
export const WEBHOOK_EVENT_CATALOGUE = {
  "payment.failed": { data: PaymentFailedData, description: "A failed payment was recorded on a recovery: the provider's first failure, each later one, and each of Recoup's own retries that was declined." },
  "payment.recovered": { data: PaymentRecoveredData, description: "A recovery was won back: the invoice was paid (by a retry, the customer, a pay-link)." },
  "payment.retry_due": { data: RetryDueData, description: "A payment the merchant charges (an ingested PSP's) is due for a retry now: retry it, then report the outcome to POST /api/v1/ingest/payment-event. Emailed to the owner when no endpoint takes it." },
  "recovery.started": { data: RecoveryStartedData, description: "A recovery was opened for a newly failed payment." },
  "recovery.paused": { data: RecoveryPausedData, description: "A recovery was paused: no retry or email until it resumes." },
  "recovery.resumed": { data: RecoveryResumedData, description: "A paused recovery runs again." },
  "recovery.abandoned": { data: RecoveryAbandonedData, description: "A recovery closed without being won back: given up, expired, voided, subscription ended or customer erased." },
  "customer.card_updated": { data: CardUpdatedData, description: "The customer put a new payment method on file after the recovery's latest failure." },
  "dunning.email_sent": { data: DunningEmailSentData, description: "A dunning email was handed to the mail server." },
  "payment_request.created": { data: PaymentRequestData, description: "A pay-link was created." },
  "payment_request.succeeded": { data: PaymentRequestSucceededData, description: "A pay-link was paid." },
  "payment_request.cancelled": { data: PaymentRequestData, description: "A pay-link was cancelled." },
  "payment_request.fallback_triggered": { data: PaymentRequestFallbackData, description: "A pay-link's primary provider could not take the payment, so the fallback provider was used." },
  "provider.disconnected": { data: ProviderDisconnectedData, description: "A Stripe account was disconnected or a Shopify store uninstalled Recoup: its recoveries are paused." },
  "transaction.status_changed": { data: TransactionStatusData, description: "A payment through a processor changed status (ND8)." },
  "refund.status_changed": { data: RefundStatusData, description: "A refund changed status (ND8)." },
  "refund.succeeded": { data: RefundSettledData, description: "A refund was completed by its processor." },
  "refund.failed": { data: RefundSettledData, description: "A refund failed or was rejected by its processor." },
} as const satisfies Record<string, { data: z.ZodType; description: string }>;

/** Events Recoup sends to webhook endpoints. `webhook.test` is sent only by the test operation. */
export type CatalogueEventType = keyof typeof WEBHOOK_EVENT_CATALOGUE;
export const WEBHOOK_EVENT_TYPES = Object.freeze(Object.keys(WEBHOOK_EVENT_CATALOGUE)) as readonly [CatalogueEventType, ...CatalogueEventType[]];
/** `webhook.test` is sent only by the test operation, `alert.triggered` only to an alert rule's own endpoint (ADR 0077). */
export type WebhookEventType = CatalogueEventType | "webhook.test" | "alert.triggered";

/** The envelope every endpoint receives; `data` is the event type's own schema. */
export function webhookEnvelopeSchema(type: CatalogueEventType) {
  return z.object({
    id: Id.describe("The event's id, also in `Recoup-Event-Id` and `Idempotency-Key`: the same on every attempt and replay."),
    type: z.literal(type),
    created_at: Iso,
    api_version: z.string().describe("The version of this payload's shape (a Recoup API version)."),
    data: WEBHOOK_EVENT_CATALOGUE[type].data,
  });
}

const EventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);

export const WebhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()).describe("Subscribed event types; every event type when it lists them all (the default)."),
    enabled: z.boolean(),
    disabled_at: z.iso.datetime().nullable().describe("When it was disabled: by Recoup after three days of failed deliveries, or by the merchant."),
    disabled_reason: z.string().nullable(),
    failing_since: z.iso.datetime().nullable().describe("Every attempt since this time has failed; null while deliveries succeed."),
    previous_secret_expires_at: z.iso.datetime().nullable().describe("After a rotation: until then the previous secret signs too (a second `v1`)."),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "WebhookEndpoint" });

export const WebhookEndpointWithSecretSchema = WebhookEndpointSchema.extend({
  signing_secret: z.string().describe("`whsec_…`: verifies the `Recoup-Signature` header. Shown this once; store it now."),
}).register(API_SCHEMA_NAMES, { id: "WebhookEndpointWithSecret" });

// NUL characters, which PostgreSQL cannot store, are refused by the endpoint pipeline before these run.

/** A path `{id}`. */
export const EndpointIdParamsSchema = z.object({ id: z.string().min(1).max(100) });

const UrlSchema = z
  .string()
  .trim()
  .min(1)
  .max(2048)
  .describe("HTTPS URL that receives the events, at a public internet address (private, loopback and link-local hosts are refused; plain http only for localhost outside production).");

const DescriptionSchema = z.string().trim().max(500);
const EventsSchema = z
  .array(EventTypeSchema)
  .min(1)
  .max(WEBHOOK_EVENT_TYPES.length * 2)
  .describe(`Event types to receive: ${WEBHOOK_EVENT_TYPES.join(", ")}. Default: all.`);

export const CreateWebhookEndpointSchema = z.object({
  url: UrlSchema,
  events: EventsSchema.optional(),
  description: DescriptionSchema.optional(),
});

export const UpdateWebhookEndpointSchema = z.object({
  url: UrlSchema.optional(),
  events: EventsSchema.optional(),
  description: DescriptionSchema.nullable().optional(),
  enabled: z.boolean().optional(),
});

export const WebhookTestResultSchema = z
  .object({
    success: z.boolean().describe("The endpoint answered 2xx within 10 seconds."),
    status_code: z.number().int().nullable().describe("Its HTTP status; null when it could not be reached."),
    response_time_ms: z.number().int(),
    endpoint_id: z.string(),
    event_id: z.string().describe("The `webhook.test` event's id, also in the `Recoup-Event-Id` header."),
    error: z.string().nullable().describe("Why it failed, when it did."),
  })
  .register(API_SCHEMA_NAMES, { id: "WebhookTestResult" });

export const DeletedWebhookEndpointSchema = z.object({ id: z.string(), deleted: z.literal(true) }).register(API_SCHEMA_NAMES, { id: "DeletedWebhookEndpoint" });

export const RotateSecretBodySchema = z.object({
  expires_in_hours: z
    .number()
    .int()
    .min(0)
    .max(168)
    .optional()
    .describe("How long the previous secret keeps signing beside the new one (0–168 hours, default 24; 0 ends it now)."),
});

export const RotatedWebhookEndpointSchema = WebhookEndpointSchema.extend({
  signing_secret: z.string().describe("The new `whsec_…` secret. Shown this once; store it now."),
}).register(API_SCHEMA_NAMES, { id: "RotatedWebhookEndpoint" });

export const DeliveryListQuerySchema = z.object({
  endpoint_id: z.string().min(1).max(100).optional().describe("Only this endpoint's deliveries."),
  status: z.enum(["delivered", "failed", "pending"]).optional().describe("delivered, failed, or pending (not sent yet, or retrying)."),
});

export const DeliveryIdParamsSchema = z.object({ id: z.string().min(1).max(100) });

export const WebhookDeliverySchema = z
  .object({
    id: z.string(),
    endpoint_id: z.string(),
    event_id: z.string().describe("The event's id: the same on every attempt and replay (`Recoup-Event-Id`)."),
    event_type: z.string(),
    status: z.enum(["delivered", "failed", "pending"]).describe("pending: not sent yet, or retrying (see `next_attempt_at`)."),
    attempts: z.number().int().describe("POSTs made, replays included."),
    replays: z.number().int(),
    status_code: z.number().int().nullable().describe("The last attempt's HTTP status; null when the endpoint could not be reached."),
    response_time_ms: z.number().int().nullable(),
    response_body: z.string().nullable().describe("The last answer's first kilobyte."),
    error: z.string().nullable(),
    created_at: z.iso.datetime(),
    last_attempt_at: z.iso.datetime().nullable(),
    next_attempt_at: z.iso.datetime().nullable().describe("When the next scheduled attempt is due, while retrying."),
    delivered_at: z.iso.datetime().nullable(),
  })
  .register(API_SCHEMA_NAMES, { id: "WebhookDelivery" });

export const WebhookDeliveryDetailSchema = WebhookDeliverySchema.extend({
  event: z.object({ id: z.string(), type: z.string(), created_at: z.iso.datetime(), api_version: z.string(), data: z.record(z.string(), z.unknown()) }).describe("The body as sent."),
  attempt_log: z.array(
    z.object({
      attempt_number: z.number().int(),
      replay: z.boolean(),
      status_code: z.number().int().nullable(),
      response_time_ms: z.number().int().nullable(),
      response_body: z.string().nullable(),
      error: z.string().nullable(),
      at: z.iso.datetime(),
    }),
  ),
}).register(API_SCHEMA_NAMES, { id: "WebhookDeliveryDetail" });
