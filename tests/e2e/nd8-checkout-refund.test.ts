// ND8's payments (seed 003) as a server integration calls them, on the Stripe fake: hosted checkout
// → the customer pays → Stripe's webhook → the transaction is paid → a partial refund → Stripe's
// refund webhook → the refund completes → `refund.status_changed` goes out signed and is delivered.
// Every answer with a declared schema is validated against the seed document itself.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { createWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import * as checkoutCreate from "~/routes/api.checkout.create";
import * as refundsList from "~/routes/api.refunds";
import * as refundOne from "~/routes/api.refunds.$id";
import * as transactionOne from "~/routes/api.transactions.$id";
import * as transactionRefund from "~/routes/api.transactions.$id.refund";
import * as checkoutPage from "~/routes/checkout.$token";
import { resetEnv } from "~/utils/env.server";
import type { FakeStripe } from "../fakes/stripe-server";
import { startWebhookReceiver, type FakeWebhookReceiver } from "../fakes/webhook-receiver";
import { connectStripeAccount, makeWorkspace } from "../factories";
import { callRoute } from "../helpers/http";
import { runDueJobs } from "../helpers/jobs";
import { contractOf } from "../helpers/openapi";
import { deliver, eventOf, setUpStripe } from "../helpers/stripe";

type Json = Record<string, unknown>;
const ACCOUNT = "acct_nd8_merchant";
const nd8 = contractOf(parse(readFileSync("../shared/seeds/003_da12c9f9df4a4927.txt", "utf8")) as Json);

let stripe: FakeStripe;
let receiver: FakeWebhookReceiver;
let key: string;
let readOnlyKey: string;
let workspaceId: string;

type RouteModule = Parameters<typeof callRoute>[0];

/** An ND8 call with `Authorization: Api-Key …`, its answer checked against the seed where the seed gives a schema. */
async function call(mod: RouteModule, method: string, seedPath: string, path: string, opts: { body?: unknown; params?: Record<string, string>; apiKey?: string | null; header?: "authorization" | "api-key" } = {}) {
  const headers: Record<string, string> = {};
  const apiKey = opts.apiKey === undefined ? key : opts.apiKey;
  if (apiKey) {
    if (opts.header === "api-key") headers["api-key"] = apiKey;
    else headers.authorization = `Api-Key ${apiKey}`;
  }
  const res = await callRoute(mod, path, { method, headers, body: opts.body as Json | undefined, params: opts.params });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  // The seed declares no body for some answers (its 401, 403 and 404): those are checked by the tests' own expectations.
  if (nd8.declaresBody(seedPath, method, res.status)) nd8.assertResponse(seedPath, method, res.status, body, res.headers.get("content-type"));
  return { status: res.status, body: body as Json & Json[], headers: res.headers };
}

beforeAll(async () => {
  stripe = await setUpStripe();
  process.env.APP_URL = "https://pay.recoup.test";
  resetEnv();
  const w = await makeWorkspace({ name: "ND8 merchant" });
  workspaceId = w.workspace.id;
  await connectStripeAccount(workspaceId, ACCOUNT);
  key = (await createApiKey({ workspaceId, name: "server", scopes: ["write:checkout", "read:payments", "write:refunds", "read:refunds"], livemode: false })).key;
  readOnlyKey = (await createApiKey({ workspaceId, name: "reader", scopes: ["read:payments"], livemode: false })).key;
  stripe.putProduct(ACCOUNT, { id: "prod_nd8_tshirt", name: "T-shirt" });
  stripe.putPrice(ACCOUNT, { id: "price_nd8_tshirt", product: "prod_nd8_tshirt", unit_amount: 2500, currency: "usd", type: "one_time", active: true });
  receiver = await startWebhookReceiver();
  const endpoint = await createWebhookEndpoint({ workspaceId, url: receiver.url, events: ["transaction.status_changed", "refund.status_changed"], description: "ND8 organization webhook" });
  receiver.secret = endpoint.signingSecret;
});

afterAll(async () => {
  await receiver?.close();
  await stripe?.close();
});

const billing = { billing_country: "US", billing_first_name: "Ada", billing_last_name: "Lovelace", billing_email: "ada@example.com" };

describe("ND8 checkout → payment → partial refund", () => {
  let transactionId: string;
  let numericTransactionId: number;
  let refundPublicId: string;
  let stripeRefundId: string;

  it("creates a hosted checkout from a catalogue price and an ad-hoc item, in exact minor units", async () => {
    const { status, body } = await call(checkoutCreate, "POST", "/checkout/create/", "/api/checkout/create/", {
      body: { ...billing, currency: "USD", products: [{ id: "price_nd8_tshirt", quantity: 2 }, { name: "Gift wrap", unit_price: 0.29 }], successUrl: "https://shop.example/thanks", cancelUrl: "https://shop.example/cart" },
    });
    expect(status).toBe(201);
    expect(body.checkout_id).toBe(body.order_id);
    expect(body.checkout_url).toBe(`https://pay.recoup.test/checkout/${String(body.token)}`);
    expect(body.expires_at).toBeGreaterThan(Date.now() / 1000);
    transactionId = String(body.checkout_id);

    // The customer opens checkout_url: Recoup sends them to Stripe's page for 2 × $25.00 + $0.29.
    const res = await callRoute(checkoutPage, `/checkout/${String(body.token)}`, { params: { token: String(body.token) } }).catch((thrown: unknown) => thrown as Response);
    expect(res.status).toBe(302);
    const sessionId = res.headers.get("location")!.split("/").pop()!;
    expect(stripe.getCheckoutSession(ACCOUNT, sessionId)).toMatchObject({ amount_total: 5029, currency: "usd" });
  });

  it("takes the key from an Api-Key header too, and refuses a key without the scope", async () => {
    const withHeader = await call(checkoutCreate, "POST", "/checkout/create/", "/api/checkout/create/", { header: "api-key", body: { ...billing, products: [{ name: "Tip", unit_price: 5 }] } });
    expect(withHeader.status).toBe(201);
    const noScope = await call(checkoutCreate, "POST", "/checkout/create/", "/api/checkout/create/", { apiKey: readOnlyKey, body: { ...billing, products: [{ name: "Tip", unit_price: 5 }] } });
    expect(noScope.status).toBe(403);
    expect(noScope.body.detail).toMatch(/checkout:create/);
    const none = await call(checkoutCreate, "POST", "/checkout/create/", "/api/checkout/create/", { apiKey: null, body: billing });
    expect(none.status).toBe(401);
  });

  it("refuses bad checkouts with 400 {detail}", async () => {
    for (const [body, words] of [
      [{ ...billing, products: [] }, /products/],
      [{ ...billing, currency: "GBP", products: [{ name: "x", unit_price: 1 }] }, /currency/],
      [{ ...billing, products: [{ name: "x", unit_price: 1.234 }] }, /unit_price/],
      [{ ...billing, products: [{ id: "price_unknown" }] }, /price_unknown/],
      [{ ...billing, billing_email: "nope", products: [{ name: "x", unit_price: 1 }] }, /billing_email/],
      [{ ...billing, products: [{ name: "x", unit_price: 1 }], sandbox_simulate: "explode" }, /sandbox_simulate/],
    ] as const) {
      const res = await call(checkoutCreate, "POST", "/checkout/create/", "/api/checkout/create/", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(String(res.body.detail)).toMatch(words);
    }
  });

  it("marks the payment paid from Stripe's webhook, once, with its deposit attempts", async () => {
    const row = await import("~/utils/db.server").then(({ db }) => db().transaction.findUniqueOrThrow({ where: { publicId: transactionId } }));
    numericTransactionId = row.numericId;
    const completed = stripe.completeCheckout(ACCOUNT, row.providerPaymentId!);
    const event = eventOf("checkout.session.completed", completed, { account: ACCOUNT });
    expect((await deliver(event)).status).toBe(200);
    expect((await deliver(event)).status).toBe(200);
    await runDueJobs();

    for (const id of [transactionId, String(numericTransactionId)]) {
      const { status, body } = await call(transactionOne, "GET", "/transactions/{id}/", `/api/transactions/${id}/`, { params: { id } });
      expect(status).toBe(200);
      expect(body).toMatchObject({ id: transactionId, amount: "50.29", status: "paid", currency: "USD", payer_email: "ada@example.com" });
      expect((body.products as Json[]).map((p) => p.name)).toEqual(["T-shirt", "Gift wrap"]);
      expect((body.depositAttempts as Json[])[0]).toMatchObject({ status: "succeeded", paymentMethod: "card" });
    }
    const paidEvents = receiver.accepted().filter((w) => w.body.type === "transaction.status_changed" && w.body.data.status === "paid");
    expect(paidEvents).toHaveLength(1);
  });

  it("refunds part of it: processing at once, over-refunds refused with {detail}", async () => {
    const over = await call(transactionRefund, "POST", "/transactions/{id}/refund/", `/api/transactions/${transactionId}/refund/`, { params: { id: transactionId }, body: { reason: "Too much", amount: "60.00" } });
    expect(over.status).toBe(400);
    expect(String(over.body.detail)).toMatch(/at most 50\.29 USD/);
    const bad = await call(transactionRefund, "POST", "/transactions/{id}/refund/", `/api/transactions/${transactionId}/refund/`, { params: { id: transactionId }, body: { reason: "x", amount: "1.234" } });
    expect(bad.status).toBe(400);

    const { status, body } = await call(transactionRefund, "POST", "/transactions/{id}/refund/", `/api/transactions/${transactionId}/refund/`, { params: { id: transactionId }, body: { reason: "Customer request", amount: "40.00" } });
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: "processing", transaction_id: numericTransactionId, amount: "40.00", currency: "USD", amount_usd: "40.00", amount_in_cents: 4000 });
    refundPublicId = `RF${String(body.refund_public_id)}`;
    const refunds = stripe.requestsTo("POST", "/v1/refunds");
    expect(refunds).toHaveLength(1);
    expect(refunds[0]!.body).toMatchObject({ amount: "4000" });
    stripeRefundId = (await import("~/utils/db.server").then(({ db }) => db().refund.findUniqueOrThrow({ where: { publicId: refundPublicId } }))).providerRefundId!;
    // The refund-submit job finds it sent already: Stripe is not asked twice.
    await runDueJobs();
    expect(stripe.requestsTo("POST", "/v1/refunds")).toHaveLength(1);
    expect((await call(transactionOne, "GET", "/transactions/{id}/", `/api/transactions/${transactionId}/`, { params: { id: transactionId } })).body.status).toBe("refund_pending");
  });

  it("completes the refund from Stripe's webhook and tells the merchant's endpoint, signed", async () => {
    const settled = stripe.settleRefund(ACCOUNT, stripeRefundId, "succeeded");
    expect((await deliver(eventOf("refund.updated", settled, { account: ACCOUNT }))).status).toBe(200);
    await runDueJobs();

    const { body } = await call(refundOne, "GET", "/refunds/{id}/", `/api/refunds/${refundPublicId}/`, { params: { id: refundPublicId } });
    expect(body).toMatchObject({ id: refundPublicId, transaction_id: transactionId, status: "completed", amount: "40.00", amount_in_cents: 4000, reason: "Customer request" });
    // One event per change, each naming the status it left (deliveries run concurrently: their arrival order is not promised).
    const changes = receiver.accepted().filter((w) => w.body.type === "refund.status_changed").map((w) => `${String(w.body.data.previous_status)} → ${String(w.body.data.status)}`);
    expect(changes.sort()).toEqual(["null → pending", "pending → processing", "processing → completed"].sort());
    expect(receiver.accepted().every((w) => w.signatureValid)).toBe(true);
    expect((await call(transactionOne, "GET", "/transactions/{id}/", `/api/transactions/${transactionId}/`, { params: { id: transactionId } })).body.status).toBe("paid");
  });

  it("lists refunds with ND8's filters, search, ordering and pages", async () => {
    const list = (query: string) => call(refundsList, "GET", "/refunds/", `/api/refunds/${query}`);
    const all = await list("");
    expect(all.status).toBe(200);
    expect(all.body.map((r) => r.id)).toEqual([refundPublicId]);
    expect(all.headers.get("x-total-count")).toBe("1");
    expect((await list("?status=completed")).body).toHaveLength(1);
    expect((await list("?status=failed")).body).toHaveLength(0);
    expect((await list(`?search=${transactionId}`)).body).toHaveLength(1);
    expect((await list("?search=customer")).body).toHaveLength(1);
    expect((await list(`?created_at__gte=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).body).toHaveLength(0);
    expect((await list("?ordering=-amount&page=2&page_size=1")).body).toHaveLength(0);
    expect((await list("?ordering=sideways")).status).toBe(400);
    expect((await call(refundOne, "GET", "/refunds/{id}/", "/api/refunds/RFnothinghere1/", { params: { id: "RFnothinghere1" } })).status).toBe(404);
  });

  it("scripts the sandbox's outcome with sandbox_simulate, for sandbox keys only", async () => {
    const live = (await createApiKey({ workspaceId, name: "live", scopes: ["write:checkout"], livemode: true })).key;
    const refused = await call(checkoutCreate, "POST", "/checkout/create/", "/api/checkout/create/", { apiKey: live, body: { ...billing, products: [{ name: "x", unit_price: 1 }], sandbox_simulate: "payment_failed" } });
    expect(refused.status).toBe(400);
    expect(String(refused.body.detail)).toMatch(/sandbox/);

    const { db } = await import("~/utils/db.server");
    for (const [outcome, status] of [
      ["payment_failed", "failed"],
      ["checkout_canceled", "canceled"],
      ["success_pending_deposit", "processing"],
    ] as const) {
      const created = await call(checkoutCreate, "POST", "/checkout/create/", "/api/checkout/create/", {
        body: { ...billing, products: [{ name: "Scripted", unit_price: 3 }], sandbox_simulate: outcome, failedUrl: "https://shop.example/failed" },
      });
      expect(created.status).toBe(201);
      const row = await db().transaction.findUniqueOrThrow({ where: { publicId: String(created.body.checkout_id) } });
      const stop = stripe.onCheckoutCompleted(({ event }) => void deliver(event));
      stripe.completeCheckout(ACCOUNT, row.providerPaymentId!);
      stop();
      await new Promise((resolve) => setTimeout(resolve, 50));
      await runDueJobs();
      const id = String(created.body.checkout_id);
      expect((await call(transactionOne, "GET", "/transactions/{id}/", `/api/transactions/${id}/`, { params: { id } })).body.status, outcome).toBe(status);
      if (status !== "processing") {
        // The customer back at checkout_url is sent on to the merchant's failedUrl.
        const page = await callRoute(checkoutPage, `/checkout/${String(created.body.token)}`, { params: { token: String(created.body.token) } }).catch((thrown: unknown) => thrown as Response);
        expect(page.headers.get("location")).toBe("https://shop.example/failed");
      }
    }
  });

  it("hides another workspace's payments and refunds (404)", async () => {
    const other = await makeWorkspace();
    const theirKey = (await createApiKey({ workspaceId: other.workspace.id, name: "other", scopes: ["read:payments", "read:refunds"] })).key;
    expect((await call(transactionOne, "GET", "/transactions/{id}/", `/api/transactions/${transactionId}/`, { params: { id: transactionId }, apiKey: theirKey })).status).toBe(404);
    expect((await call(refundOne, "GET", "/refunds/{id}/", `/api/refunds/${refundPublicId}/`, { params: { id: refundPublicId }, apiKey: theirKey })).status).toBe(404);
  });
});
