import { failureFacts } from "../helpers/failure-input";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { markRecovered, markSubscriptionEnded, recordInvoiceFailure } from "~/domain/recovery/engine.server";
import * as invoiceRoute from "~/routes/api.v1.invoices.$id";
import * as timelineRoute from "~/routes/api.v1.invoices.$id.timeline";
import * as subscriptionRoute from "~/routes/api.v1.subscriptions.$id";
import * as failedInvoicesRoute from "~/routes/api.v1.subscriptions.$id.failed-invoices";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { liftRateLimits, v1Caller } from "../helpers/openapi";

type Caller = Awaited<ReturnType<typeof v1Caller>>;
type Invoice = Record<string, unknown> & { id: string; external_id: string; status: string; attempts: Array<Record<string, unknown>> };
type Event = { type: string; timestamp: string; details: Record<string, unknown> };

const SUB = "/api/v1/subscriptions/{id}";
const FAILED = "/api/v1/subscriptions/{id}/failed-invoices";
const INV = "/api/v1/invoices/{id}";
const TIMELINE = "/api/v1/invoices/{id}/timeline";

let v1: Caller;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let other: Awaited<ReturnType<typeof makeWorkspace>>;

const DAY = 86_400_000;
const t0 = new Date(Date.now() - 20 * DAY);

async function fail(workspaceId: string, opts: { invoiceId: string; subscriptionId: string | null; at: Date; code?: string; provider?: string; amount?: number }) {
  return recordInvoiceFailure(
    failureFacts({
      workspaceId,
      invoiceId: opts.invoiceId,
      subscriptionId: opts.subscriptionId,
      at: opts.at,
      declineCode: opts.code,
      provider: opts.provider,
      amount: opts.amount,
      fingerprint: "fp_subs",
      customer: { externalId: "cus_subs", email: "jane@example.com", name: "Jane" },
    }),
  );
}

const call = (method: string, path: string, url: string, id: string, token: string, expectStatus: number) =>
  v1.call(method, path, url, { token, params: { id }, expect: expectStatus });

liftRateLimits();
beforeAll(async () => {
  v1 = await v1Caller({ [SUB]: subscriptionRoute, [FAILED]: failedInvoicesRoute, [INV]: invoiceRoute, [TIMELINE]: timelineRoute });
  ws = await makeWorkspace();
  other = await makeWorkspace();
});

describe("subscriptions", () => {
  it("past_due while a failed invoice is open, active once every failure is paid, with counts and what is owed", async () => {
    const first = await fail(ws.workspace.id, { invoiceId: "in_A1", subscriptionId: "sub_A", at: t0 });
    await markRecovered({ workspaceId: ws.workspace.id, invoiceId: "in_A1", at: new Date(t0.getTime() + DAY) });
    const second = await fail(ws.workspace.id, { invoiceId: "in_A2", subscriptionId: "sub_A", at: new Date(t0.getTime() + 10 * DAY), amount: 2500 });

    const res = await call("GET", SUB, "/api/v1/subscriptions/sub_A", "sub_A", ws.apiKey, 200);
    expect(res.body.meta?.merchant_id).toBe(ws.workspace.id);
    expect(res.data).toMatchObject({
      id: "sub_A",
      psp: "stripe",
      status: "past_due",
      psp_customer_id: "cus_subs",
      customer_email: "jane@example.com",
      failed_invoice_count: 2,
      open_invoice_count: 1,
      recovered_invoice_count: 1,
      terminal_invoice_count: 0,
      past_due: [{ amount_cents: 2500, currency: "usd" }],
      current_invoice_id: second.id,
      next_action: { kind: "retry", at: expect.any(String), reason: expect.any(String) },
      risks: [{ reason: "payment_failed", detected_at: expect.any(String), expiration_date: null }],
      first_failed_at: t0.toISOString(),
      canceled_at: null,
    });
    expect(res.data.customer_id).toBe(second.customerId);

    const list = await call("GET", FAILED, "/api/v1/subscriptions/sub_A/failed-invoices", "sub_A", ws.apiKey, 200);
    expect(list.body.pagination).toEqual({ page: 1, per_page: 25, total: 2, total_pages: 1 });
    expect((list.data as Invoice[]).map((i) => [i.id, i.status])).toEqual([
      [second.id, "failed"],
      [first.id, "recovered"],
    ]);

    await markRecovered({ workspaceId: ws.workspace.id, invoiceId: "in_A2", at: new Date() });
    const paid = await call("GET", SUB, "/api/v1/subscriptions/sub_A", "sub_A", ws.apiKey, 200);
    expect(paid.data).toMatchObject({ status: "active", open_invoice_count: 0, recovered_invoice_count: 2, past_due: [], current_invoice_id: null, next_action: null, risks: [] });
  });

  it("canceled once Recoup saw it end; at_risk with only a flagged expiring card; a Shopify contract by its GID", async () => {
    await fail(ws.workspace.id, { invoiceId: "in_C1", subscriptionId: "sub_C", at: t0 });
    await markSubscriptionEnded({ workspaceId: ws.workspace.id, subscriptionId: "sub_C", at: new Date(t0.getTime() + 2 * DAY) });
    const canceled = await call("GET", SUB, "/api/v1/subscriptions/sub_C", "sub_C", ws.apiKey, 200);
    expect(canceled.data).toMatchObject({ status: "canceled", terminal_invoice_count: 1, canceled_at: new Date(t0.getTime() + 2 * DAY).toISOString() });

    await db().subscriptionAtRisk.create({
      data: { workspaceId: ws.workspace.id, externalCustomerId: "cus_D", externalSubscriptionId: "sub_D", reason: "card_expiring", riskDetectedAt: t0, expirationDate: new Date("2026-12-31T23:59:59Z") },
    });
    const atRisk = await call("GET", SUB, "/api/v1/subscriptions/sub_D", "sub_D", ws.apiKey, 200);
    expect(atRisk.data).toMatchObject({
      status: "at_risk",
      psp_customer_id: "cus_D",
      failed_invoice_count: 0,
      risks: [{ reason: "card_expiring", expiration_date: "2026-12-31T23:59:59.000Z" }],
      first_failed_at: null,
    });
    const empty = await call("GET", FAILED, "/api/v1/subscriptions/sub_D/failed-invoices", "sub_D", ws.apiKey, 200);
    expect(empty.body).toMatchObject({ data: [], pagination: { page: 1, per_page: 25, total: 0, total_pages: 0 } });

    const gid = "gid://shopify/SubscriptionContract/77";
    await fail(ws.workspace.id, { provider: "shopify", invoiceId: `shopify:${gid}:gid://shopify/SubscriptionBillingAttempt/1`, subscriptionId: gid, at: t0, code: "INSUFFICIENT_FUNDS" });
    const shopify = await call("GET", SUB, `/api/v1/subscriptions/${encodeURIComponent(gid)}`, gid, ws.apiKey, 200);
    expect(shopify.data).toMatchObject({ id: gid, psp: "shopify", status: "past_due" });
  });

  it("pages a subscription's failed invoices with cursors or page/per_page", async () => {
    for (let i = 1; i <= 3; i++) await fail(ws.workspace.id, { invoiceId: `in_P${i}`, subscriptionId: "sub_P", at: new Date(t0.getTime() + i * DAY) });
    const ids: string[] = [];
    let url = "/api/v1/subscriptions/sub_P/failed-invoices?limit=2";
    for (let pages = 0; pages < 5; pages++) {
      const page = await call("GET", FAILED, url, "sub_P", ws.apiKey, 200);
      ids.push(...(page.data as Invoice[]).map((i) => i.external_id));
      expect(page.body.pagination).toBeUndefined();
      if (!page.body.cursor?.next) break;
      url = `/api/v1/subscriptions/sub_P/failed-invoices?limit=2&cursor=${page.body.cursor.next}`;
    }
    expect(ids).toEqual(["in_P3", "in_P2", "in_P1"]);
    const offset = await call("GET", FAILED, "/api/v1/subscriptions/sub_P/failed-invoices?page=2&per_page=2", "sub_P", ws.apiKey, 200);
    expect(offset.body.pagination).toEqual({ page: 2, per_page: 2, total: 3, total_pages: 2 });
    expect(offset.body.cursor).toBeUndefined();
    expect((offset.data as Invoice[]).map((i) => i.external_id)).toEqual(["in_P1"]);

    const bad = await call("GET", FAILED, "/api/v1/subscriptions/sub_P/failed-invoices?cursor=garbage!", "sub_P", ws.apiKey, 400);
    expect(bad.error).toMatchObject({ code: "INVALID_CURSOR", type: "invalid_cursor" });
    await call("GET", FAILED, "/api/v1/subscriptions/sub_P/failed-invoices?limit=1000", "sub_P", ws.apiKey, 400);
    await call("GET", FAILED, "/api/v1/subscriptions/sub_P/failed-invoices?status=open", "sub_P", ws.apiKey, 400);
  });

  it("404s a subscription Recoup never saw, and another workspace's", async () => {
    const unknown = await call("GET", SUB, "/api/v1/subscriptions/sub_never", "sub_never", ws.apiKey, 404);
    expect(unknown.error).toMatchObject({ code: "NOT_FOUND", type: "subscription_not_found" });
    expect(unknown.status).toBe(404);
    await call("GET", FAILED, "/api/v1/subscriptions/sub_never/failed-invoices", "sub_never", ws.apiKey, 404);
    const foreign = await call("GET", SUB, "/api/v1/subscriptions/sub_P", "sub_P", other.apiKey, 404);
    expect(foreign.error).toMatchObject({ code: "NOT_FOUND", type: "subscription_not_found" });
    await call("GET", FAILED, "/api/v1/subscriptions/sub_P/failed-invoices", "sub_P", other.apiKey, 404);
    await call("GET", SUB, "/api/v1/subscriptions/x", "x".repeat(201), ws.apiKey, 400);
  });
});

describe("invoices", () => {
  it("by Recoup's id or the PSP's: status, amounts, every attempt, what happens next", async () => {
    const open = await fail(ws.workspace.id, { invoiceId: "in_I1", subscriptionId: null, at: t0 });
    const byPsp = await call("GET", INV, "/api/v1/invoices/in_I1", "in_I1", ws.apiKey, 200);
    const byOurs = await call("GET", INV, `/api/v1/invoices/${open.id}`, open.id, ws.apiKey, 200);
    expect(byOurs.data).toEqual(byPsp.data);
    expect(byPsp.data).toMatchObject({
      id: open.id,
      external_id: "in_I1",
      psp: "stripe",
      subscription_id: null,
      customer_email: "jane@example.com",
      amount_cents: 4999,
      amount_paid_cents: 0,
      currency: "usd",
      status: "failed",
      recovery_status: "active",
      paused: false,
      decline_code: "insufficient_funds",
      decline_category: "soft_retry",
      attempt_count: 1,
      retry_count: 0,
      max_retries: 8,
      attempts: [{ attempt_number: 1, source: "platform", status: "failed", decline_code: "insufficient_funds", attempted_at: t0.toISOString() }],
      next_action: { kind: "retry", at: expect.any(String) },
      close_reason: null,
      hosted_invoice_url: "https://invoice.stripe.com/i/in_I1",
      created_at: t0.toISOString(),
      closed_at: null,
    });

    await db().recovery.update({ where: { id: open.id }, data: { paused: true, pausedAt: new Date() } });
    const paused = await call("GET", INV, "/api/v1/invoices/in_I1", "in_I1", ws.apiKey, 200);
    expect(paused.data).toMatchObject({ status: "failed", recovery_status: "paused", paused: true, next_action: null });

    await markRecovered({ workspaceId: ws.workspace.id, invoiceId: "in_I1", at: new Date(), amountPaid: 4999 });
    const paid = await call("GET", INV, "/api/v1/invoices/in_I1", "in_I1", ws.apiKey, 200);
    expect(paid.data).toMatchObject({ status: "recovered", recovery_status: "recovered", amount_paid_cents: 4999, close_reason: "invoice_paid", next_action: null, closed_at: expect.any(String) });
  });

  it("tells the invoice's story oldest first: failure, emails opened and clicked, our retries, the outcome", async () => {
    const recovery = await fail(ws.workspace.id, { invoiceId: "in_T1", subscriptionId: "sub_T", at: t0 });
    const before = await call("GET", TIMELINE, "/api/v1/invoices/in_T1/timeline", "in_T1", ws.apiKey, 200);
    expect((before.data.events as Event[]).map((e) => e.type).at(0)).toBe("payment_failed");
    expect((before.data.events as Event[]).at(-1)).toMatchObject({ type: "retry_scheduled", details: { retry_number: 1 } });

    const sentAt = new Date(t0.getTime() + 60 * 60_000);
    const message = await db().dunningMessage.create({
      data: {
        workspaceId: ws.workspace.id,
        recoveryId: recovery.id,
        kind: "sequence",
        dedupeKey: `step-1-${recovery.id}`,
        toEmail: "jane@example.com",
        subject: "Your payment didn't go through",
        bodyText: "…",
        bodyHtml: "<p>…</p>",
        status: "clicked",
        scheduledFor: sentAt,
        sentAt,
        openedAt: new Date(sentAt.getTime() + 2 * 60 * 60_000),
        clickedAt: new Date(sentAt.getTime() + 3 * 60 * 60_000),
        trackingId: `trk-${recovery.id}`,
      },
    });
    const retryAt = new Date(t0.getTime() + DAY);
    await db().chargeAttempt.createMany({
      data: [
        { workspaceId: ws.workspace.id, recoveryId: recovery.id, attemptNumber: 1, source: "recoup", idempotencyKey: `k1-${recovery.id}`, status: "failed", declineCode: "insufficient_funds", amountMinor: 4999, currency: "usd", attemptedAt: retryAt },
        { workspaceId: ws.workspace.id, recoveryId: recovery.id, attemptNumber: 2, source: "recoup", idempotencyKey: `k2-${recovery.id}`, status: "succeeded", amountMinor: 4999, currency: "usd", attemptedAt: new Date(retryAt.getTime() + DAY) },
      ],
    });
    await markRecovered({ workspaceId: ws.workspace.id, invoiceId: "in_T1", at: new Date(retryAt.getTime() + DAY + 1000), amountPaid: 4999 });

    const res = await call("GET", TIMELINE, `/api/v1/invoices/${recovery.id}/timeline`, recovery.id, ws.apiKey, 200);
    expect(res.data).toMatchObject({ invoice_id: recovery.id, external_id: "in_T1", status: "recovered" });
    const events = res.data.events as Event[];
    const types = events.map((e) => e.type).filter((t) => t !== "email_scheduled");
    expect(types).toEqual(["payment_failed", "email_sent", "email_opened", "link_clicked", "retry_failed", "retry_succeeded", "recovered"]);
    expect(events.find((e) => e.type === "payment_failed")).toMatchObject({ timestamp: t0.toISOString(), details: { decline_code: "insufficient_funds", source: "platform" } });
    expect(events.find((e) => e.type === "email_sent")).toMatchObject({ details: { message_id: message.id, subject: message.subject } });
    expect(events.at(-1)).toMatchObject({ type: "recovered", details: { outcome: "recovered", reason: "invoice_paid", amount_cents: 4999 } });
    const stamps = events.map((e) => Date.parse(e.timestamp));
    expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
  });

  it("404s unknown ids and another workspace's, by either id", async () => {
    const mine = await fail(ws.workspace.id, { invoiceId: "in_X1", subscriptionId: null, at: t0 });
    for (const id of [mine.id, "in_X1", "in_nope"]) {
      const res = await call("GET", INV, `/api/v1/invoices/${id}`, id, id === "in_nope" ? ws.apiKey : other.apiKey, 404);
      expect(res.error).toMatchObject({ code: "NOT_FOUND", type: "invoice_not_found" });
      await call("GET", TIMELINE, `/api/v1/invoices/${id}/timeline`, id, id === "in_nope" ? ws.apiKey : other.apiKey, 404);
    }
    await call("GET", INV, "/api/v1/invoices/in_X1?expand=attempts", "in_X1", ws.apiKey, 400);
  });

  it("needs a key with read:invoices / read:subscriptions (read grants both)", async () => {
    await call("GET", INV, "/api/v1/invoices/in_X1", "in_X1", "", 401);
    const invoicesOnly = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:invoices"] });
    await call("GET", INV, "/api/v1/invoices/in_X1", "in_X1", invoicesOnly.key, 200);
    await call("GET", TIMELINE, "/api/v1/invoices/in_X1/timeline", "in_X1", invoicesOnly.key, 200);
    const refused = await call("GET", SUB, "/api/v1/subscriptions/sub_P", "sub_P", invoicesOnly.key, 403);
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "read:subscriptions" });
    await call("GET", FAILED, "/api/v1/subscriptions/sub_P/failed-invoices", "sub_P", invoicesOnly.key, 403);
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    await call("GET", SUB, "/api/v1/subscriptions/sub_P", "sub_P", reader.key, 200);
    const writer = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["write"] });
    await call("GET", INV, "/api/v1/invoices/in_X1", "in_X1", writer.key, 403);
  });
});

describe("coverage", () => {
  it("called every subscription and invoice operation", () => {
    expect([...v1.seen].sort()).toEqual([`GET ${FAILED}`, `GET ${SUB}`, `GET ${INV}`, `GET ${TIMELINE}`].sort());
  });
});
