import { z } from "zod";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

/** Events Recoup sends to webhook endpoints. `webhook.test` is sent only by the test operation. */
export const WEBHOOK_EVENT_TYPES = ["payment.retry_due", "transaction.status_changed", "refund.status_changed"] as const;
/** `webhook.test` is sent only by the test operation, `alert.triggered` only to an alert rule's own endpoint (ADR 0077). */
export type WebhookEventType = (typeof WEBHOOK_EVENT_TYPES)[number] | "webhook.test" | "alert.triggered";

const EventTypeSchema = z.enum(WEBHOOK_EVENT_TYPES);

export const WebhookEndpointSchema = z
  .object({
    id: z.string(),
    url: z.string(),
    description: z.string().nullable(),
    events: z.array(z.string()).describe("Subscribed event types; every event type when it lists them all (the default)."),
    enabled: z.boolean(),
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
