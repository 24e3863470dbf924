import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import * as overview from "~/routes/dashboard._index";
import * as replayRoute from "~/routes/dashboard.events.replay";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../jobs/queues";
import { makeWorkspace } from "../factories";
import { cli } from "../helpers/cli";
import { advanceTime, pendingJobs, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

// Stripe unreachable for longer than a job's retries (ADR 0025): nothing we acknowledged may die in
// the dead-letter queue. Time runs on the virtual clock and pg-boss's schedule (tests/helpers/jobs.ts).
const HOUR = 3_600_000;
const env = useStripeAndMail();
afterEach(() => env.stripe.outage(false));

const args = (path: string, token: string, init: RequestInit = {}) => ({
  request: new Request(`http://localhost${path}`, { ...init, headers: { cookie: `recoup_session=${encodeURIComponent(token)}` } }),
  params: {},
  context: {},
});

async function overviewOf(sessionToken: string) {
  return (await overview.loader(args("/dashboard", sessionToken))) as Awaited<ReturnType<typeof overview.loader>>;
}

/** Runs the due jobs, then moves time on past the longest retry delay, `rounds` times. */
async function ride(rounds: number, stepMs = 2 * HOUR + 60_000) {
  for (let i = 0; i < rounds; i++) {
    await runDueJobs();
    await advanceTime(stepMs);
  }
}

async function failureEvent(opts: { amount: number }) {
  const m = await merchantWithOpenInvoice(env.stripe, { amount: opts.amount });
  // Stripe's own retries are off (Smart Retries disabled): Recoup's plan is to retry.
  const failed = env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
  const event = eventOf("invoice.payment_failed", failed, { account: m.account });
  return { m, event };
}

const recoveryOf = (workspaceId: string, invoiceId: string) =>
  db().recovery.findUnique({ where: { workspaceId_externalId: { workspaceId, externalId: invoiceId } } });

describe("a Stripe outage longer than an event's retries", () => {
  it("moves the event to the long horizon, shows it delayed, and opens the recovery once Stripe is back", async () => {
    testClock.set(new Date("2026-11-23T09:00:00Z"));
    const { m, event } = await failureEvent({ amount: 3900 });
    env.stripe.outage(true);
    expect((await deliver(event)).status).toBe(200);

    // The short horizon: the first run and its 8 retries (about an hour of backoff) all fail.
    await ride(queues.stripeEvent.options.retryLimit + 1);
    const row = await db().stripeEvent.findUniqueOrThrow({ where: { eventId: event.id } });
    expect(row).toMatchObject({ status: "retrying", workspaceId: m.workspace.id });
    expect(row.lastError).toMatch(/temporarily unavailable/);
    expect(await pendingJobs(queues.stripeEvent.later!.name)).toHaveLength(1);
    expect(await recoveryOf(m.workspace.id, m.invoiceId)).toBeNull();
    // The merchant sees that Stripe events are delayed.
    expect((await overviewOf(m.sessionToken)).eventBacklog).toMatchObject({ delayed: 1, failed: 0 });

    // Stripe comes back; the next long-horizon retry applies the event.
    env.stripe.outage(false);
    await ride(1);
    await runDueJobs();
    expect(await db().stripeEvent.findUniqueOrThrow({ where: { eventId: event.id } })).toMatchObject({ status: "processed" });
    expect(await recoveryOf(m.workspace.id, m.invoiceId)).toMatchObject({ status: "pending", amountDueMinor: 3900, currency: "usd" });
    expect((await overviewOf(m.sessionToken)).eventBacklog).toMatchObject({ delayed: 0, failed: 0 });
  }, 120_000);

  it("after three days gives the events up: the merchant sees them, the owner is emailed once, and a replay applies them", async () => {
    testClock.set(new Date("2026-11-30T09:00:00Z"));
    const { m, event } = await failureEvent({ amount: 1500 });
    // A second failed invoice of the same merchant's account.
    const invoice2 = `in_second${Math.random().toString(36).slice(2, 8)}`;
    const stored = env.stripe.getInvoice(m.account, m.invoiceId)!;
    env.stripe.putInvoice(m.account, { ...JSON.parse(JSON.stringify(stored)), id: invoice2, amount_due: 2700, amount_remaining: 2700, payments: undefined });
    const event2 = eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, invoice2, { declineCode: "insufficient_funds" }), { account: m.account });
    env.stripe.outage(true);
    expect((await deliver(event)).status).toBe(200);
    expect((await deliver(event2)).status).toBe(200);
    const mailsBefore = env.smtp.messages.length;

    // Both horizons: the short one, then 36 retries two hours apart (three days).
    const later = queues.stripeEvent.later!.options;
    await ride(queues.stripeEvent.options.retryLimit + 1 + later.retryLimit + 1);
    expect(later.retryLimit * later.retryDelay).toBeGreaterThanOrEqual(72 * 3600);
    const rows = await db().stripeEvent.findMany({ where: { eventId: { in: [event.id, event2.id] } } });
    expect(rows.map((r) => r.status)).toEqual(["failed", "failed"]);
    expect(await pendingJobs(queues.stripeEvent.later!.name)).toHaveLength(0);

    // The merchant sees it on the dashboard, and the owner got one email for both.
    expect((await overviewOf(m.sessionToken)).eventBacklog).toMatchObject({ delayed: 0, failed: 2 });
    await ride(3);
    // (The customers' dunning emails go on meanwhile; this is the owner's mail.)
    const mails = env.smtp.messages.slice(mailsBefore).filter((mail) => mail.to && JSON.stringify(mail.to).includes(m.owner.email!));
    expect(mails.map((mail) => mail.subject)).toEqual(["Recoup could not process 2 payment events from Stripe"]);
    expect(mails[0]!.text).toContain(event.id);
    expect(mails[0]!.text).toContain("Retry now");

    env.stripe.outage(false);
    // An operator replays one event from the CLI…
    const one = await cli("events", "replay", "--event", event.id, "--json");
    expect(one, one.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(one.stdout)).toEqual({ replayed: [event.id] });
    // …and the merchant presses "Retry now" for the rest.
    const pressed = await replayRoute.action(args("/dashboard/events/replay", m.sessionToken, { method: "POST" }));
    expect(pressed.headers.get("location")).toBe("/dashboard?replayed=1");
    await runDueJobs();
    expect(await recoveryOf(m.workspace.id, m.invoiceId)).toMatchObject({ status: "pending", amountDueMinor: 1500 });
    expect(await recoveryOf(m.workspace.id, invoice2)).toMatchObject({ status: "pending", amountDueMinor: 2700 });
    expect((await overviewOf(m.sessionToken)).eventBacklog).toMatchObject({ delayed: 0, failed: 0 });
  }, 300_000);
});

describe("a Stripe event that lost its job", () => {
  it("is found by the sweeper and continues on the long horizon", async () => {
    testClock.set(new Date("2026-12-03T09:00:00Z"));
    const { m, event } = await failureEvent({ amount: 4800 });
    env.stripe.outage(true);
    await deliver(event);
    await ride(queues.stripeEvent.options.retryLimit + 1);
    // The worker died during the last short-horizon run: the run expired into the dead-letter queue
    // and the long-horizon job was never sent.
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    await client.query("DELETE FROM pgboss.job WHERE name = $1", [queues.stripeEvent.later!.name]);
    await client.end();
    await db().stripeEvent.update({ where: { eventId: event.id }, data: { receivedAt: new Date(Date.now() - 11 * 60_000) } });
    env.stripe.outage(false);
    await runDueJobs();
    expect(await recoveryOf(m.workspace.id, m.invoiceId)).toBeNull();

    await enqueue(queues.stripeEventSweep, {}); // what the worker's schedule sends every 10 minutes
    await runDueJobs();
    expect(await db().stripeEvent.findUniqueOrThrow({ where: { eventId: event.id } })).toMatchObject({ status: "processed" });
    expect(await recoveryOf(m.workspace.id, m.invoiceId)).toMatchObject({ status: "pending", amountDueMinor: 4800 });
  }, 120_000);
});

describe("a Stripe outage at a planned retry", () => {
  it("leaves the recovery overdue once the charge's retries are spent; the sweeper plans it again and the charge goes through when Stripe is back", async () => {
    testClock.set(new Date("2026-12-01T09:00:00Z"));
    const { m, event } = await failureEvent({ amount: 6400 });
    await deliver(event);
    await runDueJobs();
    const planned = (await recoveryOf(m.workspace.id, m.invoiceId))!;
    expect(planned).toMatchObject({ status: "pending", nextActionKind: "retry" });

    // Stripe is down when the retry is due, and for longer than the charge-retry job retries.
    env.stripe.outage(true);
    await advanceTime(planned.nextActionAt!.getTime() - now().getTime() + 1000);
    await ride(queues.chargeRetry.options.retryLimit + 2);
    const stuck = (await recoveryOf(m.workspace.id, m.invoiceId))!;
    expect(stuck.status).toBe("pending");
    expect(stuck.nextActionAt!.getTime()).toBeLessThan(now().getTime() - 2 * HOUR);
    expect(await pendingJobs(queues.chargeRetry.name)).toHaveLength(0);
    const tried = env.stripe.requestsTo("POST", `/v1/invoices/${m.invoiceId}/pay`);
    expect(tried.length).toBe(queues.chargeRetry.options.retryLimit + 1);

    // Stripe is back; the sweeper (pg-boss schedule, every 10 minutes) finds the overdue recovery.
    env.stripe.outage(false);
    await enqueue(queues.recoverySweep, {});
    await runDueJobs();
    const replanned = (await recoveryOf(m.workspace.id, m.invoiceId))!;
    expect(replanned.nextActionAt!.getTime()).toBeGreaterThan(now().getTime() - 60_000);
    await advanceTime(Math.max(0, replanned.nextActionAt!.getTime() - now().getTime()) + 1000);
    await runDueJobs();

    expect(await recoveryOf(m.workspace.id, m.invoiceId)).toMatchObject({ status: "recovered", recoveredAmountMinor: 6400 });
    // One charge in all: every try carried the same idempotency key.
    const keys = new Set(env.stripe.requestsTo("POST", `/v1/invoices/${m.invoiceId}/pay`).map((r) => r.idempotencyKey));
    expect(keys.size).toBe(1);
  }, 120_000);
});

describe("replaying Shopify webhooks", () => {
  it("runs a webhook whose job gave up again, from the CLI", async () => {
    const { workspace } = await makeWorkspace();
    const row = await db().shopifyWebhook.create({
      data: { webhookId: "wh-gave-up-1", topic: "app/uninstalled", shopDomain: "gone.myshopify.com", workspaceId: workspace.id, payload: {}, status: "failed", attempts: 45, lastError: "Shopify answered 503" },
    });
    const bad = await cli("events", "replay", "--source", "shopify");
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Say which events");

    const run = await cli("events", "replay", "--source", "shopify", "--workspace", workspace.id, "--json");
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(JSON.parse(run.stdout)).toEqual({ replayed: ["wh-gave-up-1"] });
    await runDueJobs();
    // The job ran again (the shop is gone meanwhile, so there is nothing left to do).
    expect(await db().shopifyWebhook.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ status: "ignored", lastError: "unknown shop" });
  }, 60_000);
});
