import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { db, type Prisma } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import type { ShopifyWebhook } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { makeWorkspace } from "../../../tests/factories";
import { pendingJobs } from "../../../tests/helpers/jobs";
import { processInbox, receive, replayInbox, requeueOrphans, type InboxOutcome, type InboxRun, type InboxSource } from "./inbox.server";
import { inboxSources } from "~/wiring.server";

// A new event source is a descriptor and a handler: this one keeps its rows in the Shopify webhook
// table and its jobs in that queue, and its handler is whatever the test says.
let handler: (row: ShopifyWebhook, run: InboxRun) => Promise<InboxOutcome> = async () => ({ status: "processed" });
let handled = 0;
const givenUp: Array<{ workspaceId: string }> = [];

const testSource: InboxSource<ShopifyWebhook, { key: string }, "shopifyWebhookId", Prisma.ShopifyWebhookCreateManyInput> = {
  name: "test",
  queue: queues.shopifyWebhook,
  jobField: "shopifyWebhookId",
  table: (client) => client.shopifyWebhook,
  idColumn: "webhookId",
  columns: (_tx, input) => ({ webhookId: input.key, topic: "test/event", shopDomain: "inbox-test.myshopify.com", payload: {} }),
  key: (input) => ({ webhookId: input.key }),
  retryingStatus: "retrying",
  handle: (row, run) => {
    handled += 1;
    return handler(row, run);
  },
  async onGivenUp(_tx, input) {
    givenUp.push({ workspaceId: input.workspaceId });
  },
};

const jobsOf = async (rowId: string, queue: string = queues.shopifyWebhook.name) =>
  (await pendingJobs(queue)).filter((j) => (j.data as { shopifyWebhookId?: string }).shopifyWebhookId === rowId);
const rowOf = (id: string) => db().shopifyWebhook.findUniqueOrThrow({ where: { id } });

async function stored() {
  const { id } = await receive(testSource, { key: `wh-${randomUUID()}` });
  return id;
}

describe("the inbox", () => {
  it("stores an event once with its job; a redelivery is a duplicate and sends no job", async () => {
    const key = `wh-${randomUUID()}`;
    const first = await receive(testSource, { key });
    expect(first.duplicate).toBe(false);
    expect(await jobsOf(first.id)).toHaveLength(1);
    const jobsBefore = (await pendingJobs()).length;

    const again = await receive(testSource, { key });
    expect(again).toEqual({ id: first.id, duplicate: true });
    expect(await db().shopifyWebhook.count({ where: { webhookId: key } })).toBe(1);
    expect((await pendingJobs()).length).toBe(jobsBefore);
    expect(await rowOf(first.id)).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("a failing handler: the error is recorded, truncated, the attempt counted, and the error rethrown; given up on the last attempt", async () => {
    const id = await stored();
    const boom = new Error("x".repeat(2100));
    handler = async (_row, run) => {
      run.workspaceId = "ws_inbox_test";
      throw boom;
    };
    await expect(processInbox(testSource, { shopifyWebhookId: id })).rejects.toBe(boom);
    const failedOnce = await rowOf(id);
    expect(failedOnce).toMatchObject({ status: "retrying", attempts: 1, workspaceId: "ws_inbox_test", processedAt: null });
    expect(failedOnce.lastError).toBe("x".repeat(2000));
    expect(givenUp).toEqual([]);

    await expect(processInbox(testSource, { shopifyWebhookId: id }, { lastAttempt: true })).rejects.toBe(boom);
    expect(await rowOf(id)).toMatchObject({ status: "failed", attempts: 2 });
    expect(givenUp).toEqual([{ workspaceId: "ws_inbox_test" }]);
  });

  it("a source whose failed runs read `failed` while retried keeps that word", async () => {
    const id = await stored();
    handler = async () => {
      throw "not an Error";
    };
    await expect(processInbox({ ...testSource, retryingStatus: "failed" }, { shopifyWebhookId: id })).rejects.toBe("not an Error");
    expect(await rowOf(id)).toMatchObject({ status: "failed", attempts: 1, lastError: "not an Error" });
  });

  it("finishes with the handler's outcome and skips a done event", async () => {
    const id = await stored();
    handler = async () => ({ status: "ignored", note: "nothing to do" });
    expect(await processInbox(testSource, { shopifyWebhookId: id })).toMatchObject({ status: "ignored" });
    const done = await rowOf(id);
    expect(done).toMatchObject({ status: "ignored", lastError: "nothing to do", attempts: 1 });
    expect(done.processedAt).toBeInstanceOf(Date);

    const before = handled;
    expect(await processInbox(testSource, { shopifyWebhookId: id })).toBeUndefined();
    expect(handled).toBe(before);
    expect(await rowOf(id)).toMatchObject({ status: "ignored", attempts: 1 });
    // A row that is gone (erased meanwhile) is nothing to do either.
    expect(await processInbox(testSource, { shopifyWebhookId: "gone" })).toBeUndefined();
    expect(handled).toBe(before);
  });

  it("a replay runs a failed event again, once however often it is pressed", async () => {
    const id = await stored();
    const { webhookId } = await db().shopifyWebhook.update({ where: { id }, data: { status: "failed", attempts: 3 } });
    expect(await replayInbox(testSource, { id: webhookId })).toEqual({ replayed: [webhookId] });
    expect(await rowOf(id)).toMatchObject({ status: "pending" });
    await db().shopifyWebhook.update({ where: { id }, data: { status: "failed" } });
    expect(await replayInbox(testSource, { id: webhookId })).toEqual({ replayed: [webhookId] });
    // The first job at receipt and one replay.
    expect(await jobsOf(id)).toHaveLength(2);
  });
});

describe("the sweeper", () => {
  it("sends every source's waiting events that lost their job to the long horizon, and nothing else", async () => {
    const { workspace } = await makeWorkspace();
    const old = new Date(Date.now() - 11 * 60_000);
    // Each source's event whose job is gone.
    const stripe = await db().stripeEvent.create({
      data: { eventId: `evt_${randomUUID().replace(/-/g, "")}`, type: "invoice.paid", livemode: false, eventCreatedAt: old, payload: {}, status: "retrying", attempts: 9, receivedAt: old },
    });
    const shopify = await db().shopifyWebhook.create({
      data: { webhookId: `wh-${randomUUID()}`, topic: "app/uninstalled", shopDomain: "swept.myshopify.com", payload: {}, receivedAt: old },
    });
    const ingest = await db().ingestedPaymentEvent.create({
      data: { workspaceId: workspace.id, eventKey: `id:${randomUUID()}`, type: "payment_failed", provider: "custom", payload: {}, receivedAt: old },
    });
    // Left alone: a topic that never runs, a given-up webhook, a recent event, one whose job waits.
    await db().shopifyWebhook.create({ data: { webhookId: `wh-${randomUUID()}`, topic: "orders/create", shopDomain: "swept.myshopify.com", payload: {}, receivedAt: old } });
    await db().shopifyWebhook.create({ data: { webhookId: `wh-${randomUUID()}`, topic: "shop/redact", shopDomain: "swept.myshopify.com", payload: {}, status: "failed", receivedAt: old } });
    await db().ingestedPaymentEvent.create({ data: { workspaceId: workspace.id, eventKey: `id:${randomUUID()}`, type: "payment_failed", provider: "custom", payload: {} } });
    const held = await db().ingestedPaymentEvent.create({
      data: { workspaceId: workspace.id, eventKey: `id:${randomUUID()}`, type: "payment_failed", provider: "custom", payload: {}, receivedAt: old },
    });
    await enqueue(queues.ingestEvent, { ingestEventId: held.id });

    const { requeued } = await requeueOrphans(Object.values(inboxSources));
    expect(requeued.sort()).toEqual([stripe.eventId, shopify.webhookId, ingest.id].sort());
    expect((await pendingJobs(queues.stripeEvent.later.name)).map((j) => j.data)).toEqual([{ stripeEventId: stripe.id }]);
    expect(await jobsOf(shopify.id, queues.shopifyWebhook.later.name)).toHaveLength(1);
    expect((await pendingJobs(queues.ingestEvent.later.name)).map((j) => j.data)).toEqual([{ ingestEventId: ingest.id }]);

    // Their jobs now hold them: a second sweep sends nothing.
    expect(await requeueOrphans(Object.values(inboxSources))).toEqual({ requeued: [] });
  });
});
