import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import * as paymentsRoute from "~/routes/api.v1.payments";
import * as paymentRoute from "~/routes/api.v1.payments.$id";
import * as pauseRoute from "~/routes/api.v1.payments.$id.pause";
import * as resumeRoute from "~/routes/api.v1.payments.$id.resume";
import * as retryRoute from "~/routes/api.v1.payments.$id.retry";
import * as timelineRoute from "~/routes/api.v1.payments.$id.timeline";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { insertAttempt } from "../helpers/attempts";
import { pendingJobs, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { liftRateLimits, v1Caller } from "../helpers/openapi";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

const env = useStripeAndMail();
type Caller = Awaited<ReturnType<typeof v1Caller>>;
let v1: Caller;

const LIST = "/api/v1/payments";
const ONE = "/api/v1/payments/{id}";
const TIMELINE = "/api/v1/payments/{id}/timeline";
const RETRY = "/api/v1/payments/{id}/retry";
const PAUSE = "/api/v1/payments/{id}/pause";
const RESUME = "/api/v1/payments/{id}/resume";

liftRateLimits();
beforeAll(async () => {
  v1 = await v1Caller({ [LIST]: paymentsRoute, [ONE]: paymentRoute, [TIMELINE]: timelineRoute, [RETRY]: retryRoute, [PAUSE]: pauseRoute, [RESUME]: resumeRoute });
});

/** A Stripe invoice that failed with insufficient funds, through the real webhook and engine. */
async function failedStripePayment() {
  testClock.set(new Date("2026-11-10T09:00:00Z"));
  const m = await merchantWithOpenInvoice(env.stripe, { amount: 4999 });
  const failed = env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
  await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  await runDueJobs();
  const row = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  testClock.set(new Date("2026-11-10T10:00:00Z"));
  return { ...m, row };
}

const url = (path: string, id: string) => path.replace("{id}", encodeURIComponent(id));
type Item = Record<string, unknown>;
const ids = (data: unknown) => (data as Item[]).map((p) => p.id);

describe("a failed Stripe payment over /api/v1/payments", () => {
  it("is listed, found by its id and by its invoice id, with LostChurn's fields", async () => {
    const m = await failedStripePayment();
    const list = await v1.call("GET", LIST, LIST, { token: m.apiKey, expect: 200 });
    expect(list.data).toEqual([
      expect.objectContaining({
        id: m.row.id,
        external_id: m.invoiceId,
        amount_cents: 4999,
        currency: "usd",
        status: "failed",
        paused: false,
        decline_code: "insufficient_funds",
        decline_category: "soft_retry",
        retry_count: 0,
        max_retries: 8,
        customer_id: m.row.customerId,
        psp_customer_id: m.customerId,
        customer_email: `${m.customerId}@example.com`,
        psp: "stripe",
        created_at: "2026-11-10T09:00:00.000Z",
      }),
    ]);
    // One offset page (the default): everything there is, nothing after it.
    expect(list.body.pagination).toEqual({ page: 1, per_page: 25, total: 1, total_pages: 1 });
    expect(list.body.cursor).toBeUndefined();
    expect(list.body.meta?.merchant_id).toBe(m.workspace.id);

    const byId = await v1.call("GET", ONE, url(ONE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    const byInvoice = await v1.call("GET", ONE, url(ONE, m.invoiceId), { token: m.apiKey, params: { id: m.invoiceId }, expect: 200 });
    expect(byInvoice.data).toEqual(byId.data);
    expect(byId.body.meta?.merchant_id).toBe(m.workspace.id);
    expect(byId.data.next_action).toMatchObject({ kind: expect.any(String), reason: expect.any(String) });
  });

  it("has a timeline in LostChurn's event words, the planned retry last", async () => {
    const m = await failedStripePayment();
    const res = await v1.call("GET", TIMELINE, url(TIMELINE, m.invoiceId), { token: m.apiKey, params: { id: m.invoiceId }, expect: 200 });
    expect(res.data).toMatchObject({ payment_id: m.row.id, status: "failed" });
    const events = res.data.events as Array<{ type: string; timestamp: string; details: Item }>;
    expect(events[0]).toMatchObject({ type: "payment_failed", timestamp: "2026-11-10T09:00:00.000Z", details: { decline_code: "insufficient_funds", source: "platform" } });
    const row = await db().recovery.findUniqueOrThrow({ where: { id: m.row.id } });
    expect(row.nextActionKind).toBe("retry");
    expect(events.at(-1)).toMatchObject({ type: "retry_scheduled", timestamp: row.nextActionAt!.toISOString(), details: { retry_number: 1 } });
    const times = events.map((e) => e.timestamp);
    expect([...times].sort()).toEqual(times);
  });

  it("retries now (202): a charge-retry job due now, and the next GET says so", async () => {
    const m = await failedStripePayment();
    const res = await v1.call("POST", RETRY, url(RETRY, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 202 });
    expect(res.data).toEqual({ payment_id: m.row.id, retry_scheduled: true, retry_number: 1, scheduled_at: "2026-11-10T10:00:00.000Z" });
    const jobs = (await pendingJobs("charge-retry")).filter((j) => (j.data as { recoveryId: string }).recoveryId === m.row.id);
    expect(jobs.map((j) => (j.data as { at: string }).at)).toContain("2026-11-10T10:00:00.000Z");
    const after = await v1.call("GET", ONE, url(ONE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    expect(after.data.next_action).toMatchObject({ kind: "retry", at: "2026-11-10T10:00:00.000Z", reason: expect.stringContaining("requested by the merchant") });

    // Charged: the fake Stripe pays the invoice, and the payment reads recovered.
    await runDueJobs();
    const paid = await v1.call("GET", ONE, url(ONE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    expect(paid.data.status).toBe("recovered");
    const timeline = await v1.call("GET", TIMELINE, url(TIMELINE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    expect((timeline.data.events as Array<{ type: string }>).map((e) => e.type)).toEqual(expect.arrayContaining(["payment_failed", "retry_succeeded", "recovered"]));
    // A recovered payment has nothing to retry.
    const again = await v1.call("POST", RETRY, url(RETRY, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 409 });
    expect(again.error).toMatchObject({ code: "CONFLICT", type: "conflict" });
  });

  it("pauses and resumes: the row, the next GET and the timeline agree; replays keep the first answer", async () => {
    const m = await failedStripePayment();
    const headers = { "idempotency-key": `pause-${m.row.id}` };
    const paused = await v1.call("POST", PAUSE, url(PAUSE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, headers, expect: 200 });
    expect(paused.data).toEqual({ payment_id: m.row.id, status: "paused", paused: true, next_action: null });
    const row = await db().recovery.findUniqueOrThrow({ where: { id: m.row.id } });
    expect(row).toMatchObject({ paused: true, pausedAt: new Date("2026-11-10T10:00:00Z") });

    testClock.set(new Date("2026-11-10T10:05:00Z"));
    const replay = await v1.call("POST", PAUSE, url(PAUSE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, headers, expect: 200 });
    expect(replay.data).toEqual(paused.data);
    expect(replay.body.meta?.merchant_id).toBe(m.workspace.id);
    expect((await db().recovery.findUniqueOrThrow({ where: { id: m.row.id } })).pausedAt).toEqual(new Date("2026-11-10T10:00:00Z"));

    const got = await v1.call("GET", ONE, url(ONE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    expect(got.data).toMatchObject({ status: "failed", paused: true });
    const timeline = await v1.call("GET", TIMELINE, url(TIMELINE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    const types = (timeline.data.events as Array<{ type: string }>).map((e) => e.type);
    expect(types).toContain("paused");
    expect(types).not.toContain("retry_scheduled");
    const pendingOnly = await v1.call("GET", LIST, `${LIST}?status=pending`, { token: m.apiKey, expect: 200 });
    expect(pendingOnly.data).toEqual([]);
    expect(pendingOnly.body.pagination).toEqual({ page: 1, per_page: 25, total: 0, total_pages: 0 });

    const resumed = await v1.call("POST", RESUME, url(RESUME, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    expect(resumed.data).toMatchObject({ payment_id: m.row.id, status: "active", paused: false, next_action: { kind: expect.any(String) } });
    expect(await db().recovery.findUniqueOrThrow({ where: { id: m.row.id } })).toMatchObject({ paused: false, pausedAt: null });
    const again = await v1.call("GET", ONE, url(ONE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    expect(again.data.paused).toBe(false);
  });
});

describe("lists: filters and paging", () => {
  let ws: Awaited<ReturnType<typeof makeWorkspace>>;
  const at = (day: number) => new Date(Date.UTC(2026, 2, day, 10, 30));
  let rows: Record<string, string>;

  beforeAll(async () => {
    ws = await makeWorkspace();
    const w = ws.workspace.id;
    rows = {
      a: (await insertAttempt(w, { startedAt: at(1), status: "pending", declineCategory: "soft_retry" })).id,
      b: (await insertAttempt(w, { startedAt: at(5), status: "pending", paused: true, declineCategory: "hard_customer" })).id,
      c: (await insertAttempt(w, { startedAt: at(10), status: "recovered", declineCategory: "soft_retry", recoveredAmountMinor: 2500 })).id,
      d: (await insertAttempt(w, { startedAt: at(15), status: "failed", declineCategory: "terminal" })).id,
      e: (await insertAttempt(w, { startedAt: at(20), status: "abandoned", declineCategory: "soft_retry" })).id,
    };
  });

  const list = async (query: string, expectStatus = 200) => v1.call("GET", LIST, `${LIST}${query}`, { token: ws.apiKey, expect: expectStatus });

  it("filters by status, decline category and failure date, newest first", async () => {
    expect(ids((await list("")).data)).toEqual([rows.e, rows.d, rows.c, rows.b, rows.a]);
    expect((await list("")).body.pagination).toEqual({ page: 1, per_page: 25, total: 5, total_pages: 1 });
    expect(ids((await list("?status=failed")).data)).toEqual([rows.b, rows.a]);
    expect(ids((await list("?status=pending")).data)).toEqual([rows.a]);
    expect(ids((await list("?status=recovered")).data)).toEqual([rows.c]);
    expect(ids((await list("?status=terminal")).data)).toEqual([rows.e, rows.d]);
    expect(ids((await list("?decline_category=soft_retry")).data)).toEqual([rows.e, rows.c, rows.a]);
    expect(ids((await list("?decline_category=soft_retry&status=terminal")).data)).toEqual([rows.e]);
    expect(ids((await list("?created_after=2026-03-05&created_before=2026-03-15")).data)).toEqual([rows.c, rows.b]);
    expect(ids((await list("?created_after=2026-03-10T10:30:00Z")).data)).toEqual([rows.e, rows.d, rows.c]);
    expect(ids((await list("?created_before=2026-03-10T11:30:00%2B01:00")).data)).toEqual([rows.b, rows.a]);
    const b = (await list("?status=failed")).data as Item[];
    expect(b[0]).toMatchObject({ status: "failed", paused: true });
    expect(((await list("?status=terminal")).data as Item[]).map((p) => p.status)).toEqual(["terminal", "terminal"]);
  });

  it("refuses bad filters with a problem naming the field", async () => {
    for (const [query, path] of [
      ["?status=lost", "query.status"],
      ["?decline_category=soft", "query.decline_category"],
      ["?created_after=yesterday", "query.created_after"],
      ["?created_before=2026-13-01", "query.created_before"],
      ["?created_after=2026-03-10&created_before=2026-03-01", "query.created_after"],
      ["?sort=amount", "query.sort"],
      ["?limit=abc", "query.limit"],
    ]) {
      const res = await list(query!, 400);
      expect(res.error.type, query).toBe("validation_failed");
      expect(res.error.code, query).toBe("VALIDATION_ERROR");
      expect((res.error.errors as Array<{ path: string }>).map((e) => e.path), query).toContain(path);
    }
    expect((await list("?cursor=bm90LWEtY3Vyc29y", 400)).error).toMatchObject({ code: "INVALID_CURSOR", type: "invalid_cursor" });
    expect((await list("?cursor=abc&page=2", 400)).error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
  });

  it("pages by cursor without gaps or repeats, and by page/per_page with totals", async () => {
    const seen: unknown[] = [];
    let next = `?limit=2`;
    for (let i = 0; i < 5; i++) {
      const page = await list(next);
      // Asked by `limit`/`cursor`: keyset pages, without an offset page's count.
      expect(page.body.pagination).toBeUndefined();
      seen.push(...ids(page.data));
      if (!page.body.cursor?.next) break;
      next = `?limit=2&cursor=${page.body.cursor.next}`;
    }
    expect(seen).toEqual([rows.e, rows.d, rows.c, rows.b, rows.a]);
    // A cursor keeps its filters' order.
    const first = await list("?decline_category=soft_retry&limit=1");
    const second = await list(`?decline_category=soft_retry&limit=2&cursor=${first.body.cursor?.next as string}`);
    expect(ids(second.data)).toEqual([rows.c, rows.a]);
    expect(second.body.cursor).toEqual({ next: null });
    // `terminal` is two statuses read apart and merged: the pages still interleave them by date.
    const t1 = await list("?status=terminal&limit=1");
    expect(ids(t1.data)).toEqual([rows.e]);
    const t2 = await list(`?status=terminal&limit=1&cursor=${t1.body.cursor?.next as string}`);
    expect(ids(t2.data)).toEqual([rows.d]);
    expect(t2.body.cursor).toEqual({ next: null });

    const offset = await list("?page=2&per_page=2");
    expect(offset.body.pagination).toEqual({ page: 2, per_page: 2, total: 5, total_pages: 3 });
    expect(offset.body.cursor).toBeUndefined();
    expect(ids(offset.data)).toEqual([rows.c, rows.b]);
    const filtered = await list("?page=1&per_page=10&status=terminal");
    expect(filtered.body.pagination).toMatchObject({ total: 2, total_pages: 1 });
  });
});

describe("tenancy and scopes", () => {
  it("answers 404 for another workspace's payment on every endpoint, by id and by external id", async () => {
    const mine = await makeWorkspace();
    const theirs = await makeWorkspace();
    const row = await insertAttempt(theirs.workspace.id, { externalId: "in_theirs_123" });
    for (const ref of [row.id, "in_theirs_123", "in_nobody"]) {
      for (const [method, path] of [["GET", ONE], ["GET", TIMELINE], ["POST", RETRY], ["POST", PAUSE], ["POST", RESUME]] as const) {
        const res = await v1.call(method, path, url(path, ref), { token: mine.apiKey, params: { id: ref }, expect: 404 });
        expect(res.error).toMatchObject({ code: "NOT_FOUND", type: "payment_not_found" });
      }
    }
    expect(ids((await v1.call("GET", LIST, LIST, { token: mine.apiKey, expect: 200 })).data)).toEqual([]);
    expect((await db().recovery.findUniqueOrThrow({ where: { id: row.id } })).paused).toBe(false);
  });

  it("needs a key with read:payments to read and write:payments to act", async () => {
    const ws = await makeWorkspace();
    const row = await insertAttempt(ws.workspace.id, {});
    await v1.call("GET", LIST, LIST, { expect: 401 });
    const customers = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:customers"] });
    const refused = await v1.call("GET", LIST, LIST, { token: customers.key, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "read:payments" });
    expect(refused.error.message).toContain("read:payments");
    expect(refused.error.message).toBe('This API key lacks the "read:payments" scope.');

    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:payments"] });
    await v1.call("GET", ONE, url(ONE, row.id), { token: reader.key, params: { id: row.id }, expect: 200 });
    const write = await v1.call("POST", PAUSE, url(PAUSE, row.id), { token: reader.key, params: { id: row.id }, expect: 403 });
    expect(write.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "write:payments" });
    expect((await db().recovery.findUniqueOrThrow({ where: { id: row.id } })).paused).toBe(false);

    const generic = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read", "write"] });
    await v1.call("GET", LIST, LIST, { token: generic.key, expect: 200 });
    await v1.call("POST", PAUSE, url(PAUSE, row.id), { token: generic.key, params: { id: row.id }, expect: 200 });
  });

  it("refuses bodies on bodiless POSTs and oversized ids, never a 5xx", async () => {
    const ws = await makeWorkspace();
    const row = await insertAttempt(ws.workspace.id, {});
    const body = await v1.call("POST", PAUSE, url(PAUSE, row.id), { token: ws.apiKey, params: { id: row.id }, body: { force: true }, expect: 400 });
    expect(body.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
    const long = "x".repeat(300);
    const res = await v1.call("GET", ONE, url(ONE, long), { token: ws.apiKey, params: { id: long }, expect: 400 });
    expect(res.error.errors).toEqual([expect.objectContaining({ path: "params.id" })]);
    const big = await v1.call("POST", RETRY, url(RETRY, row.id), { token: ws.apiKey, params: { id: row.id }, body: { x: "a".repeat(300_000) }, expect: 413 });
    expect(big.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", type: "payload_too_large" });
  });
});

describe("payments Recoup cannot charge", () => {
  it("asks the merchant to retry an ingested payment: 202, a payment.retry_due event (the owner is emailed without an endpoint)", async () => {
    const ws = await makeWorkspace();
    const failedAt = new Date(Date.now() - 3_600_000);
    const row = await insertAttempt(ws.workspace.id, { provider: "adyen", externalId: "psp_ref_8815", startedAt: failedAt, lastFailureAt: failedAt });
    const res = await v1.call("POST", RETRY, url(RETRY, "psp_ref_8815"), { token: ws.apiKey, params: { id: "psp_ref_8815" }, expect: 202 });
    expect(res.data).toMatchObject({ payment_id: row.id, retry_scheduled: true, retry_number: 1 });
    const event = await db().webhookEvent.findFirstOrThrow({ where: { recoveryId: row.id } });
    expect(event).toMatchObject({ type: "payment.retry_due", payload: { external_id: "psp_ref_8815", provider: "adyen", attempt_number: 1 } });
    expect(await db().recovery.findUniqueOrThrow({ where: { id: row.id } })).toMatchObject({ recoupRetryCount: 1 });
    const got = await v1.call("GET", ONE, url(ONE, "psp_ref_8815"), { token: ws.apiKey, params: { id: "psp_ref_8815" }, expect: 200 });
    expect(got.data).toMatchObject({ id: row.id, psp: "adyen", external_id: "psp_ref_8815" });
  });
});
