// GET /api/v1/payments/{id} by the ids a merchant copies from the Stripe Dashboard: the PaymentIntent
// (`pi_…`) and the charges (`ch_…`) of Stripe's failed attempt and of Recoup's own retries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as paymentRoute from "~/routes/api.v1.payments.$id";
import * as retryRoute from "~/routes/api.v1.payments.$id.retry";
import * as timelineRoute from "~/routes/api.v1.payments.$id.timeline";
import * as paymentsRoute from "~/routes/api.v1.payments";
import { stripe } from "~/integrations/stripe/client.server";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { liftRateLimits, v1Caller } from "../helpers/openapi";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

const env = useStripeAndMail();
liftRateLimits();
let v1: Awaited<ReturnType<typeof v1Caller>>;

const LIST = "/api/v1/payments";
const ONE = "/api/v1/payments/{id}";
const TIMELINE = "/api/v1/payments/{id}/timeline";
const RETRY = "/api/v1/payments/{id}/retry";

beforeAll(async () => {
  v1 = await v1Caller({ [LIST]: paymentsRoute, [ONE]: paymentRoute, [TIMELINE]: timelineRoute, [RETRY]: retryRoute });
});
afterAll(() => testClock.reset());

const url = (path: string, id: string) => path.replace("{id}", encodeURIComponent(id));
type Event = { type: string; details: Record<string, unknown> };

/** A Stripe invoice that failed with insufficient funds, through the fake Stripe, the webhook and the engine. */
async function failedStripePayment(amount = 4999) {
  testClock.set(new Date("2026-11-10T09:00:00Z"));
  const m = await merchantWithOpenInvoice(env.stripe, { amount });
  const failed = env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
  await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  await runDueJobs();
  const row = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  testClock.set(new Date("2026-11-10T10:00:00Z"));
  return { ...m, row };
}

/** What the merchant sees in the Stripe Dashboard: the invoice's PaymentIntent and its latest charge. */
async function dashboardIds(account: string, invoiceId: string) {
  const invoice = env.stripe.getInvoice(account, invoiceId)!;
  const pi = await stripe().paymentIntents.retrieve(String(invoice.payments!.data[0]!.payment.payment_intent), {}, { stripeAccount: account });
  return { paymentIntentId: pi.id, chargeId: String(pi.latest_charge) };
}

async function get(apiKey: string, ref: string, status = 200) {
  return (await v1.call("GET", ONE, url(ONE, ref), { token: apiKey, params: { id: ref }, expect: status })).data;
}

async function retryNow(apiKey: string, id: string) {
  await v1.call("POST", RETRY, url(RETRY, id), { token: apiKey, params: { id }, expect: 202 });
  await runDueJobs();
}

describe("a Stripe payment found by its PaymentIntent and charge ids", () => {
  it("resolves Stripe's failed charge, then each of Recoup's retries' charges, to the one payment", async () => {
    const m = await failedStripePayment();
    const first = await dashboardIds(m.account, m.invoiceId);
    expect(first.paymentIntentId).toMatch(/^pi_/);
    expect(first.chargeId).toMatch(/^ch_/);

    const byId = await get(m.apiKey, m.row.id);
    expect(byId).toMatchObject({ id: m.row.id, external_id: m.invoiceId, payment_intent_id: first.paymentIntentId, latest_charge_id: first.chargeId });
    expect(await get(m.apiKey, first.paymentIntentId)).toEqual(byId);
    expect(await get(m.apiKey, first.chargeId)).toEqual(byId);
    // The list shows the same fields.
    const list = await v1.call("GET", LIST, LIST, { token: m.apiKey, expect: 200 });
    expect(list.data).toEqual([expect.objectContaining({ id: m.row.id, payment_intent_id: first.paymentIntentId, latest_charge_id: first.chargeId })]);
    expect(list.body.pagination).toEqual({ page: 1, per_page: 25, total: 1, total_pages: 1 });

    // Recoup's retry is declined: Stripe makes a new charge on the same PaymentIntent.
    env.stripe.declineNextPay(m.invoiceId, { declineCode: "insufficient_funds" });
    await retryNow(m.apiKey, m.row.id);
    const second = await dashboardIds(m.account, m.invoiceId);
    expect(second.paymentIntentId).toBe(first.paymentIntentId);
    expect(second.chargeId).not.toBe(first.chargeId);
    const afterDecline = await get(m.apiKey, second.chargeId);
    expect(afterDecline).toMatchObject({ id: m.row.id, status: "failed", retry_count: 1, payment_intent_id: first.paymentIntentId, latest_charge_id: second.chargeId });
    expect((await get(m.apiKey, first.chargeId)).id).toBe(m.row.id);

    // Stripe's own failure event for Recoup's charge changes nothing about which charge is which.
    await deliver(eventOf("invoice.payment_failed", env.stripe.getInvoice(m.account, m.invoiceId)!, { account: m.account }));
    await runDueJobs();
    expect(await get(m.apiKey, second.chargeId)).toMatchObject({ id: m.row.id, latest_charge_id: second.chargeId });

    // The next retry pays: its charge, learnt from Stripe's answer to the payment, finds it too.
    testClock.set(new Date("2026-11-11T10:00:00Z"));
    await retryNow(m.apiKey, m.row.id);
    const third = await dashboardIds(m.account, m.invoiceId);
    expect(third.chargeId).not.toBe(second.chargeId);
    expect(await get(m.apiKey, third.chargeId)).toMatchObject({ id: m.row.id, status: "recovered", payment_intent_id: first.paymentIntentId, latest_charge_id: third.chargeId });

    // Each attempt's event names its own charge.
    const timeline = await v1.call("GET", TIMELINE, url(TIMELINE, first.paymentIntentId), { token: m.apiKey, params: { id: first.paymentIntentId }, expect: 200 });
    const events = timeline.data.events as Event[];
    const charges = (type: string) => events.filter((e) => e.type === type).map((e) => [e.details.payment_intent_id, e.details.charge_id]);
    expect(charges("payment_failed")).toEqual([[first.paymentIntentId, first.chargeId]]);
    expect(charges("retry_failed")).toEqual([[first.paymentIntentId, second.chargeId]]);
    expect(charges("retry_succeeded")).toEqual([[first.paymentIntentId, third.chargeId]]);
  });

  it("answers 404 for another workspace's PaymentIntent and charge", async () => {
    const mine = await failedStripePayment(1200);
    const theirs = await failedStripePayment(3400);
    const their = await dashboardIds(theirs.account, theirs.invoiceId);
    for (const ref of [their.paymentIntentId, their.chargeId, "pi_nobody", "ch_nobody", "py_nobody"]) {
      const res = await v1.call("GET", ONE, url(ONE, ref), { token: mine.apiKey, params: { id: ref }, expect: 404 });
      expect(res.error).toMatchObject({ code: "NOT_FOUND", type: "payment_not_found" });
      await v1.call("GET", TIMELINE, url(TIMELINE, ref), { token: mine.apiKey, params: { id: ref }, expect: 404 });
    }
    expect((await get(theirs.apiKey, their.paymentIntentId)).id).toBe(theirs.row.id);
    expect((await get(mine.apiKey, (await dashboardIds(mine.account, mine.invoiceId)).chargeId)).id).toBe(mine.row.id);
  });
});
