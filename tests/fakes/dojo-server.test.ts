// Drives the fake Dojo over plain HTTP, the way Dojo's own curl samples do, so its wire format is checked
// on its own (the adapter's tests, app/providers/dojo/collect.server.test.ts, drive it through the client).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { verifyDojoWebhook } from "~/providers/dojo/webhooks";
import { startFakeDojo, type FakeDojo } from "./dojo-server";

const KEY = "sk_sandbox_fakeDojoKey123";
let fake: FakeDojo;

function api(method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; key?: string | null; version?: string | null } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.key !== null) headers.Authorization = `Basic ${init.key ?? KEY}`;
  if (init.version !== null) headers.version = init.version ?? "2026-02-27";
  if (init.body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(`${fake.url}${path}`, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body) });
}

const intentBody = (over: Record<string, unknown> = {}) => ({
  amount: { value: 1000, currencyCode: "GBP" },
  reference: "Order 234",
  description: "Demo payment intent",
  config: { redirectUrl: "https://merchant.example/paid", cancelUrl: "https://merchant.example/cancelled" },
  ...over,
});

async function createIntent(over: Record<string, unknown> = {}) {
  const res = await api("POST", "/payment-intents", { body: intentBody(over) });
  expect(res.status).toBe(200);
  return (await res.json()) as { id: string; status: string; [k: string]: unknown };
}

/** A webhook endpoint that keeps the raw bytes and headers, as a real receiver must to check the signature. */
async function startReceiver() {
  const received: Array<{ rawBody: string; headers: Headers }> = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      received.push({ rawBody: Buffer.concat(chunks).toString("utf8"), headers });
      res.writeHead(200).end("ok");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/dojo`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

beforeEach(async () => {
  fake = await startFakeDojo({ accountId: "acc_test" });
});
afterEach(async () => {
  await fake.close();
});

describe("fake Dojo over HTTP", () => {
  it("wants the secret key literally after Basic and a version header, and answers problem details", async () => {
    for (const key of [null, "pk_sandbox_x", Buffer.from(`${KEY}:`).toString("base64")]) {
      const res = await api("GET", "/webhooks/events", { key });
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ title: "Unauthorized", status: 401, traceId: expect.stringMatching(/^00-/) });
    }
    const noVersion = await api("GET", "/webhooks/events", { version: null });
    expect(noVersion.status).toBe(400);
    expect(await noVersion.json()).toMatchObject({ status: 400, errors: { version: [expect.any(String)] } });

    const ok = await api("GET", "/webhooks/events", { key: "sk_prod_live" });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([expect.objectContaining({ model: "PaymentIntent", events: expect.arrayContaining(["payment_intent.status_updated"]) })]);

    expect(fake.requests.map((r) => r.answeredStatus)).toEqual([401, 401, 401, 400, 200]);
    expect(fake.requests.at(-1)).toMatchObject({ authorization: "Basic sk_prod_live", version: "2026-02-27" });
  });

  it("only the configured keys when given", async () => {
    await fake.close();
    fake = await startFakeDojo({ apiKeys: [KEY] });
    expect((await api("GET", "/webhooks/events")).status).toBe(200);
    expect((await api("GET", "/webhooks/events", { key: "sk_sandbox_revoked" })).status).toBe(401);
  });

  it("creates a payment intent as Dojo answers it, validates the request, and hides a canceled one unless asked", async () => {
    const intent = await createIntent();
    expect(intent).toMatchObject({
      id: expect.stringMatching(/^pi_sandbox_[\w-]{22}$/),
      status: "Created",
      captureMode: "Auto",
      amount: { value: 1000, currencyCode: "GBP" },
      totalAmount: { value: 1000, currencyCode: "GBP" },
      refundedAmount: 0,
      reference: "Order 234",
      paymentEvents: [],
      paymentLink: fake.checkoutUrl(intent.id),
      config: { redirectUrl: "https://merchant.example/paid", cancelUrl: "https://merchant.example/cancelled" },
    });
    expect(Date.parse(String(intent.expireAt)) - Date.parse(String(intent.createdAt))).toBeCloseTo(30 * 86_400_000, -4);

    const bad = await api("POST", "/payment-intents", { body: intentBody({ amount: { value: 5, currencyCode: "USD" }, reference: "" }) });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ title: "One or more validation errors occurred.", errors: { "Amount.CurrencyCode": [expect.any(String)], Reference: [expect.any(String)] } });

    const canceled = await api("DELETE", `/payment-intents/${intent.id}`);
    expect(await canceled.json()).toMatchObject({ id: intent.id, status: "Canceled" });
    expect((await api("GET", `/payment-intents/${intent.id}`)).status).toBe(404);
    const shown = await api("GET", `/payment-intents/${intent.id}?returnCanceled=true`);
    expect(await shown.json()).toMatchObject({ status: "Canceled" });
    expect((await api("DELETE", `/payment-intents/${intent.id}`)).status).toBe(404);
  });

  it("replays a POST with the same IdempotencyKey and body; another body with that key is a 409", async () => {
    const first = await api("POST", "/payment-intents", { body: intentBody(), headers: { IdempotencyKey: "k-1" } });
    const again = await api("POST", "/payment-intents", { body: intentBody(), headers: { IdempotencyKey: "k-1" } });
    const a = (await first.json()) as { id: string };
    expect(await again.json()).toMatchObject({ id: a.id });
    expect(fake.requests.map((r) => r.replayed ?? false)).toEqual([false, true]);
    expect(fake.requests[1].idempotencyKey).toBe("k-1");

    const conflict = await api("POST", "/payment-intents", { body: intentBody({ reference: "Order 235" }), headers: { IdempotencyKey: "k-1" } });
    expect(conflict.status).toBe(409);
    expect(await conflict.json()).toMatchObject({ title: "Conflict", status: 409 });
    // A 5xx is not saved: the same key runs again afterwards.
    fake.failNext(1, 503);
    expect((await api("POST", "/payment-intents", { body: intentBody(), headers: { IdempotencyKey: "k-2" } })).status).toBe(503);
    const retried = await api("POST", "/payment-intents", { body: intentBody(), headers: { IdempotencyKey: "k-2" } });
    expect(retried.status).toBe(200);
    expect(((await retried.json()) as { id: string }).id).not.toBe(a.id);
  });

  it("pay() captures and sends a signed payment_intent.status_updated before resolving; a decline leaves it Created", async () => {
    const receiver = await startReceiver();
    try {
      fake.setWebhook({ url: receiver.url, secret: "whsec-test" });
      const intent = await createIntent();

      const declined = await fake.pay(intent.id, { decline: true });
      expect(declined.status).toBe("Created");
      expect(declined.paymentEvents).toEqual([expect.objectContaining({ eventType: "Declined", cardNumber: "44565300****1013" })]);
      expect(receiver.received).toHaveLength(0);

      const paid = await fake.pay(intent.id);
      expect(paid).toMatchObject({ status: "Captured", paymentDetails: { message: "DEPOSITED", transactionId: expect.any(String) } });
      expect(paid.paymentEvents!.map((e) => e.eventType)).toEqual(["Declined", "Captured"]);
      expect(receiver.received).toHaveLength(1); // already there: pay() awaited the delivery
      const [hook] = receiver.received;
      expect(hook.headers.get("dojo-signature")).toMatch(/^sha256=([0-9A-F]{2}-){31}[0-9A-F]{2}$/);
      const event = verifyDojoWebhook({ rawBody: hook.rawBody, headers: hook.headers, secret: "whsec-test" });
      expect(event).toMatchObject({ type: "payment_intent.status_updated", paymentIntentId: intent.id, status: "Captured", accountId: "acc_test" });
      expect(JSON.parse(hook.rawBody)).toEqual({
        id: expect.stringMatching(/^evt_/),
        event: "payment_intent.status_updated",
        accountId: "acc_test",
        createdAt: expect.any(String),
        data: { paymentIntentId: intent.id, paymentStatus: "Captured", captureMode: "Auto" },
      });
      expect(fake.webhookDeliveries[0]).toMatchObject({ status: 200, error: null });
      await expect(fake.pay(intent.id)).rejects.toThrow(/Captured/);
    } finally {
      await receiver.close();
    }
  });

  it("refunds: IdempotencyKey required, partial keeps Captured, the rest makes it Refunded (with its webhook), no more after", async () => {
    const receiver = await startReceiver();
    try {
      fake.setWebhook({ url: receiver.url, secret: "s" });
      const intent = await createIntent();
      expect((await api("POST", `/payment-intents/${intent.id}/refunds`, { body: { amount: 100 }, headers: { IdempotencyKey: "r-0" } })).status).toBe(400); // not paid yet
      await fake.pay(intent.id);

      const missingKey = await api("POST", `/payment-intents/${intent.id}/refunds`, { body: { amount: 100 } });
      expect(missingKey.status).toBe(400);
      expect(await missingKey.json()).toMatchObject({ errors: { idempotencyKey: [expect.any(String)] } });

      const partial = await api("POST", `/payment-intents/${intent.id}/refunds`, { body: { amount: 400, refundReason: "Demo refund" }, headers: { IdempotencyKey: "r-1" } });
      const refund = (await partial.json()) as { refundId: string };
      expect(refund).toEqual({ paymentIntentId: intent.id, refundId: expect.stringMatching(/^rfnd_/), refundReason: "Demo refund", notes: null });
      expect(fake.getPaymentIntent(intent.id)).toMatchObject({ status: "Captured", refundedAmount: 400 });
      const replay = await api("POST", `/payment-intents/${intent.id}/refunds`, { body: { amount: 400, refundReason: "Demo refund" }, headers: { IdempotencyKey: "r-1" } });
      expect(((await replay.json()) as { refundId: string }).refundId).toBe(refund.refundId);
      expect(fake.getPaymentIntent(intent.id)!.refundedAmount).toBe(400);

      const tooMuch = await api("POST", `/payment-intents/${intent.id}/refunds`, { body: { amount: 601 }, headers: { IdempotencyKey: "r-2" } });
      expect(tooMuch.status).toBe(400);
      const rest = await api("POST", `/payment-intents/${intent.id}/refunds`, { body: { amount: 600 }, headers: { IdempotencyKey: "r-3" } });
      expect(rest.status).toBe(200);
      await fake.webhooksSettled();
      expect(fake.getPaymentIntent(intent.id)).toMatchObject({ status: "Refunded", refundedAmount: 1000 });
      expect(receiver.received.map((r) => JSON.parse(r.rawBody).data.paymentStatus)).toEqual(["Captured", "Refunded"]);

      const read = await api("GET", `/payment-intents/refunds/${refund.refundId}`);
      expect(await read.json()).toMatchObject({ refundId: refund.refundId, paymentIntentId: intent.id });
      expect((await api("GET", "/payment-intents/refunds/rfnd_nope")).status).toBe(404);
      expect((await api("POST", `/payment-intents/${intent.id}/refunds`, { body: { amount: 1 }, headers: { IdempotencyKey: "r-4" } })).status).toBe(400);
    } finally {
      await receiver.close();
    }
  });

  it("outage and failing() answer before anything runs; the checkout page stays up", async () => {
    const intent = await createIntent();
    fake.outage(true);
    const down = await api("GET", `/payment-intents/${intent.id}`);
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ status: 503, title: "Service Unavailable" });
    expect((await api("POST", "/payment-intents", { body: intentBody() })).status).toBe(503);
    expect((await fetch(fake.checkoutUrl(intent.id))).status).toBe(200);
    fake.outage(false);

    fake.failing([429, 502]);
    expect((await api("GET", "/webhooks/events")).status).toBe(429);
    expect((await api("GET", "/webhooks/events")).status).toBe(502);
    expect((await api("GET", "/webhooks/events")).status).toBe(429);
    fake.failing(null);
    expect((await api("GET", "/webhooks/events")).status).toBe(200);
  });

  it("serves a hosted checkout page a browser can pay through", async () => {
    const intent = await createIntent({ customer: null, config: { redirectUrl: "https://merchant.example/paid", cancelUrl: "https://merchant.example/back", customerEmail: { collectionRequired: true } } });
    const page = await fetch(fake.checkoutUrl(intent.id));
    const html = await page.text();
    expect(page.headers.get("content-type")).toMatch(/text\/html/);
    expect(html).toContain("£10.00");
    expect(html).toContain(`action="/checkout/${intent.id}/pay"`);
    expect(html).toContain('name="email"');

    const back = await fetch(`${fake.checkoutUrl(intent.id)}/cancel`, { redirect: "manual" });
    expect(back.status).toBe(303);
    expect(back.headers.get("location")).toBe("https://merchant.example/back");

    const post = (form: Record<string, string>) =>
      fetch(`${fake.url}/checkout/${intent.id}/pay`, { method: "POST", redirect: "manual", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(form).toString() });
    const declined = await post({ email: "payer@shop.example", decline: "1" });
    expect(declined.status).toBe(303);
    expect(declined.headers.get("location")).toBe(`/checkout/${intent.id}?declined=1`);
    expect(await (await fetch(`${fake.url}${declined.headers.get("location")}`)).text()).toContain("declined");

    const paid = await post({ email: "payer@shop.example" });
    expect(paid.status).toBe(303);
    expect(paid.headers.get("location")).toBe("https://merchant.example/paid");
    expect(fake.getPaymentIntent(intent.id)).toMatchObject({ status: "Captured", customer: { emailAddress: "payer@shop.example" } });
    expect(await (await fetch(fake.checkoutUrl(intent.id))).text()).toContain("This payment is Captured.");
  });
});
