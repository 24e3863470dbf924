import { z } from "zod";

/**
 * Named queues: the payload schema and pg-boss options of every deferred
 * action. Handlers live in jobs/definitions/ (they import the domain; the
 * domain imports only this file, to enqueue).
 */
export interface QueueOptions {
  retryLimit: number;
  retryDelay: number;
  retryBackoff: boolean;
  /**
   * How long one run may take before pg-boss counts it as failed and runs it again (also when the
   * worker holding it crashed). Sized to the work: a crash costs at most this plus the
   * maintenance interval (queue.server.ts) before another worker picks the job up.
   */
  expireInSeconds: number;
}

export interface QueueSpec<S extends z.ZodType> {
  name: string;
  schema: S;
  options: QueueOptions;
  /**
   * Acknowledged work that must not die in the dead-letter queue (ADR 0025): once `options`' retries
   * are spent, the job moves to this second queue, which retries it on a long, flat horizon (about
   * three days, as long as Stripe redelivers) before the handler is told it is the last attempt.
   */
  later?: QueueSpec<S>;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

function queue<S extends z.ZodType>(name: string, schema: S, options: Partial<QueueOptions> = {}): QueueSpec<S> {
  return {
    name,
    schema,
    options: { retryLimit: 8, retryDelay: 10, retryBackoff: true, expireInSeconds: 2 * MINUTE, ...options },
  };
}

/** Retried every two hours for three days after the short horizon (about an hour of backoff) is spent. */
function withLongHorizon<S extends z.ZodType>(spec: QueueSpec<S>): QueueSpec<S> & { later: QueueSpec<S> } {
  return {
    ...spec,
    later: { name: `${spec.name}-later`, schema: spec.schema, options: { ...spec.options, retryLimit: 36, retryDelay: 2 * HOUR, retryBackoff: false } },
  };
}

export const DEAD_LETTER_QUEUE = "dead-letter";

export const queues = {
  /** Two Stripe reads at most (20 s timeout, 2 network retries each). */
  stripeEvent: withLongHorizon(queue("stripe-event", z.object({ stripeEventId: z.string() }))),
  /** Wakes a recovery at its planned time: charges (nextActionKind retry) or re-decides (wait). */
  chargeRetry: queue("charge-retry", z.object({ recoveryId: z.string(), attemptNumber: z.number().int().min(1), at: z.string().datetime() }), {
    retryLimit: 6,
    retryDelay: 30,
  }),
  /** SMTP waits are bounded (10 s connect, 30 s socket: app/utils/email.server.ts). */
  dunningSend: queue("dunning-send", z.object({ messageId: z.string() }), { retryLimit: 6, retryDelay: 60 }),
  dunningStep: queue("dunning-step", z.object({ recoveryId: z.string(), stepId: z.string() }), { expireInSeconds: MINUTE }),
  /** A paused campaign was activated again: resumes its paused enrollments, in batches (app/domain/campaigns/enrollment.server.ts). */
  campaignResume: queue("campaign-resume", z.object({ campaignId: z.string() }), { retryLimit: 5, expireInSeconds: 10 * MINUTE }),
  /** Daily (jobs/worker.ts), and for one workspace after a card-expiring event: enrolls expiring cards in pre-dunning campaigns. */
  preDunningSweep: queue("pre-dunning-sweep", z.object({ workspaceId: z.string().optional() }), { retryLimit: 3, expireInSeconds: 10 * MINUTE }),
  /** One pre-dunning email (SMTP waits bounded as for dunning-send). */
  preDunningStep: queue("pre-dunning-step", z.object({ enrollmentId: z.string(), position: z.number().int().min(0) }), { retryLimit: 6, retryDelay: 60 }),
  recoveryExpire: queue("recovery-expire", z.object({ recoveryId: z.string() }), { expireInSeconds: MINUTE }),
  shopifyWebhook: withLongHorizon(queue("shopify-webhook", z.object({ shopifyWebhookId: z.string() }))),
  /** Asks Shopify to email the customer its secure payment-method update link (customerPaymentMethodSendUpdateEmail). */
  shopifyUpdateEmail: queue("shopify-update-email", z.object({ messageId: z.string() }), { retryLimit: 6, retryDelay: 60 }),
  /** Reads one of our Shopify billing attempts whose webhook has not come (app/providers/shopify/reconcile.server.ts). */
  shopifyBillingAttemptCheck: queue(
    "shopify-billing-attempt-check",
    z.object({ recoveryId: z.string(), idempotencyKey: z.string(), billingAttemptId: z.string(), check: z.number().int().min(1) }),
    { retryLimit: 6, retryDelay: 60 },
  ),
  /** Erases an uninstalled shop's data once the grace period has passed (unless it came back). A bulk job. */
  shopifyShopErase: queue("shopify-shop-erase", z.object({ shopDomain: z.string() }), { retryLimit: 5, expireInSeconds: 15 * MINUTE }),
  /** A payment event from a PSP without native webhooks (POST /api/v1/ingest/payment-event). */
  ingestEvent: withLongHorizon(queue("ingest-event", z.object({ ingestEventId: z.string() }), { expireInSeconds: MINUTE })),
  /** A verified bounce or complaint from an email provider's webhook, or an SNS subscription to confirm (app/domain/deliverability/events.server.ts). */
  emailEvent: withLongHorizon(queue("email-event", z.object({ emailEventId: z.string() }), { expireInSeconds: MINUTE })),
  /** A processor's verified webhook event (Dojo's; app/domain/collect/events.server.ts): one read back from the processor. */
  providerEvent: withLongHorizon(queue("provider-event", z.object({ providerEventId: z.string() }), { expireInSeconds: MINUTE })),
  /** A recovery paid through a pay-link: its provider stops collecting the debt (Stripe: paid out of band). */
  recoverySettleElsewhere: queue("recovery-settle-elsewhere", z.object({ recoveryId: z.string() }), { retryLimit: 10, retryDelay: 30 }),
  /** Sends a refund to its processor under the refund's own id as idempotency key (app/domain/collect/refunds.server.ts). */
  refundSubmit: queue("refund-submit", z.object({ refundId: z.string() }), { retryLimit: 10, retryDelay: 30, expireInSeconds: MINUTE }),
  /**
   * One attempt of an outbound event to one merchant endpoint (10 s timeout). A refused or failed POST
   * schedules the next attempt as its own job (`attempt`, startAfter: ten over about three days,
   * app/domain/webhooks/delivery.server.ts, ADR 0080); pg-boss's retries cover a crashed run. `replay`: a person's replay.
   */
  webhookDeliver: queue(
    "webhook-deliver",
    z.object({ deliveryId: z.string(), attempt: z.number().int().min(1).optional(), replay: z.number().int().min(1).optional() }),
    { retryLimit: 5, retryDelay: 30, expireInSeconds: MINUTE },
  ),
  /** Tells a workspace's owner, once, that Recoup disabled a webhook endpoint that kept failing (ADR 0080). */
  webhookDisabledEmail: queue("webhook-disabled-email", z.object({ endpointId: z.string(), disabledAt: z.string() }), { retryLimit: 6, retryDelay: 60 }),
  /** An outbound event Flow Arc alert rules may match (ADR 0077): makes one dispatch per matching realtime rule. */
  alertMatch: queue("alert-match", z.object({ eventId: z.string() }), { retryLimit: 10, retryDelay: 30 }),
  /** Sends one alert dispatch (email over SMTP, SMS through Twilio, a webhook, in-app notifications); idempotent per rule and event. */
  alertDispatch: queue("alert-dispatch", z.object({ dispatchId: z.string() }), { retryLimit: 10, retryDelay: 30, expireInSeconds: MINUTE }),
  /** Every 15 minutes (jobs/worker.ts): daily and weekly digests due at their workspace's local hour, one per rule per period. */
  alertDigests: queue("alert-digests", z.object({}), { retryLimit: 2, expireInSeconds: 5 * MINUTE }),
  /** Every minute (jobs/worker.ts), or for one workspace: rolls up recoveries and emails changed since the last run (ADR 0078). */
  analyticsRollup: queue("analytics-rollup", z.object({ workspaceId: z.string().optional() }), { retryLimit: 3, expireInSeconds: 10 * MINUTE }),
  /** An outbound event no endpoint takes, emailed to the workspace owner instead. */
  webhookOwnerEmail: queue("webhook-owner-email", z.object({ eventId: z.string() }), { retryLimit: 6, retryDelay: 60 }),
  /** Tells a workspace's owner that Stripe events were given up after the long horizon (once a day at most). */
  stripeEventsFailedEmail: queue("stripe-events-failed-email", z.object({ workspaceId: z.string(), day: z.string() }), { retryLimit: 6, retryDelay: 60 }),
  /** Every 10 minutes (jobs/worker.ts): plans again the recoveries whose planned action is long overdue. */
  recoverySweep: queue("recovery-sweep", z.object({}), { retryLimit: 2, expireInSeconds: 5 * MINUTE }),
  /**
   * Every 10 minutes (jobs/worker.ts): inbox events of every source (app/domain/inbox) waiting with no
   * job left are sent to the long horizon. The name is from when it swept Stripe's only: deployed schedules use it.
   */
  stripeEventSweep: queue("stripe-event-sweep", z.object({}), { retryLimit: 2, expireInSeconds: 5 * MINUTE }),
  /** Rewrites recent daily snapshots of every workspace: a bulk job. */
  metricSnapshots: queue("metric-snapshots", z.object({ workspaceId: z.string().optional() }), { retryLimit: 3, expireInSeconds: 15 * MINUTE }),
  /**
   * Nightly (jobs/worker.ts) with no workspace: sends one job per active workspace, which recomputes
   * what its retries of the last 180 days teach the policy (app/domain/recovery/learning.server.ts).
   */
  workspaceLearning: queue("workspace-learning", z.object({ workspaceId: z.string().optional() }), { retryLimit: 3, expireInSeconds: 10 * MINUTE }),
} as const;

/** A queue and, for acknowledged work, its long-horizon stage: the queues its jobs run in. */
export function stagesOf<S extends z.ZodType>(spec: QueueSpec<S>): Array<QueueSpec<S>> {
  return spec.later ? [spec, spec.later] : [spec];
}

/** Every queue the worker serves: each spec and its long-horizon stage. */
export function allQueueSpecs(): Array<QueueSpec<z.ZodType>> {
  return Object.values(queues).flatMap((q) => stagesOf(q as QueueSpec<z.ZodType>));
}

export type QueueName = (typeof queues)[keyof typeof queues]["name"];
