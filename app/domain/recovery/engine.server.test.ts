import { DEFAULT_RETRY_SETTINGS } from "./policy";
import type Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import * as retryRoute from "~/routes/api.recovery.retry";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../../tests/fakes/stripe-server";
import { callRoute, jsonOf } from "../../../tests/helpers/http";
import { advanceTime, pendingJobs, runDueJobs } from "../../../tests/helpers/jobs";
import { merchantWithOpenInvoice } from "../../../tests/helpers/scenario";
import { deliver, eventOf, setUpStripe } from "../../../tests/helpers/stripe";
import { pauseRecovery, resumeRecovery } from "./engine.server";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await setUpStripe();
  delete process.env.SMTP_URL; // emails stay in the outbox here
});
afterAll(() => stripe.close());
afterEach(() => testClock.reset());

async function failed(opts: Parameters<typeof merchantWithOpenInvoice>[1] & { decline?: Parameters<FakeStripe["failInvoice"]>[2] } = {}) {
  testClock.set(new Date("2026-11-10T12:00:00Z"));
  const m = await merchantWithOpenInvoice(stripe, opts);
  const invoice = stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null, ...opts.decline });
  await deliver(eventOf("invoice.payment_failed", invoice, { account: m.account }));
  await runDueJobs();
  const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  return { ...m, recovery };
}

const pays = (invoiceId: string) => stripe.requestsTo("POST", `/v1/invoices/${invoiceId}/pay`);
const reload = (id: string) => db().recovery.findUniqueOrThrow({ where: { id }, include: { messages: true, retries: true, outcomes: true } });

describe("the recovery engine", () => {
  it("never retries an expired card blind: it asks for a new card, then retries within a minute of getting one", async () => {
    const m = await failed({ decline: { declineCode: "expired_card", code: "expired_card" } });
    expect(m.recovery).toMatchObject({ declineType: "hard", nextActionKind: "email" });
    let r = await reload(m.recovery.id);
    expect(r.messages.filter((msg) => msg.kind === "card_update_request")).toHaveLength(1);
    await advanceTime(25 * DAY);
    await runDueJobs();
    expect(pays(m.invoiceId)).toHaveLength(0);

    testClock.reset();
    testClock.set(new Date(now().getTime()));
    const customer = stripe.getCustomer(m.account, m.customerId)!;
    stripe.putPaymentMethod(m.account, { id: "pm_fresh", card: { brand: "visa", fingerprint: "fp_fresh", last4: "9999" } as Stripe.PaymentMethod.Card });
    customer.invoice_settings.default_payment_method = "pm_fresh";
    await deliver(eventOf("payment_method.attached", { id: "pm_fresh", object: "payment_method", customer: m.customerId, card: { fingerprint: "fp_fresh" } }, { account: m.account }));
    await runDueJobs();
    r = await reload(m.recovery.id);
    expect(r.nextActionKind).toBe("retry");
    expect(r.nextActionAt!.getTime() - now().getTime()).toBeLessThanOrEqual(60_000);
    await advanceTime(60_000);
    await runDueJobs();
    expect((await reload(m.recovery.id)).status).toBe("recovered");
    expect(pays(m.invoiceId)).toHaveLength(1);
  });

  it("invoice.payment_action_required sends the authentication link and never charges", async () => {
    testClock.set(new Date("2026-11-10T12:00:00Z"));
    const m = await merchantWithOpenInvoice(stripe);
    const invoice = stripe.failInvoice(m.account, m.invoiceId, { declineCode: "authentication_required", code: "authentication_required", nextPaymentAttempt: null });
    await deliver(eventOf("invoice.payment_action_required", invoice, { account: m.account }));
    await runDueJobs();
    await advanceTime(10 * DAY);
    await runDueJobs();
    const r = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId }, include: { messages: true } });
    expect(r.messages.filter((msg) => msg.kind === "authentication_request")).toHaveLength(1);
    expect(pays(m.invoiceId)).toHaveLength(0);
  });

  it("a voided invoice is abandoned and its planned retry charges nothing", async () => {
    const m = await failed();
    expect(m.recovery.nextActionKind).toBe("retry");
    await deliver(eventOf("invoice.voided", { ...stripe.getInvoice(m.account, m.invoiceId), status: "void" }, { account: m.account }));
    await runDueJobs();
    await advanceTime(30 * DAY);
    await runDueJobs();
    const r = await reload(m.recovery.id);
    expect(r.status).toBe("abandoned");
    expect(r.outcomes[0]).toMatchObject({ outcome: "abandoned", reasonCode: "invoice_voided" });
    expect(pays(m.invoiceId)).toHaveLength(0);
  });

  it("a deleted subscription abandons its open recoveries", async () => {
    const m = await failed({ subscription: "sub_to_cancel" });
    await deliver(eventOf("customer.subscription.deleted", { id: "sub_to_cancel", object: "subscription", customer: m.customerId, status: "canceled" }, { account: m.account }));
    await runDueJobs();
    expect((await reload(m.recovery.id)).status).toBe("abandoned");
    expect(await db().subscriptionAtRisk.findFirst({ where: { externalSubscriptionId: "sub_to_cancel" } })).toMatchObject({ reason: "payment_failed" });
  });

  it("never collides with an attempt Stripe has scheduled itself", async () => {
    const stripeAttempt = Math.floor(Date.parse("2026-11-13T12:00:00Z") / 1000);
    const m = await failed({ decline: { declineCode: "insufficient_funds", nextPaymentAttempt: stripeAttempt } });
    expect(m.recovery.nextActionKind).toBe("wait");
    expect(m.recovery.nextActionAt!.getTime()).toBeGreaterThanOrEqual(stripeAttempt * 1000 + 2 * HOUR);
    expect(m.recovery.nextActionReason).toMatch(/Stripe/);
    await advanceTime(3 * DAY + HOUR);
    await runDueJobs();
    expect(pays(m.invoiceId)).toHaveLength(0);
  });

  it("a Stripe 500 fails the job; pg-boss's retry charges under the same idempotency key, once", async () => {
    const m = await failed();
    const attemptsBefore = stripe.getInvoice(m.account, m.invoiceId)!.attempt_count;
    stripe.queue("POST", `/v1/invoices/${m.invoiceId}/pay`, ...Array.from({ length: 3 }, () => ({ status: 500, body: { error: { type: "api_error", message: "boom" } } })));
    await advanceTime(m.recovery.nextActionAt!.getTime() - now().getTime() + 1000);
    const first = await runDueJobs({ maxRounds: 1 });
    expect(first.failed).toBeGreaterThanOrEqual(1);
    expect((await reload(m.recovery.id)).status).toBe("pending");
    const retried = await pendingJobs("charge-retry");
    expect(retried.some((j) => j.state === "retry")).toBe(true);
    await advanceTime(HOUR);
    await runDueJobs();
    const r = await reload(m.recovery.id);
    expect(r.status).toBe("recovered");
    const keys = new Set(pays(m.invoiceId).map((p) => p.idempotencyKey));
    expect(keys).toEqual(new Set([`recoup-retry-${m.recovery.id}-1`]));
    expect(r.retries.filter((a) => a.source === "recoup")).toHaveLength(1);
    expect(stripe.getInvoice(m.account, m.invoiceId)!.attempt_count).toBe(attemptsBefore + 1);
  });

  it("a crash after Stripe answered re-runs under the same key: Stripe replays, nobody is charged twice", async () => {
    const m = await failed();
    const attemptsBefore = stripe.getInvoice(m.account, m.invoiceId)!.attempt_count;
    await advanceTime(m.recovery.nextActionAt!.getTime() - now().getTime() + 1000);
    await runDueJobs();
    expect((await reload(m.recovery.id)).status).toBe("recovered");
    // Simulate the crash: the attempt row still says pending, the recovery is open, the job runs again.
    const attempt = await db().chargeAttempt.findFirstOrThrow({ where: { recoveryId: m.recovery.id, source: "recoup" } });
    await db().chargeAttempt.update({ where: { id: attempt.id }, data: { status: "pending" } });
    await db().recovery.update({ where: { id: m.recovery.id }, data: { status: "pending", endedAt: null } });
    const { runChargeRetry } = await import("./retry.server");
    await runChargeRetry({ recoveryId: m.recovery.id, attemptNumber: 1, at: m.recovery.nextActionAt!.toISOString() });
    const calls = pays(m.invoiceId);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.idempotencyKey).toBe(calls[0]!.idempotencyKey);
    expect(stripe.getInvoice(m.account, m.invoiceId)!.attempt_count).toBe(attemptsBefore + 1);
    expect((await reload(m.recovery.id)).status).toBe("recovered");
  });

  it("a paused recovery is not charged; resuming plans again", async () => {
    const m = await failed();
    await pauseRecovery({ workspaceId: m.workspace.id, recoveryId: m.recovery.id });
    await advanceTime(4 * DAY);
    await runDueJobs();
    expect(pays(m.invoiceId)).toHaveLength(0);
    const resumed = await resumeRecovery({ workspaceId: m.workspace.id, recoveryId: m.recovery.id });
    expect(resumed.paused).toBe(false);
    expect(resumed.nextActionKind).toBe("retry");
    await advanceTime(resumed.nextActionAt!.getTime() - now().getTime() + 1000);
    await runDueJobs();
    expect((await reload(m.recovery.id)).status).toBe("recovered");
  });

  it("gives up after the schedule: the recovery closes as failed", async () => {
    const m = await failed({ decline: { declineCode: "insufficient_funds", nextPaymentAttempt: null } });
    for (let i = 0; i < 10; i++) stripe.declineNextPay(m.invoiceId, { declineCode: "insufficient_funds" });
    for (let day = 0; day < 31; day++) {
      await advanceTime(DAY);
      await runDueJobs();
    }
    const r = await reload(m.recovery.id);
    expect(r.status).toBe("failed");
    expect(r.outcomes[0]).toMatchObject({ outcome: "failed", reasonCode: "schedule_exhausted" });
    const ours = r.retries.filter((a) => a.source === "recoup");
    expect(ours.length).toBeGreaterThanOrEqual(2);
    expect(ours.length).toBeLessThanOrEqual(DEFAULT_RETRY_SETTINGS.maxRetries);
  });

  it("an older failure delivered late does not overwrite a newer one", async () => {
    const m = await failed({ decline: { declineCode: "insufficient_funds" } });
    const late = eventOf("invoice.payment_failed", stripe.getInvoice(m.account, m.invoiceId), { account: m.account, created: Math.floor(Date.parse("2026-11-01T00:00:00Z") / 1000) });
    await deliver(late);
    await runDueJobs();
    const r = await reload(m.recovery.id);
    expect(r.lastFailureAt.toISOString()).toBe("2026-11-10T12:00:00.000Z");
    expect(r.startedAt.toISOString()).toBe("2026-11-01T00:00:00.000Z");
  });

  it("stores unknown and other-mode events but acts on none of them", async () => {
    const m = await failed();
    await deliver(eventOf("product.created", { id: "prod_1", object: "product" }, { account: m.account }));
    const live = eventOf("invoice.voided", { ...stripe.getInvoice(m.account, m.invoiceId), status: "void" }, { account: m.account });
    (live as { livemode: boolean }).livemode = true;
    await deliver(live);
    await runDueJobs();
    expect((await reload(m.recovery.id)).status).toBe("pending");
    const rows = await db().stripeEvent.findMany({ where: { stripeAccountId: m.account, type: { in: ["product.created", "invoice.voided"] } } });
    expect(rows.map((e) => e.status).sort()).toEqual(["ignored", "ignored"]);
  });

  it("an expiring card puts the customer's active subscriptions at risk", async () => {
    const m = await failed();
    stripe.putSubscription(m.account, { id: "sub_expiring", customer: m.customerId });
    await deliver(eventOf("customer.source.expiring", { id: "card_1", object: "card", customer: m.customerId, exp_month: 12, exp_year: 2026 }, { account: m.account }));
    await runDueJobs();
    const risk = await db().subscriptionAtRisk.findFirstOrThrow({ where: { externalSubscriptionId: "sub_expiring" } });
    expect(risk).toMatchObject({ reason: "card_expiring", externalCustomerId: m.customerId, resolvedAt: null });
    expect(risk.expirationDate!.toISOString()).toBe("2026-12-31T23:59:59.000Z");
  });

  it("POST /api/recovery/retry retries a soft decline now and refuses a hard one with its reason", async () => {
    const soft = await failed();
    const ok = await callRoute(retryRoute, "/api/recovery/retry", { body: { invoiceId: soft.invoiceId }, token: soft.apiKey });
    expect(ok.status).toBe(200);
    expect(await jsonOf(ok)).toMatchObject({ success: true, message: "Payment retry initiated", payment: { id: soft.recovery.id, status: "retrying" } });
    await advanceTime(1000);
    await runDueJobs();
    expect((await reload(soft.recovery.id)).status).toBe("recovered");

    const hard = await failed({ decline: { declineCode: "stolen_card" } });
    const refused = await callRoute(retryRoute, "/api/recovery/retry", { body: { invoiceId: hard.invoiceId }, token: hard.apiKey });
    expect(refused.status).toBe(409);
    expect((await jsonOf<{ error: { message: string; type: string } }>(refused)).error).toMatchObject({ type: "invalid_request_error", message: expect.stringMatching(/^Not retried/) });
    const expired = await failed({ decline: { declineCode: "expired_card", code: "expired_card" } });
    const refusedExpired = await callRoute(retryRoute, "/api/recovery/retry", { body: { invoiceId: expired.invoiceId }, token: expired.apiKey });
    expect(refusedExpired.status).toBe(409);
    expect((await jsonOf<{ error: { message: string } }>(refusedExpired)).error.message).not.toMatch(/Stopped:/);
    expect(pays(expired.invoiceId)).toHaveLength(0);
    const other = await callRoute(retryRoute, "/api/recovery/retry", { body: { invoiceId: soft.invoiceId }, token: hard.apiKey });
    expect(other.status).toBe(404);
    const bad = await callRoute(retryRoute, "/api/recovery/retry", { body: { invoiceId: 12 }, token: hard.apiKey });
    expect(bad.status).toBe(400);
  });
});
