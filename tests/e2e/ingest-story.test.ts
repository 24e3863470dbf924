import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { eraseCustomer } from "~/domain/privacy/erasure.server";
import { retryNow } from "~/domain/recovery/engine.server";
import * as ingestRoute from "~/routes/api.v1.ingest.payment-event";
import * as endpointsRoute from "~/routes/api.v1.webhooks.endpoints";
import * as recoverPage from "~/routes/recover.$token";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { findEverywhere } from "../helpers/db-scan";
import { zoneWhereItIsNoon } from "../helpers/daytime";
import { startWebhookReceiver, type FakeWebhookReceiver } from "../fakes/webhook-receiver";
import { callRoute, jsonOf } from "../helpers/http";
import { advanceTime, pendingJobs, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";

const HOUR = 3_600_000;
const env = useStripeAndMail();
let receiver: FakeWebhookReceiver;

beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
});

async function ingest(key: string, body: Record<string, unknown>) {
  const res = await callRoute(ingestRoute, "/api/v1/ingest/payment-event", { method: "POST", token: key, body });
  // LostChurn's envelope (ADR 0067): the result under `data`, the caller's workspace in `meta`.
  return { status: res.status, body: await jsonOf<{ data: Record<string, unknown>; meta: { merchant_id: string | null; timestamp: string } }>(res) };
}

async function recoveryOf(workspaceId: string, externalId: string) {
  return db().recovery.findUniqueOrThrow({
    where: { workspaceId_externalId: { workspaceId, externalId: externalId } },
    include: { customer: true, retries: true },
  });
}

describe("a payment from a PSP without webhooks (Adyen), won back", () => {
  it("ingest → recovery classified by Adyen's codes → retry due (owner email) → merchant reports failure → dunning email → retry due again (signed webhook) → merchant reports success → recovered", async () => {
    testClock.set(new Date("2026-11-02T07:00:00Z"));
    const { workspace, owner } = await makeWorkspace({ name: "Fjord Tea" });
    const writer = await createApiKey({ workspaceId: workspace.id, scopes: ["write"], name: "adyen bridge" });
    const failure = {
      event_type: "payment_failed",
      event_id: "adyen-evt-1",
      provider: "adyen",
      external_id: "psp_883921",
      amount_cents: 4900,
      currency: "EUR",
      customer_email: "ada@example.com",
      customer_id: "shopper_1029",
      customer_name: "Ada Lovelace",
      decline_code: "Not enough balance",
      payment_url: "https://pay.example.com/psp_883921",
    };

    // 1. The merchant's bridge posts the failure: stored, acknowledged, processed by a job.
    const first = await ingest(writer.key, failure);
    expect(first).toMatchObject({ status: 202, body: { data: { status: "queued", duplicate: false, recovery_initiated: true }, meta: { merchant_id: workspace.id } } });
    const again = await ingest(writer.key, failure);
    expect(again).toMatchObject({ status: 202, body: { data: { status: "duplicate", duplicate: true, recovery_initiated: false, event_id: first.body.data.event_id } } });
    await runDueJobs();
    expect(await db().ingestedPaymentEvent.count({ where: { workspaceId: workspace.id } })).toBe(1);

    let recovery = await recoveryOf(workspace.id, "psp_883921");
    // "Not enough balance" is Adyen's insufficient funds: soft, retried — under Stripe's codes it would be unknown.
    expect(recovery).toMatchObject({
      provider: "adyen",
      status: "pending",
      amountDueMinor: 4900,
      currency: "eur",
      declineCode: "Not enough balance",
      declineCategory: "soft_retry",
      externalAccountId: null,
      nextActionKind: "retry",
    });
    expect(recovery.customer).toMatchObject({ provider: "adyen", externalId: "shopper_1029", email: "ada@example.com", name: "Ada Lovelace" });
    const firstRetryAt = recovery.nextActionAt!;

    // 2. A soft decline is left to its retries first: on day 3 the sequence's first email is due, but
    //    it waits for the retry due the next morning (Friday 6 Nov, 07:00), whose answer may make it needless.
    expect(firstRetryAt.toISOString()).toBe("2026-11-06T07:00:00.000Z");
    await advanceTime(72 * HOUR + 60_000);
    await runDueJobs();
    expect(env.smtp.messages.filter((m) => (m.to as { text: string }).text.includes("ada@example.com"))).toHaveLength(0);

    // 3. The retry falls due. Recoup cannot charge Adyen: with no webhook endpoint, the owner is emailed, once.
    await advanceTime(firstRetryAt.getTime() - Date.parse("2026-11-05T07:01:00Z") + 60_000);
    await runDueJobs();
    const due = await env.smtp.waitFor((m) => (m.to as { text: string }).text.includes(owner.email!) && m.subject!.startsWith("Retry due"));
    expect(due.subject).toBe("Retry due: €49.00 from ada@example.com (adyen payment psp_883921)");
    expect(due.text).toContain("payment_succeeded or payment_failed");
    expect(env.stripe.requestsTo("POST", "/v1/invoices/psp_883921/pay")).toHaveLength(0);
    recovery = await recoveryOf(workspace.id, "psp_883921");
    expect(recovery.recoupRetryCount).toBe(1);
    expect(recovery.retries.filter((r) => r.source === "recoup")).toHaveLength(0);
    expect(recovery.nextActionKind).toBe("retry");
    expect(recovery.nextActionAt!.getTime()).toBeGreaterThan(firstRetryAt.getTime());
    await runDueJobs();
    expect(env.smtp.messages.filter((m) => m.subject?.startsWith("Retry due"))).toHaveLength(1);
    expect(env.smtp.messages.filter((m) => (m.to as { text: string }).text.includes("ada@example.com"))).toHaveLength(0);

    // 4. The merchant's retry fails too and they say so half an hour later: recorded as the PSP's attempt,
    //    the next retry planned (not before the 44 hours a second retry waits after a decline).
    await advanceTime(30 * 60_000);
    await ingest(writer.key, { ...failure, event_id: "adyen-evt-2", decline_code: "Not enough balance" });
    await runDueJobs();
    recovery = await recoveryOf(workspace.id, "psp_883921");
    expect(recovery.retries.filter((r) => r.source === "platform")).toHaveLength(2);
    expect(recovery.status).toBe("pending");
    expect(recovery.nextActionKind).toBe("retry");
    expect(recovery.nextActionAt!.getTime()).toBeGreaterThanOrEqual(Date.parse("2026-11-06T07:31:00Z") + 44 * HOUR);

    // 5. Two hours after the retry fell due (09:01, the customer's daytime), the sequence's first email
    //    reaches the customer over SMTP, in euros.
    await advanceTime(90 * 60_000);
    await runDueJobs();
    const mail = await env.smtp.waitFor((m) => (m.to as { text: string }).text.includes("ada@example.com"));
    expect(mail.subject).toContain("Fjord Tea");
    expect(mail.text).toContain("€49.00");
    // The PSP's own payment page (payment_url) is where the email's button leads.
    const pressed = await pressUpdateButton(mail.text ?? "");
    expect(pressed.status).toBe(302);
    expect(pressed.headers.get("location")).toBe("https://pay.example.com/psp_883921");

    // 6. Now with an endpoint: a developer asks for a retry; the endpoint gets a signed payment.retry_due.
    const created = await callRoute(endpointsRoute, "/api/v1/webhooks/endpoints", { method: "POST", token: (await makeKey(workspace.id)).key, body: { url: receiver.url } });
    expect(created.status).toBe(201);
    receiver.secret = ((await jsonOf(created)) as { data: { signing_secret: string } }).data.signing_secret;
    receiver.failNext(1, 503);
    const retried = await retryNow({ workspaceId: workspace.id, recoveryId: recovery.id });
    const asked = { recoveryId: retried.id, ...retried.askedMerchant! };
    expect(asked).toMatchObject({ recoveryId: recovery.id, attemptNumber: 2, notifiedBy: "webhook" });
    await runDueJobs();
    // The first POST got a 503: pg-boss retries the job after its backoff, with the same event id.
    expect(receiver.requests).toHaveLength(1);
    expect((await pendingJobs("webhook-deliver"))).toHaveLength(1);
    await advanceTime(5 * 60_000);
    await runDueJobs();
    const hook = await receiver.waitFor((w) => w.status === 200);
    expect(receiver.requests).toHaveLength(2);
    expect(receiver.requests.map((r) => r.body.id)).toEqual([asked.eventId, asked.eventId]);
    expect(hook.signatureValid).toBe(true);
    expect(hook.headers["idempotency-key"]).toBe(asked.eventId);
    expect(hook.headers["recoup-event-id"]).toBe(asked.eventId);
    expect(hook.body).toMatchObject({
      id: asked.eventId,
      type: "payment.retry_due",
      api_version: expect.any(String),
      data: { payment_id: recovery.id, external_id: "psp_883921", provider: "adyen", amount_cents: 4900, currency: "eur", attempt_number: 2, customer: { external_id: "shopper_1029", email: "ada@example.com" } },
    });
    expect(await db().webhookDelivery.findFirstOrThrow({ where: { eventId: asked.eventId } })).toMatchObject({ status: "delivered", attempts: 2, lastStatusCode: 200 });
    // No owner email this time: the endpoint took it.
    expect(env.smtp.messages.filter((m) => m.subject?.startsWith("Retry due"))).toHaveLength(1);

    // 7. The merchant's retry succeeds: recovered with the amount paid; nothing more is sent.
    await ingest(writer.key, { ...failure, event_type: "payment_succeeded", event_id: "adyen-evt-3", decline_code: undefined });
    await runDueJobs();
    recovery = await recoveryOf(workspace.id, "psp_883921");
    expect(recovery).toMatchObject({ status: "recovered", recoveredAmountMinor: 4900 });
    const sent = receiver.requests.length;
    const mails = env.smtp.messages.length;
    await advanceTime(30 * 24 * HOUR);
    await runDueJobs();
    expect(receiver.requests.length).toBe(sent);
    expect(env.smtp.messages.length).toBe(mails);
  });

  it("zero-decimal currencies: ¥1,500 is 1500 minor units, not ¥15.00; Braintree's 2004 asks for a new card", async () => {
    const { workspace } = await makeWorkspace({ name: "Kyoto Books" });
    // On the real clock: the card-update request goes out at once only in the customer's daytime.
    await db().workspace.update({ where: { id: workspace.id }, data: { timezone: zoneWhereItIsNoon() } });
    const key = (await makeKey(workspace.id)).key;
    const res = await ingest(key, {
      event_type: "payment_failed",
      provider: "braintree",
      external_id: "bt_txn_1",
      amount_cents: 1500,
      currency: "jpy",
      customer_email: "sei@example.com",
      decline_code: "2004",
    });
    expect(res.status).toBe(202);
    await runDueJobs();
    const recovery = await recoveryOf(workspace.id, "bt_txn_1");
    expect(recovery).toMatchObject({ provider: "braintree", amountDueMinor: 1500, currency: "jpy", declineCategory: "hard_customer" });
    // Known by email when the PSP gives no customer id.
    expect(recovery.customer).toMatchObject({ externalId: "email:sei@example.com", email: "sei@example.com" });
    await advanceTime(2 * HOUR);
    await runDueJobs();
    const mail = await env.smtp.waitFor((m) => (m.to as { text: string }).text.includes("sei@example.com"));
    expect(mail.text).toContain("¥1,500");
    expect(mail.text).not.toContain("¥15");
    // The email's button cannot open a Stripe portal for a Braintree payment: the page says whom to ask.
    const notice = (await pressUpdateButton(mail.text ?? "")) as unknown as { data: { notice: string; error: null } };
    expect(notice.data).toEqual({ notice: "To update your payment details, please contact Kyoto Books: reply to their email.", error: null });
  });

  it("a success that arrives before its failure closes the recovery at once", async () => {
    const { workspace } = await makeWorkspace();
    const key = (await makeKey(workspace.id)).key;
    const base = { provider: "checkout", external_id: "pay_cko_1", amount_cents: 2000, currency: "gbp", customer_email: "late@example.com" };
    await ingest(key, { ...base, event_type: "payment_succeeded", occurred_at: "2026-11-02T10:00:00Z" });
    await runDueJobs();
    expect(await db().ingestedPaymentEvent.findFirstOrThrow({ where: { workspaceId: workspace.id, type: "payment_succeeded" } })).toMatchObject({ status: "ignored" });
    await ingest(key, { ...base, event_type: "payment_failed", decline_code: "20051", occurred_at: "2026-11-02T09:00:00Z" });
    await runDueJobs();
    expect(await recoveryOf(workspace.id, "pay_cko_1")).toMatchObject({ status: "recovered", recoveredAmountMinor: 2000 });
  });
  it("GDPR erasure leaves nothing of an ingested customer: events redacted, retry-due events and their jobs gone", async () => {
    const { workspace } = await makeWorkspace();
    const key = (await makeKey(workspace.id)).key;
    const created = await callRoute(endpointsRoute, "/api/v1/webhooks/endpoints", { method: "POST", token: key, body: { url: "http://127.0.0.1:9/never" } });
    expect(created.status).toBe(201);
    const base = { provider: "paddle", amount_cents: 1200, currency: "usd", customer_email: "erase-me-7f3@example.com", customer_id: "ctm_erase_7f3", customer_name: "Zed Erasable" };
    await ingest(key, { ...base, event_type: "payment_failed", external_id: "txn_erase_1", decline_code: "insufficient_funds", metadata: { note: "erase-me-7f3@example.com" } });
    await ingest(key, { ...base, event_type: "payment_failed", external_id: "txn_erase_2" });
    await runDueJobs();
    const recovery = await recoveryOf(workspace.id, "txn_erase_1");
    // A retry-due event for it waits in the queue (its endpoint does not answer).
    await retryNow({ workspaceId: workspace.id, recoveryId: recovery.id });
    expect(await db().webhookEvent.count({ where: { recoveryId: recovery.id, type: "payment.retry_due" } })).toBe(1);
    expect(await findEverywhere("erase-me-7f3@example.com")).not.toEqual([]);

    await eraseCustomer({ workspaceId: workspace.id, externalId: "ctm_erase_7f3" });
    for (const needle of ["erase-me-7f3@example.com", "ctm_erase_7f3", "Zed Erasable", "txn_erase_1"]) {
      expect(await findEverywhere(needle), needle).toEqual([]);
    }
    expect(await db().webhookEvent.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect((await pendingJobs("webhook-deliver")).filter((j) => JSON.stringify(j.data).includes(recovery.id))).toEqual([]);
    // The ingested rows stay, redacted, so a redelivery of the same event is still a duplicate.
    expect(await db().ingestedPaymentEvent.count({ where: { workspaceId: workspace.id } })).toBe(2);
  });
});

async function pressUpdateButton(text: string): Promise<Response> {
  const token = /\/recover\/([\w.-]+)/.exec(text)?.[1];
  if (!token) throw new Error("no /recover link in the email");
  const res = await recoverPage.action({ request: new Request(`http://recoup.test/recover/${token}`, { method: "POST" }), params: { token }, context: {} });
  return res as Response;
}

function makeKey(workspaceId: string) {
  return createApiKey({ workspaceId, scopes: ["write", "webhooks"], name: "integration" });
}

describe("an ingested customer's place and payments (ADRs 0048, 0049)", () => {
  it("customer_timezone, else customer_country's main zone, places the customer; every payment succeeded is their history, once", async () => {
    testClock.set(new Date("2026-11-02T07:00:00Z"));
    const { workspace } = await makeWorkspace({ name: "Placed Tea" });
    const writer = await createApiKey({ workspaceId: workspace.id, scopes: ["write"], name: "bridge" });
    const base = { provider: "braintree", amount_cents: 1500, currency: "usd" };
    await ingest(writer.key, { ...base, event_type: "payment_failed", external_id: "bt_1", customer_id: "c1", customer_email: "c1@example.com", customer_timezone: "America/Chicago", customer_country: "us" });
    await ingest(writer.key, { ...base, event_type: "payment_failed", external_id: "bt_2", customer_id: "c2", customer_email: "c2@example.com", customer_country: "au" });
    await runDueJobs();
    const chicago = await recoveryOf(workspace.id, "bt_1");
    expect(chicago.customer).toMatchObject({ timezone: "America/Chicago", country: "US" });
    expect(chicago.nextActionReason).toContain("customer's time, America/Chicago");
    expect((await recoveryOf(workspace.id, "bt_2")).customer).toMatchObject({ timezone: "Australia/Sydney", country: "AU" });

    // Earlier payments of c1, another invoice's (no recovery of it), sent twice: one row.
    const paid = { ...base, event_type: "payment_succeeded", event_id: "bt-paid-1", external_id: "bt_0", customer_id: "c1", customer_email: "c1@example.com", occurred_at: "2026-10-01T15:00:00Z" };
    expect((await ingest(writer.key, paid)).status).toBe(202);
    expect((await ingest(writer.key, paid)).body).toMatchObject({ data: { duplicate: true } });
    await runDueJobs();
    const rows = await db().customerPayment.findMany({ where: { workspaceId: workspace.id } });
    expect(rows.map((r) => [r.provider, r.externalCustomerId, r.paidAt.toISOString(), r.amountMinor, r.currency])).toEqual([
      ["braintree", "c1", "2026-10-01T15:00:00.000Z", 1500, "usd"],
    ]);

    // A customer known only by email who never failed has history but no Customer row: erasing the address takes it.
    await ingest(writer.key, { ...base, event_type: "payment_succeeded", external_id: "bt_9", customer_email: "Only.Paid@example.com" });
    await runDueJobs();
    expect(await db().customerPayment.count({ where: { workspaceId: workspace.id, externalCustomerId: { contains: "only.paid@" } } })).toBe(1);
    await eraseCustomer({ workspaceId: workspace.id, email: "only.paid@example.com" });
    expect(await db().customerPayment.count({ where: { workspaceId: workspace.id } })).toBe(1);
  });
});
