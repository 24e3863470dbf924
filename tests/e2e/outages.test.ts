import type Stripe from "stripe";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receiveStripeEvent } from "~/providers/stripe/intake.server";
import { db } from "~/utils/db.server";
import { MAINTENANCE_INTERVAL_SECONDS } from "~/utils/queue.server";
import { queues } from "../../jobs/queues";
import { signPayload, type FakeStripe } from "../fakes/stripe-server";
import { useOwnCluster } from "../helpers/own-cluster";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { CONNECT_WEBHOOK_SECRET, eventOf, setUpStripe } from "../helpers/stripe";
import { waitUntil } from "../helpers/wait";

// Recoup's processes against a PostgreSQL cluster of their own, which this file stops and starts.
const cluster = useOwnCluster("pg-outage");
let stripe: FakeStripe;

function postEvent(base: string, event: Stripe.Event) {
  const payload = JSON.stringify(event);
  return fetch(`${base}/api/webhooks/stripe`, {
    method: "POST",
    body: payload,
    headers: { "content-type": "application/json", "stripe-signature": signPayload(payload, CONNECT_WEBHOOK_SECRET) },
  });
}

const recoveryOf = (workspaceId: string, invoiceId: string) => () =>
  db().recovery.findUnique({ where: { workspaceId_externalId: { workspaceId, externalId: invoiceId } } });

beforeAll(async () => {
  stripe = await setUpStripe();
});

afterAll(async () => {
  await stripe?.close();
});

describe("a worker killed mid-job", () => {
  it("has its job picked up by another worker once the job's expiry has passed, within a maintenance interval and a retry delay", async () => {
    const m = await merchantWithOpenInvoice(stripe, { amount: 4100 });
    const failed = eventOf("invoice.payment_failed", stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds" }), { account: m.account });

    // Worker 1 takes the event's job and is killed while it waits for Stripe.
    const held = stripe.hold("GET", `/v1/invoices/${m.invoiceId}`);
    const first = cluster.start(["--worker"], /Worker started/);
    await first.seen;
    const payload = JSON.stringify(failed);
    await receiveStripeEvent({ rawBody: payload, signature: signPayload(payload, CONNECT_WEBHOOK_SECRET) });
    await held.arrived;
    first.child.kill("SIGKILL");
    await first.exited;
    held.release();

    // Each queue's expiry is sized to its work: an event's run is over in seconds, not 15 minutes.
    const queueRows = await cluster.sql<{ name: string; expire_seconds: number }>("SELECT name, expire_seconds FROM pgboss.queue WHERE name = $1", [
      queues.stripeEvent.name,
    ]);
    expect(queueRows[0]!.expire_seconds).toBe(queues.stripeEvent.options.expireInSeconds);
    expect(queues.stripeEvent.options.expireInSeconds).toBeLessThanOrEqual(120);
    const active = await cluster.sql<{ expire_in: string }>("SELECT expire_in::text FROM pgboss.job WHERE name = $1 AND state = 'active'", [
      queues.stripeEvent.name,
    ]);
    expect(active).toEqual([{ expire_in: "00:02:00" }]);
    // Its expiry passes (moved back, so the test need not sit through it).
    await cluster.sql("UPDATE pgboss.job SET started_on = started_on - expire_in WHERE name = $1 AND state = 'active'", [queues.stripeEvent.name]);

    // Another worker (npm start: web and worker) takes it over within one maintenance interval.
    const both = cluster.start([], /Worker started/);
    await both.seen;
    const started = Date.now();
    const recovery = await waitUntil("recovery opened by the second worker", recoveryOf(m.workspace.id, m.invoiceId), 60_000);
    const ms = Date.now() - started;
    expect(recovery).toMatchObject({ status: "pending", amountDueMinor: 4100 });
    console.info(`the abandoned job was processed ${ms} ms after the second worker started`);
    // The next maintenance fails it as expired, and pg-boss schedules its retry (first backoff step).
    const firstRetryMaxSeconds = 2 * queues.stripeEvent.options.retryDelay;
    expect(ms).toBeLessThan((MAINTENANCE_INTERVAL_SECONDS + firstRetryMaxSeconds + 15) * 1000);
  }, 300_000);
});

describe("a PostgreSQL restart", () => {
  it("is ridden out: the process stays up, answers 503 while the database is away, then serves and processes a new event", async () => {
    const both = cluster.children.at(-1)!;
    expect(both.alive()).toBe(true);
    const base = /Recoup is running at (http:\/\/\S+)/.exec(both.output())![1]!;
    const a = await merchantWithOpenInvoice(stripe, { amount: 2300 });
    const b = await merchantWithOpenInvoice(stripe, { amount: 5700 });
    const failedA = eventOf("invoice.payment_failed", stripe.failInvoice(a.account, a.invoiceId, { declineCode: "insufficient_funds" }), { account: a.account });
    const failedB = eventOf("invoice.payment_failed", stripe.failInvoice(b.account, b.invoiceId, { declineCode: "insufficient_funds" }), { account: b.account });

    // A job is in flight (waiting for Stripe) when PostgreSQL goes down: it finishes against a dead
    // database, and pg-boss fails it without awaiting the call.
    const held = stripe.hold("GET", `/v1/invoices/${a.invoiceId}`);
    expect((await postEvent(base, failedA)).status).toBe(200);
    await held.arrived;
    await cluster.stop();

    const during = await postEvent(base, failedB);
    expect(during.status).toBe(503);
    expect(during.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(during.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await during.json()).toMatchObject({ status: 503, code: "service_unavailable" });
    // A dashboard page says the same (HTML, 503 and Retry-After, not a 500).
    const page = await fetch(`${base}/dashboard`, { headers: { cookie: `recoup_session=${encodeURIComponent(a.sessionToken)}` } });
    expect(page.status).toBe(503);
    expect(Number(page.headers.get("retry-after"))).toBeGreaterThan(0);
    // What needs no database is still served.
    expect((await fetch(`${base}/api/v1/health`)).status).toBe(200);
    held.release();
    await new Promise((r) => setTimeout(r, 3_000)); // the worker's loops and the held job hit the dead database
    expect(both.alive()).toBe(true);

    await cluster.restart();
    await new Promise((r) => setTimeout(r, 1_000));
    expect(both.alive()).toBe(true);

    // Stripe redelivers the event we answered 503: stored, processed, the recovery opens.
    const answer = await waitUntil("event accepted after the restart", async () => {
      const res = await postEvent(base, failedB);
      return res.status === 200 ? ((await res.json()) as { duplicate: boolean }) : null;
    }, 30_000);
    expect(answer).toMatchObject({ duplicate: false });
    const recovery = await waitUntil("recovery opened after the restart", recoveryOf(b.workspace.id, b.invoiceId), 30_000);
    expect(recovery).toMatchObject({ status: "pending", amountDueMinor: 5700 });
    expect(both.output()).not.toMatch(/^(unhandled rejection|uncaught exception):/m);

    both.child.kill("SIGTERM");
    expect(await both.exited).toBe(0);
  }, 300_000);
});
