import type { AddressInfo } from "node:net";
import express from "express";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { receive } from "~/domain/inbox/inbox.server";
import { AppError } from "~/domain/errors";
import { uuidFromKey } from "~/utils/crypto.server";
import { isDatabaseUnavailable } from "~/utils/db-errors.server";
import type { Prisma } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import { makeEvent, makeInvoice, signPayload, type FakeStripe } from "../../../tests/fakes/stripe-server";
import { thrown } from "../../../tests/helpers/thrown";
import { WEBHOOK_SECRET, setUpStripe } from "../../../tests/helpers/stripe";
import { stripeEvents } from "./events.server";
import { closeIntake } from "./intake-batch.server";
import { STRIPE_WEBHOOK_PATH, stripeWebhookMiddleware } from "./intake-http.server";
import { receiveStripeEvent } from "./intake.server";

let stripe: FakeStripe;
let sql: pg.Client;
beforeAll(async () => {
  stripe = await setUpStripe();
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
});
afterAll(async () => {
  await sql.end();
  await closeIntake();
  await stripe.close();
});

function signed(id: string, object: object = makeInvoice({ id: `in_${id}`, customer: "cus_1" })) {
  const rawBody = JSON.stringify(makeEvent("invoice.payment_failed", object, { id, account: "acct_batch" }));
  return { rawBody, signature: signPayload(rawBody, WEBHOOK_SECRET) };
}

async function rowsOf(ids: string[]) {
  return (await sql.query(`SELECT * FROM "StripeEvent" WHERE "eventId" = ANY($1) ORDER BY "eventId"`, [ids])).rows;
}

async function jobsOf(ids: string[]) {
  return (await sql.query(`SELECT * FROM pgboss.job WHERE name = 'stripe-event' AND singleton_key = ANY($1) ORDER BY singleton_key`, [ids])).rows;
}

/** Calls made in one turn of the event loop share one batch (one transaction). */
const together = <T>(calls: Array<() => Promise<T>>) => Promise.allSettled(calls.map((call) => call()));

describe("the Stripe intake's group commit", () => {
  it("stores a batch of new events and their redeliveries once each: one row, one job, one `duplicate: false` per event", async () => {
    const before = signed("evt_batch_stored_before");
    await receiveStripeEvent(before);
    const ids = ["evt_batch_a", "evt_batch_b", "evt_batch_c", "evt_batch_d"];
    const deliveries = ids.flatMap((id) => {
      const event = signed(id);
      return [event, event, event];
    });
    const results = await together([...deliveries, before].map((d) => () => receiveStripeEvent(d)));

    const answers = results.map((r) => (r.status === "fulfilled" ? r.value : r.reason));
    for (const id of ids) {
      expect(answers.filter((a) => a.eventId === id).map((a) => a.duplicate)).toEqual([false, true, true]);
    }
    expect(answers.at(-1)).toEqual({ eventId: "evt_batch_stored_before", duplicate: true });

    const rows = await rowsOf(ids);
    expect(rows.map((r) => r.eventId)).toEqual(ids);
    // One transaction: one moment of receipt.
    expect(new Set(rows.map((r) => (r.receivedAt as Date).getTime())).size).toBe(1);
    const jobs = await jobsOf([...ids, "evt_batch_stored_before"]);
    expect(jobs.map((j) => j.singleton_key)).toEqual(["evt_batch_a", "evt_batch_b", "evt_batch_c", "evt_batch_d", "evt_batch_stored_before"]);
    for (const job of jobs) {
      const row = [...rows, ...(await rowsOf(["evt_batch_stored_before"]))].find((r) => r.eventId === job.singleton_key)!;
      expect(job.id).toBe(uuidFromKey(`stripe-event:${row.eventId}`));
      expect(job.data).toEqual({ stripeEventId: row.id });
    }
  });

  it("writes the row and the job that the one-event Prisma path wrote (columns, queue policy, retries, dead letter)", async () => {
    const delivery = signed("evt_same_as_prisma");
    const event = JSON.parse(delivery.rawBody) as { id: string; type: string; livemode: boolean; created: number };
    const viaPrisma = { ...event, id: "evt_through_prisma" } as unknown as Prisma.InputJsonObject;
    await receive(stripeEvents, { id: "evt_through_prisma", type: event.type, account: "acct_batch", livemode: event.livemode, createdAt: new Date(event.created * 1000), payload: viaPrisma });
    await receiveStripeEvent(delivery);

    const [batched, prisma] = await rowsOf(["evt_same_as_prisma", "evt_through_prisma"]);
    const comparable = (row: Record<string, unknown>) => {
      const { id: _id, eventId: _eventId, receivedAt, payload, ...rest } = row;
      return { ...rest, payload: { ...(payload as object), id: null }, receivedRecently: Date.now() - (receivedAt as Date).getTime() < 60_000 };
    };
    expect(comparable(batched)).toEqual(comparable(prisma));
    expect(batched.payload).toEqual(event);
    expect(batched.id).toMatch(/^c[0-9a-z]{24}$/);

    await enqueue(queues.stripeEvent, { stripeEventId: "reference" }, { key: "evt_reference_send" });
    const [ours, reference] = await jobsOf(["evt_same_as_prisma", "evt_reference_send"]);
    for (const column of ["retry_limit", "retry_delay", "retry_backoff", "expire_in", "dead_letter", "policy", "priority", "state"]) {
      expect(ours[column], column).toEqual(reference[column]);
    }
    const kept = (job: { keep_until: Date; start_after: Date }) => Math.round((job.keep_until.getTime() - job.start_after.getTime()) / 60_000);
    expect(kept(ours)).toBe(kept(reference));
  });

  it("stores an event holding the text the batch quotes its values with, exactly as sent", async () => {
    const object = { ...makeInvoice({ id: "in_quoted", customer: "cus_1" }), description: "costs $recoup_intake$ and $1 and it's 'quoted' \\ too" };
    const delivery = signed("evt_quote_tag", object);
    const neighbour = signed("evt_beside_quote_tag");
    const results = await together([delivery, neighbour].map((d) => () => receiveStripeEvent(d)));
    expect(results.map((r) => r.status === "fulfilled" && r.value.duplicate)).toEqual([false, false]);
    const rows = await rowsOf(["evt_beside_quote_tag", "evt_quote_tag"]);
    expect(rows[1].payload).toEqual(JSON.parse(delivery.rawBody));
    expect(rows[1].payload.data.object.description).toBe(object.description);
    expect((await jobsOf(["evt_beside_quote_tag", "evt_quote_tag"])).length).toBe(2);
  });

  it("acknowledges nothing and stores nothing when the database goes away mid-transaction (503; Stripe's redelivery then stores it)", async () => {
    const ids = ["evt_down_1", "evt_down_2", "evt_down_3"];
    const deliveries = ids.map((id) => signed(id));
    const blocker = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await blocker.connect();
    await blocker.query(`BEGIN; LOCK TABLE "StripeEvent" IN SHARE MODE`);
    const pending = together(deliveries.map((d) => () => receiveStripeEvent(d)));
    // The batch's insert waits for the lock: its connection is cut, as a restarting PostgreSQL would.
    let pid: number | undefined;
    while (!pid) {
      const { rows } = await sql.query(`SELECT pid FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND query LIKE '%INSERT INTO "StripeEvent"%'`);
      pid = rows[0]?.pid;
      if (!pid) await new Promise((r) => setTimeout(r, 20));
    }
    await sql.query("SELECT pg_terminate_backend($1)", [pid]);
    await blocker.query("ROLLBACK");
    await blocker.end();

    const results = await pending;
    expect(results.map((r) => r.status)).toEqual(["rejected", "rejected", "rejected"]);
    for (const r of results) expect(isDatabaseUnavailable((r as PromiseRejectedResult).reason)).toBe(true);
    expect(await rowsOf(ids)).toEqual([]);
    expect(await jobsOf(ids)).toEqual([]);

    const again = await together(deliveries.map((d) => () => receiveStripeEvent(d)));
    expect(again.map((r) => r.status === "fulfilled" && r.value.duplicate)).toEqual([false, false, false]);
    expect((await jobsOf(ids)).length).toBe(3);
  });

  it("stores no row of a batch whose jobs could not be inserted, and acknowledges none of it", async () => {
    await sql.query(`CREATE FUNCTION refuse_job() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'job refused'; END $$`);
    await sql.query(`CREATE TRIGGER refuse_job BEFORE INSERT ON pgboss.job FOR EACH ROW WHEN (NEW.name = 'stripe-event') EXECUTE FUNCTION refuse_job()`);
    const ids = ["evt_nojob_1", "evt_nojob_2"];
    try {
      const results = await together(ids.map((id) => () => receiveStripeEvent(signed(id))));
      expect(results.map((r) => r.status)).toEqual(["rejected", "rejected"]);
      expect(String((results[0] as PromiseRejectedResult).reason)).toContain("job refused");
    } finally {
      await sql.query("DROP TRIGGER refuse_job ON pgboss.job; DROP FUNCTION refuse_job()");
    }
    expect(await rowsOf(ids)).toEqual([]);
    expect(await jobsOf(ids)).toEqual([]);
  });

  it("fails only the event the database refuses: the rest of its batch is stored and acknowledged", async () => {
    await sql.query(
      `CREATE FUNCTION refuse_event() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW."eventId" = 'evt_poison' THEN RAISE EXCEPTION 'event refused'; END IF; RETURN NEW; END $$`,
    );
    await sql.query(`CREATE TRIGGER refuse_event BEFORE INSERT ON "StripeEvent" FOR EACH ROW EXECUTE FUNCTION refuse_event()`);
    const ids = ["evt_beside_poison_1", "evt_poison", "evt_beside_poison_2"];
    let results: Array<PromiseSettledResult<{ eventId: string; duplicate: boolean }>>;
    try {
      results = await together(ids.map((id) => () => receiveStripeEvent(signed(id))));
    } finally {
      await sql.query(`DROP TRIGGER refuse_event ON "StripeEvent"; DROP FUNCTION refuse_event()`);
    }
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect((await rowsOf(ids)).map((r) => r.eventId)).toEqual(["evt_beside_poison_1", "evt_beside_poison_2"]);
    expect((await jobsOf(ids)).map((j) => j.singleton_key)).toEqual(["evt_beside_poison_1", "evt_beside_poison_2"]);
  });

  it("refuses an unsigned or unstorable event before it reaches a batch", async () => {
    const good = signed("evt_refused_unsigned");
    expect(await thrown(receiveStripeEvent({ rawBody: good.rawBody, signature: null }))).toMatchObject({ code: "invalid_signature" });
    const rawBody = good.rawBody.replace('"invoice.payment_failed"', '"invoice.payment_failed\\u0000"').replace("evt_refused_unsigned", "evt_refused_nul");
    const error = await thrown(receiveStripeEvent({ rawBody, signature: signPayload(rawBody, WEBHOOK_SECRET) }));
    expect(error).toBeInstanceOf(AppError);
    expect(error).toMatchObject({ code: "malformed_event" });
    expect(await rowsOf(["evt_refused_unsigned", "evt_refused_nul"])).toEqual([]);
  });
});

describe("POST /api/webhooks/stripe on the HTTP front (no Remix)", () => {
  let base = "";
  let close = () => {};
  beforeAll(async () => {
    const app = express();
    app.post(STRIPE_WEBHOOK_PATH, stripeWebhookMiddleware());
    const server = app.listen(0, "127.0.0.1");
    await new Promise((resolve) => server.once("listening", resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    close = () => server.close();
  });
  afterAll(() => close());

  const post = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${base}${STRIPE_WEBHOOK_PATH}`, { method: "POST", body, headers: { "content-type": "application/json", traceparent: `00-${"ab".repeat(16)}-${"cd".repeat(8)}-01`, ...headers } });

  it("answers as the route does: stored, redelivered, unsigned, unstorable, too large", async () => {
    const event = signed("evt_front_1");
    const first = await post(event.rawBody, { "stripe-signature": event.signature });
    expect(first.status).toBe(200);
    expect(first.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(first.headers.get("x-trace-id")).toBe("ab".repeat(16));
    expect(await first.json()).toEqual({ received: true, eventId: "evt_front_1", duplicate: false });
    const again = await post(event.rawBody, { "stripe-signature": event.signature });
    expect(await again.json()).toEqual({ received: true, eventId: "evt_front_1", duplicate: true });
    expect((await rowsOf(["evt_front_1"])).length).toBe(1);

    const unsigned = await post(signed("evt_front_unsigned").rawBody);
    expect(unsigned.status).toBe(401);
    expect(unsigned.headers.get("content-type")).toBe("application/problem+json");
    expect(await unsigned.json()).toMatchObject({ code: "invalid_signature", traceId: "ab".repeat(16), instance: STRIPE_WEBHOOK_PATH });

    const nul = signed("evt_front_nul", { ...makeInvoice({ id: "in_nul", customer: "cus_1" }), customer_name: "a\u0000b" });
    const refused = await post(nul.rawBody, { "stripe-signature": nul.signature });
    expect(refused.status).toBe(400);
    expect((await refused.json()).code).toBe("malformed_event");

    const huge = signed("evt_front_huge", { ...makeInvoice({ id: "in_huge", customer: "cus_1" }), description: "x".repeat(600 * 1024) });
    const tooLarge = await post(huge.rawBody, { "stripe-signature": huge.signature });
    expect(tooLarge.status).toBe(413);
    expect((await tooLarge.json()).code).toBe("payload_too_large");
    expect(await rowsOf(["evt_front_unsigned", "evt_front_nul", "evt_front_huge"])).toEqual([]);
  });
});
