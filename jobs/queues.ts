import { z } from "zod";

/**
 * Named queues: the payload schema and pg-boss options of every deferred
 * action. Handlers live in jobs/definitions/ (they import the domain; the
 * domain imports only this file, to enqueue).
 */
export interface QueueSpec<S extends z.ZodType> {
  name: string;
  schema: S;
  options: { retryLimit: number; retryDelay: number; retryBackoff: boolean; expireInSeconds: number };
}

function queue<S extends z.ZodType>(name: string, schema: S, options: Partial<QueueSpec<S>["options"]> = {}): QueueSpec<S> {
  return {
    name,
    schema,
    options: { retryLimit: 8, retryDelay: 10, retryBackoff: true, expireInSeconds: 15 * 60, ...options },
  };
}

export const DEAD_LETTER_QUEUE = "dead-letter";

export const queues = {
  stripeEvent: queue("stripe-event", z.object({ stripeEventId: z.string() })),
  /** Wakes a recovery at its planned time: charges (nextActionKind retry) or re-decides (wait). */
  chargeRetry: queue("charge-retry", z.object({ recoveryId: z.string(), attemptNumber: z.number().int().min(1), at: z.string().datetime() }), {
    retryLimit: 6,
    retryDelay: 30,
  }),
  dunningSend: queue("dunning-send", z.object({ messageId: z.string() }), { retryLimit: 6, retryDelay: 60 }),
  dunningStep: queue("dunning-step", z.object({ recoveryId: z.string(), stepId: z.string() })),
  recoveryExpire: queue("recovery-expire", z.object({ recoveryId: z.string() })),
  shopifyWebhook: queue("shopify-webhook", z.object({ shopifyWebhookId: z.string() })),
  /** Asks Shopify to email the customer its secure payment-method update link (customerPaymentMethodSendUpdateEmail). */
  shopifyUpdateEmail: queue("shopify-update-email", z.object({ messageId: z.string() }), { retryLimit: 6, retryDelay: 60 }),
  /** Reads one of our Shopify billing attempts whose webhook has not come (app/domain/shopify/reconcile.server.ts). */
  shopifyBillingAttemptCheck: queue(
    "shopify-billing-attempt-check",
    z.object({ recoveryId: z.string(), idempotencyKey: z.string(), billingAttemptId: z.string(), check: z.number().int().min(1) }),
    { retryLimit: 6, retryDelay: 60 },
  ),
  /** Erases an uninstalled shop's data once the grace period has passed (unless it came back). */
  shopifyShopErase: queue("shopify-shop-erase", z.object({ shopDomain: z.string() }), { retryLimit: 5 }),
  /** A payment event from a PSP without native webhooks (POST /api/v1/ingest/payment-event). */
  ingestEvent: queue("ingest-event", z.object({ ingestEventId: z.string() })),
  /** One outbound event to one merchant endpoint; pg-boss retries with backoff (about 8.5 h in all). */
  webhookDeliver: queue("webhook-deliver", z.object({ deliveryId: z.string() }), { retryLimit: 10, retryDelay: 30 }),
  /** An outbound event no endpoint takes, emailed to the workspace owner instead. */
  webhookOwnerEmail: queue("webhook-owner-email", z.object({ eventId: z.string() }), { retryLimit: 6, retryDelay: 60 }),
  metricSnapshots: queue("metric-snapshots", z.object({ workspaceId: z.string().optional() }), { retryLimit: 3 }),
} as const;

export type QueueName = (typeof queues)[keyof typeof queues]["name"];
