// Outbound webhooks end to end (ADR 0080): events from the real paths reach a local endpoint signed
// and shaped as the OpenAPI `webhooks` section documents; a failing endpoint is retried on the
// schedule, then replayed; a secret rotation overlaps; an endpoint failing for three days is
// disabled and its owner emailed once.
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { processInbox } from "~/domain/inbox/inbox.server";
import { ingestEvents } from "~/domain/ingest/process.server";
import { cancelPaymentRequest, createPaymentRequest } from "~/domain/collect/payment-requests.server";
import { closeExpiredRecovery, pauseRecovery, resumeRecovery } from "~/domain/recovery/engine.server";
import { disconnectStripeAccount } from "~/providers/stripe/connect.server";
import { deliverWebhook, emailOwnerAboutDisabledEndpoint } from "~/domain/webhooks/delivery.server";
import { emitWebhookEvent } from "~/domain/webhooks/events.server";
import { RETRY_DELAYS_MS } from "~/domain/webhooks/schedule";
import { verifySignature } from "~/domain/webhooks/signing";
import { WEBHOOK_EVENT_TYPES } from "~/domain/webhooks/schemas";
import * as ingestRoute from "~/routes/api.v1.ingest.payment-event";
import * as endpointsRoute from "~/routes/api.v1.webhooks.endpoints";
import * as endpointRoute from "~/routes/api.v1.webhooks.endpoints.$id";
import * as rotateRoute from "~/routes/api.v1.webhooks.endpoints.$id.rotate-secret";
import * as eventsRoute from "~/routes/api.v1.webhooks.events";
import * as eventRoute from "~/routes/api.v1.webhooks.events.$id";
import * as replayRoute from "~/routes/api.v1.webhooks.events.$id.replay";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { connectStripeAccount, makeWorkspace } from "../factories";
import { startWebhookReceiver, type FakeWebhookReceiver, type ReceivedWebhook } from "../fakes/webhook-receiver";
import { pendingJobs } from "../helpers/jobs";
import { apiV1Contract, useV1Caller } from "../helpers/openapi";
import { useFakeSmtp } from "../helpers/smtp";

const LIST = "/api/v1/webhooks/endpoints";
const ONE = "/api/v1/webhooks/endpoints/{id}";
const ROTATE = "/api/v1/webhooks/endpoints/{id}/rotate-secret";
const LOG = "/api/v1/webhooks/events";
const DELIVERY = "/api/v1/webhooks/events/{id}";
const REPLAY = "/api/v1/webhooks/events/{id}/replay";
const INGEST = "/api/v1/ingest/payment-event";

const v1 = useV1Caller({ [LIST]: endpointsRoute, [ONE]: endpointRoute, [ROTATE]: rotateRoute, [LOG]: eventsRoute, [DELIVERY]: eventRoute, [REPLAY]: replayRoute, [INGEST]: ingestRoute });
const smtp = useFakeSmtp();
let receiver: FakeWebhookReceiver;
/** Validates a delivered body against the `webhooks` entry the served document gives its type. */
let validates: (body: ReceivedWebhook["body"]) => string | null;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  const { doc } = await apiV1Contract();
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  ajv.addSchema({ ...doc, $id: "doc" });
  validates = (body) => {
    const validate = ajv.getSchema(`doc#/webhooks/${body.type}/post/requestBody/content/application~1json/schema`);
    if (!validate) return `the document has no webhook ${body.type}`;
    return validate(body) ? null : ajv.errorsText(validate.errors);
  };
});
afterEach(() => testClock.reset());
afterAll(() => receiver.close());

async function endpointFor(apiKey: string, events?: string[], url = receiver.url) {
  const created = await v1.call("POST", LIST, LIST, { token: apiKey, body: { url, ...(events ? { events } : {}) }, expect: 201 });
  return { id: created.data.id as string, secret: created.data.signing_secret as string };
}

/** Runs every delivery job waiting for `workspaceId` once, as the worker would (attempt 1 each). */
async function deliverPending(workspaceId: string) {
  const deliveries = await db().webhookDelivery.findMany({ where: { workspaceId, status: "pending" }, orderBy: { createdAt: "asc" } });
  for (const d of deliveries) await deliverWebhook({ deliveryId: d.id });
}

async function emitStatus(workspaceId: string, key: string) {
  return db().$transaction((tx) =>
    emitWebhookEvent({
      tx,
      workspaceId,
      type: "transaction.status_changed",
      dedupeKey: key,
      quiet: true,
      data: { transactionId: `TX${key}`, status: "paid", previousStatus: "processing", amountMinor: 1500, refundedMinor: 0, currency: "GBP", source: "payment_request", changedAt: new Date() },
    }),
  );
}

/** A `transaction.status_changed` event, and its delivery to the workspace's one endpoint. */
async function emitStatusChange(workspaceId: string, key: string) {
  const emitted = await emitStatus(workspaceId, key);
  return db().webhookDelivery.findFirstOrThrow({ where: { eventId: emitted.eventId } });
}

describe("events from the real paths", () => {
  it("an ingested failure sends payment.failed (with Flow Arc's alert facts) and recovery.started, signed and as documented", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const { secret } = await endpointFor(apiKey, ["payment.failed", "recovery.started"]);
    receiver.secret = secret;
    const accepted = await v1.call("POST", INGEST, INGEST, {
      token: apiKey,
      body: { event_type: "payment_failed", provider: "adyen", external_id: "psp_wh_1", amount_cents: 1250, currency: "gbp", customer_email: "ada@example.com", decline_code: "insufficient_funds" },
      expect: 202,
    });
    await processInbox(ingestEvents, { ingestEventId: accepted.data.event_id as string });
    await deliverPending(workspace.id);

    const failed = await receiver.waitFor((w) => w.body.type === "payment.failed" && w.body.data.external_id === "psp_wh_1");
    const started = await receiver.waitFor((w) => w.body.type === "recovery.started" && w.body.data.external_id === "psp_wh_1");
    for (const got of [failed, started]) {
      expect(got.signatureValid).toBe(true);
      expect(got.headers["recoup-event-id"]).toBe(got.body.id);
      expect(validates(got.body)).toBeNull();
    }
    expect(failed.body.data).toMatchObject({
      source: "platform",
      attempt_number: 1,
      amount_cents: 1250,
      currency: "gbp",
      decline_code: "insufficient_funds",
      failure_code: "insufficient_funds",
      payment_method: "card",
      customer: { email: "ada@example.com" },
    });
    // What alert rules match on, stored with the event.
    const row = await db().webhookEvent.findUniqueOrThrow({ where: { id: failed.body.id } });
    expect(row).toMatchObject({ alertEventType: "payment_failed", amountMinor: 1250, currency: "GBP", provider: "adyen", failureCode: "insufficient_funds", paymentMethod: "card" });
    expect(row.summary).toBe("£12.50 from ada@example.com failed: insufficient funds");
    // Not a subscription's invoice: recovery.started carries no alert facts.
    expect(await db().webhookEvent.findUniqueOrThrow({ where: { id: started.body.id } })).toMatchObject({ alertEventType: null });
    expect(await pendingJobs("alert-match")).toEqual(expect.arrayContaining([expect.objectContaining({ data: { eventId: row.id } })]));

    // The same failure reported again is the same happening: no second event.
    await processInbox(ingestEvents, { ingestEventId: accepted.data.event_id as string });
    expect(await db().webhookEvent.count({ where: { workspaceId: workspace.id, type: "payment.failed" } })).toBe(1);
  });

  it("each recovery, pay-link and provider event is emitted once by the path that makes it happen, each payload as documented", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const { secret } = await endpointFor(apiKey);
    receiver.secret = secret;
    const ingest = async (body: Record<string, unknown>) => {
      const res = await v1.call("POST", INGEST, INGEST, { token: apiKey, body: { provider: "adyen", currency: "usd", customer_email: "lin@example.com", ...body }, expect: 202 });
      await processInbox(ingestEvents, { ingestEventId: res.data.event_id as string });
    };
    await ingest({ event_type: "payment_failed", external_id: "psp_a", amount_cents: 900, decline_code: "expired_card", subscription_id: "sub_a" });
    const a = await db().recovery.findFirstOrThrow({ where: { workspaceId: workspace.id, externalId: "psp_a" } });
    await pauseRecovery({ workspaceId: workspace.id, recoveryId: a.id });
    await resumeRecovery({ workspaceId: workspace.id, recoveryId: a.id });
    await ingest({ event_type: "payment_succeeded", external_id: "psp_a", amount_cents: 900 });
    await ingest({ event_type: "payment_failed", external_id: "psp_b", amount_cents: 400 });
    const b = await db().recovery.findFirstOrThrow({ where: { workspaceId: workspace.id, externalId: "psp_b" } });
    await closeExpiredRecovery({ recoveryId: b.id });
    const link = await createPaymentRequest({ workspaceId: workspace.id, livemode: true, createdVia: "api", amountMinor: 2500, currency: "GBP", description: "Invoice 7" });
    await cancelPaymentRequest({ workspaceId: workspace.id, livemode: true, id: link.id });
    const account = await connectStripeAccount(workspace.id);
    await disconnectStripeAccount({ stripeAccountId: account.stripeAccountId, at: new Date() });
    await deliverPending(workspace.id);

    const events = await db().webhookEvent.findMany({ where: { workspaceId: workspace.id }, orderBy: { createdAt: "asc" } });
    const count = (type: string) => events.filter((e) => e.type === type).length;
    for (const type of ["recovery.paused", "recovery.resumed", "payment.recovered", "recovery.abandoned", "payment_request.created", "payment_request.cancelled", "provider.disconnected"]) {
      expect(count(type), type).toBe(1);
    }
    expect(count("payment.failed")).toBe(2);
    expect(count("recovery.started")).toBe(2);
    // Flow Arc's facts: a subscription's invoice is past due; won back; lost; the provider went away.
    const byType = (type: string, externalId?: string) => events.find((e) => e.type === type && (!externalId || (e.payload as { external_id?: string }).external_id === externalId))!;
    expect(byType("recovery.started", "psp_a")).toMatchObject({ alertEventType: "subscription_past_due", currency: "USD" });
    expect(byType("recovery.started", "psp_b")).toMatchObject({ alertEventType: null });
    expect(byType("payment.recovered")).toMatchObject({ alertEventType: "payment_succeeded", amountMinor: 900 });
    expect(byType("recovery.abandoned")).toMatchObject({ alertEventType: "payment_abandoned", amountMinor: 400 });
    expect(byType("recovery.abandoned").payload).toMatchObject({ outcome: "failed", reason_code: "schedule_exhausted" });
    expect(byType("provider.disconnected")).toMatchObject({ alertEventType: "provider_disconnected", provider: "stripe" });
    expect(events.find((e) => e.type === "payment.failed" && (e.payload as { external_id: string }).external_id === "psp_a")).toMatchObject({ failureCode: "card_expired" });

    // Every one was delivered to the endpoint (it takes every type), signed, each body valid against its documented schema.
    for (const event of events) {
      const got = await receiver.waitFor((w) => w.body.id === event.id);
      expect(got.signatureValid, event.type).toBe(true);
      expect(validates(got.body), event.type).toBeNull();
    }
  });
});

describe("a failing endpoint", () => {
  it("is retried on the schedule, each attempt recorded and the next one later each time, then replayed with the same event id", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const { secret } = await endpointFor(apiKey, ["transaction.status_changed"]);
    receiver.secret = secret;
    const delivery = await emitStatusChange(workspace.id, "retry-1");
    testClock.set(new Date("2026-12-10T09:00:00Z"));
    receiver.failNext(3, 500);
    const gaps: number[] = [];
    for (let attempt = 1; attempt <= 3; attempt++) {
      const before = receiver.requests.length;
      const outcome = await deliverWebhook({ deliveryId: delivery.id, attempt });
      expect(receiver.requests.length).toBe(before + 1);
      expect(outcome).toMatchObject({ kind: "retrying", statusCode: 500, attemptNumber: attempt });
      if (outcome.kind === "skipped") throw new Error("skipped");
      const gap = outcome.nextAttemptAt!.getTime() - Date.parse("2026-12-10T09:00:00Z") - gaps.reduce((s, g) => s + g, 0);
      expect(gap).toBe(RETRY_DELAYS_MS[attempt - 1]);
      gaps.push(gap);
      // The next attempt is its own job, due then.
      const next = (await pendingJobs("webhook-deliver")).find((j) => (j.data as { deliveryId: string; attempt?: number }).deliveryId === delivery.id && (j.data as { attempt?: number }).attempt === attempt + 1);
      expect(next, `job for attempt ${attempt + 1}`).toBeDefined();
      expect(next!.start_after.getTime() - Date.now()).toBeGreaterThan(gap - 60_000);
      testClock.advance(gap);
    }
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    // A re-run of an attempt already made sends nothing.
    const sent = receiver.requests.length;
    expect(await deliverWebhook({ deliveryId: delivery.id, attempt: 2 })).toEqual({ kind: "skipped" });
    expect(receiver.requests.length).toBe(sent);

    const logged = await v1.call("GET", DELIVERY, `${LOG}/${delivery.id}`, { token: apiKey, params: { id: delivery.id }, expect: 200 });
    expect(logged.data).toMatchObject({ status: "pending", attempts: 3, status_code: 500, response_body: "no", delivered_at: null });
    expect(logged.data.next_attempt_at).toBe(new Date(Date.parse("2026-12-10T09:00:00Z") + gaps.reduce((s, g) => s + g, 0)).toISOString());
    expect((logged.data.attempt_log as unknown[]).length).toBe(3);

    // The endpoint is fixed: a replay sends the same event now, through a job.
    const replayed = await v1.call("POST", REPLAY, `${LOG}/${delivery.id}/replay`, { token: apiKey, params: { id: delivery.id }, expect: 202 });
    expect(replayed.data).toMatchObject({ id: delivery.id, status: "pending", replays: 1 });
    const job = (await pendingJobs("webhook-deliver")).find((j) => (j.data as { replay?: number }).replay === 1 && (j.data as { deliveryId: string }).deliveryId === delivery.id);
    expect(job).toBeDefined();
    expect(await deliverWebhook({ deliveryId: delivery.id, replay: 1 })).toMatchObject({ kind: "delivered", statusCode: 200, attemptNumber: 4 });
    const ids = receiver.requests.filter((r) => r.body.type === "transaction.status_changed" && r.body.data.transaction_id === "TXretry-1").map((r) => r.body.id);
    expect(new Set(ids).size).toBe(1);
    expect(receiver.accepted().some((r) => r.body.id === ids[0])).toBe(true);
    const after = await v1.call("GET", DELIVERY, `${LOG}/${delivery.id}`, { token: apiKey, params: { id: delivery.id }, expect: 200 });
    expect(after.data).toMatchObject({ status: "delivered", attempts: 4, status_code: 200, next_attempt_at: null });
    expect((after.data.attempt_log as Array<{ replay: boolean; status_code: number }>).map((a) => [a.replay, a.status_code])).toEqual([
      [false, 500],
      [false, 500],
      [false, 500],
      [true, 200],
    ]);
    // The schedule's attempt 4, due later, finds it delivered and sends nothing.
    expect(await deliverWebhook({ deliveryId: delivery.id, attempt: 4 })).toEqual({ kind: "skipped" });
  });

  it("failing for three days is disabled, the owner emailed once; enabling it again clears the failure", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    // Nothing listens on port 9: every attempt fails at once.
    const { id } = await endpointFor(apiKey, ["transaction.status_changed"], "http://127.0.0.1:9/hooks");
    const delivery = await emitStatusChange(workspace.id, "dead-1");
    testClock.set(new Date("2026-12-10T09:00:00Z"));
    let outcome = await deliverWebhook({ deliveryId: delivery.id, attempt: 1 });
    // The worker was away for two hours: the second attempt runs late.
    testClock.advance(2 * 3_600_000);
    for (let attempt = 2; outcome.kind === "retrying"; attempt++) {
      outcome = await deliverWebhook({ deliveryId: delivery.id, attempt });
      if (outcome.kind === "retrying") testClock.set(outcome.nextAttemptAt!);
    }
    expect(outcome).toMatchObject({ kind: "failed", attemptNumber: 10, nextAttemptAt: null });
    const endpoint = await db().webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(endpoint).toMatchObject({ enabled: false, consecutiveFailures: 1 });
    expect(endpoint.disabledAt).not.toBeNull();
    expect(endpoint.disabledReason).toMatch(/^Every delivery since 2026-12-10 09:00 UTC failed/);
    const jobs = (await pendingJobs("webhook-disabled-email")).filter((j) => (j.data as { endpointId: string }).endpointId === id);
    expect(jobs).toHaveLength(1);
    // The job, run twice (a retry after a crash), finds the endpoint disabled at that time: one email, then the same one.
    const data = jobs[0]!.data as { endpointId: string; disabledAt: string };
    expect(await emailOwnerAboutDisabledEndpoint(data)).toEqual({ kind: "emailed" });
    const mail = await smtp.waitFor((m) => m.subject === "Webhook endpoint disabled: http://127.0.0.1:9/hooks");
    expect(mail.text).toContain("enable it in Recoup");
    // Another event to it is not sent while it is disabled, and no second email is planned.
    const later = await emitStatus(workspace.id, "dead-2");
    expect(later.channel).toBe("none");
    expect(await db().webhookDelivery.count({ where: { eventId: later.eventId } })).toBe(0);
    expect((await pendingJobs("webhook-disabled-email")).filter((j) => (j.data as { endpointId: string }).endpointId === id)).toHaveLength(1);

    const shown = await v1.call("GET", LIST, LIST, { token: apiKey, expect: 200 });
    expect((shown.data as Array<{ id: string }>).find((e) => e.id === id)).toMatchObject({ enabled: false, disabled_reason: endpoint.disabledReason });
    const enabled = await v1.call("PUT", ONE, `${LIST}/${id}`, { token: apiKey, params: { id }, body: { enabled: true }, expect: 200 });
    expect(enabled.data).toMatchObject({ enabled: true, disabled_at: null, disabled_reason: null, failing_since: null });
    expect(await db().webhookEndpoint.findUniqueOrThrow({ where: { id } })).toMatchObject({ consecutiveFailures: 0 });
  });
});

describe("rotating the signing secret", () => {
  it("signs with both secrets during the overlap, and only the new one after it", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const { id, secret: first } = await endpointFor(apiKey, ["transaction.status_changed"]);
    receiver.secret = first;
    const rotated = await v1.call("POST", ROTATE, `${LIST}/${id}/rotate-secret`, { token: apiKey, params: { id }, body: { expires_in_hours: 24 }, expect: 200 });
    const second = rotated.data.signing_secret as string;
    expect(second).toMatch(/^whsec_/);
    expect(second).not.toBe(first);
    expect(Date.parse(rotated.data.previous_secret_expires_at as string) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);

    const during = await emitStatusChange(workspace.id, "rot-1");
    await deliverWebhook({ deliveryId: during.id });
    const got = await receiver.waitFor((w) => w.body.data.transaction_id === "TXrot-1");
    expect((got.headers["recoup-signature"] as string).match(/v1=/g)).toHaveLength(2);
    for (const secret of [first, second]) expect(verifySignature({ secret, header: got.headers["recoup-signature"] as string, body: got.rawBody })).toBe(true);

    testClock.advance(25 * 3_600_000);
    receiver.secret = second;
    const afterOverlap = await emitStatusChange(workspace.id, "rot-2");
    await deliverWebhook({ deliveryId: afterOverlap.id });
    const later = await receiver.waitFor((w) => w.body.data.transaction_id === "TXrot-2");
    expect((later.headers["recoup-signature"] as string).match(/v1=/g)).toHaveLength(1);
    expect(verifySignature({ secret: second, header: later.headers["recoup-signature"] as string, body: later.rawBody })).toBe(true);
    expect(verifySignature({ secret: first, header: later.headers["recoup-signature"] as string, body: later.rawBody })).toBe(false);

    // The body's range is enforced, in LostChurn's error shape.
    const bad = await v1.call("POST", ROTATE, `${LIST}/${id}/rotate-secret`, { token: apiKey, params: { id }, body: { expires_in_hours: 169 }, expect: 400 });
    expect(bad.error).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ path: "body.expires_in_hours" }] });
  });
});

it("documents every catalogue event type in the OpenAPI webhooks section, with the signature header", async () => {
  const { doc } = await apiV1Contract();
  const webhooks = doc.webhooks as Record<string, { post: { parameters: Array<{ name: string }>; requestBody: unknown } }>;
  expect(Object.keys(webhooks).sort()).toEqual([...WEBHOOK_EVENT_TYPES].sort());
  for (const type of WEBHOOK_EVENT_TYPES) expect(webhooks[type]!.post.parameters.map((p) => p.name)).toContain("Recoup-Signature");
});
