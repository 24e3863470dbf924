// The Dojo adapter against the fake Dojo (tests/fakes/dojo-server.ts), over real HTTP: what goes on the
// wire, and what the port gets back. No database is needed.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ProcessorRejectedError, ProcessorUnavailableError, type CheckoutInput, type ProcessorAccount } from "~/domain/collect/processor";
import { startFakeDojo, type FakeDojo } from "../../../tests/fakes/dojo-server";
import { DOJO_API_VERSION } from "./client.server";
import { dojoProcessor } from "./collect.server";
import { DojoSignatureError, signDojoWebhook, verifyDojoWebhook } from "./webhooks";

const KEY = "sk_sandbox_c8oLGaI__recoupTestKey_9f3";
const account: ProcessorAccount = { connectionId: "conn_1", livemode: false, apiKey: KEY };
let fake: FakeDojo;
const saved = { api: process.env.DOJO_API_BASE, checkout: process.env.DOJO_CHECKOUT_BASE };

const input = (over: Partial<CheckoutInput> = {}): CheckoutInput => ({
  amountMinor: 1250,
  currency: "GBP",
  description: "Invoice 42",
  reference: "tx_recoup_1",
  customerEmail: "payer@shop.example",
  successUrl: "https://recoup.example/pay/abc/done",
  cancelUrl: "https://recoup.example/pay/abc",
  idempotencyKey: "checkout:tx_recoup_1",
  ...over,
});

async function failure(promise: Promise<unknown>): Promise<Error> {
  const outcome = await promise.then(
    () => null,
    (error: unknown) => error,
  );
  if (!(outcome instanceof Error)) throw new Error("expected a rejection");
  return outcome;
}

beforeEach(async () => {
  fake = await startFakeDojo({ apiKeys: [KEY], accountId: "acc_test" });
  process.env.DOJO_API_BASE = fake.url;
  process.env.DOJO_CHECKOUT_BASE = `${fake.url}/checkout`;
});
afterEach(async () => {
  await fake.close();
  for (const [name, value] of [["DOJO_API_BASE", saved.api], ["DOJO_CHECKOUT_BASE", saved.checkout]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

describe("dojoProcessor", () => {
  it("takes GBP and EUR", () => {
    expect(dojoProcessor.name).toBe("dojo");
    expect([...dojoProcessor.currencies]).toEqual(["GBP", "EUR"]);
  });

  it("opens a checkout on Dojo's hosted page, sending the key as Basic, the version and the IdempotencyKey", async () => {
    const expiresAt = new Date(Date.now() + 3 * 86_400_000);
    const created = await dojoProcessor.createCheckout(account, input({ expiresAt, lines: [{ name: "Widget", unitAmountMinor: 625, quantity: 2 }] }));
    expect(created.providerPaymentId).toMatch(/^pi_sandbox_/);
    expect(created.checkoutUrl).toBe(fake.checkoutUrl(created.providerPaymentId));
    expect(created.expiresAt?.toISOString()).toBe(expiresAt.toISOString());

    const [req] = fake.requestsTo("POST", "/payment-intents");
    expect(req).toMatchObject({ authorization: `Basic ${KEY}`, version: DOJO_API_VERSION, idempotencyKey: "checkout:tx_recoup_1", answeredStatus: 200 });
    expect(req.body).toMatchObject({
      amount: { value: 1250, currencyCode: "GBP" },
      reference: "tx_recoup_1",
      description: "Invoice 42",
      captureMode: "Auto",
      customer: { emailAddress: "payer@shop.example" },
      config: { redirectUrl: "https://recoup.example/pay/abc/done", cancelUrl: "https://recoup.example/pay/abc" },
      itemLines: [{ name: "Widget", quantity: 2, amountTotal: { value: 1250, currencyCode: "GBP" } }],
      expireAt: expiresAt.toISOString(),
    });

    // The page really is there for the customer.
    const page = await fetch(created.checkoutUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("£12.50");
  });

  it("asks the hosted page to collect an email when it has none", async () => {
    await dojoProcessor.createCheckout(account, input({ customerEmail: null }));
    expect(fake.requestsTo("POST", "/payment-intents")[0].body).toMatchObject({ customer: null, config: { customerEmail: { collectionRequired: true } } });
  });

  it("the same idempotency key opens one intent, including across the client's quick retry after a 5xx", async () => {
    const first = await dojoProcessor.createCheckout(account, input());
    const second = await dojoProcessor.createCheckout(account, input());
    expect(second.providerPaymentId).toBe(first.providerPaymentId);

    fake.failNext(1, 502);
    const retried = await dojoProcessor.createCheckout(account, input({ idempotencyKey: "checkout:tx_recoup_2", reference: "tx_recoup_2" }));
    const attempts = fake.requestsTo("POST", "/payment-intents").slice(2);
    expect(attempts.map((r) => r.answeredStatus)).toEqual([502, 200]);
    expect(attempts.map((r) => r.idempotencyKey)).toEqual(["checkout:tx_recoup_2", "checkout:tx_recoup_2"]);
    expect(attempts[0].rawBody).toBe(attempts[1].rawBody);
    expect(retried.providerPaymentId).not.toBe(first.providerPaymentId);
  });

  it("refuses a currency Dojo does not take without calling it", async () => {
    const error = await failure(dojoProcessor.createCheckout(account, input({ currency: "USD" })));
    expect(error).toBeInstanceOf(ProcessorRejectedError);
    expect((error as ProcessorRejectedError).code).toBe("currency_not_supported");
    expect(fake.requests).toHaveLength(0);
  });

  it("an outage is ProcessorUnavailableError('outage') after one quick retry; a 429 is 'rate_limited'", async () => {
    fake.outage(true);
    const error = await failure(dojoProcessor.createCheckout(account, input()));
    expect(error).toBeInstanceOf(ProcessorUnavailableError);
    expect((error as ProcessorUnavailableError).reason).toBe("outage");
    expect(fake.requests.map((r) => r.answeredStatus)).toEqual([503, 503]);
    fake.outage(false);

    fake.failing([429]);
    const limited = await failure(dojoProcessor.getPayment(account, "pi_sandbox_x"));
    expect((limited as ProcessorUnavailableError).reason).toBe("rate_limited");
    fake.failing(null);

    // Nothing listening at all.
    process.env.DOJO_API_BASE = "http://127.0.0.1:1";
    const unreachable = await failure(dojoProcessor.verify(account));
    expect(unreachable).toBeInstanceOf(ProcessorUnavailableError);
    expect((unreachable as ProcessorUnavailableError).reason).toBe("outage");
  });

  it("a refused or missing key is ProcessorUnavailableError('auth'), and the key is never in the message", async () => {
    const wrongKey = "sk_sandbox_revoked_8DfzQ2";
    for (const call of [
      () => dojoProcessor.verify({ ...account, apiKey: wrongKey }),
      () => dojoProcessor.createCheckout({ ...account, apiKey: wrongKey }, input()),
      () => dojoProcessor.getPayment({ ...account, apiKey: wrongKey }, "pi_sandbox_x"),
    ]) {
      const error = await failure(call());
      expect(error).toBeInstanceOf(ProcessorUnavailableError);
      expect((error as ProcessorUnavailableError).reason).toBe("auth");
      expect(error.message).not.toContain(wrongKey);
      expect(error.message).not.toContain("revoked_8DfzQ2");
      expect(JSON.stringify(error)).not.toContain(wrongKey);
    }
    expect(fake.requests.every((r) => r.answeredStatus === 401)).toBe(true);

    for (const apiKey of [null, undefined, "  "]) {
      await expect(dojoProcessor.verify({ ...account, apiKey })).rejects.toMatchObject({ name: "ProcessorUnavailableError", reason: "auth" });
    }
    await expect(dojoProcessor.verify(account)).resolves.toBeUndefined();
    expect(fake.requestsTo("GET", "/webhooks/events").at(-1)?.answeredStatus).toBe(200);
  });

  it("pay() then getPayment: paid with the amount, the payer, and the card attempts newest first", async () => {
    const { providerPaymentId } = await dojoProcessor.createCheckout(account, input());
    await expect(dojoProcessor.getPayment(account, providerPaymentId)).resolves.toMatchObject({ status: "processing", paidAt: null, chargeRef: null, attempts: [] });

    await fake.pay(providerPaymentId, { decline: true });
    const afterDecline = await dojoProcessor.getPayment(account, providerPaymentId);
    expect(afterDecline).toMatchObject({ status: "processing", attempts: [{ status: "failed", errorMessage: expect.any(String), paymentMethod: "card" }] });

    await new Promise((resolve) => setTimeout(resolve, 5)); // the two attempts at distinct instants
    await fake.pay(providerPaymentId);
    const state = await dojoProcessor.getPayment(account, providerPaymentId);
    expect(state).toMatchObject({
      status: "paid",
      amountMinor: 1250,
      currency: "GBP",
      chargeRef: providerPaymentId,
      payerEmail: "payer@shop.example",
    });
    expect(state.paidAt).toBeInstanceOf(Date);
    expect(state.attempts.map((a) => a.status)).toEqual(["succeeded", "failed"]);
    expect(state.attempts[0].paymentId).toBe(fake.getPaymentIntent(providerPaymentId)!.paymentDetails!.transactionId);
    expect(fake.requestsTo("GET", `/payment-intents/${providerPaymentId}`).every((r) => r.query.returnCanceled === "true")).toBe(true);
  });

  it("refunds partially then fully; each refund completes; an idempotent retry refunds once; too much is rejected", async () => {
    const { providerPaymentId } = await dojoProcessor.createCheckout(account, input({ amountMinor: 1000 }));
    await fake.pay(providerPaymentId);
    const refund = (amountMinor: number, idempotencyKey: string) =>
      dojoProcessor.refund(account, { providerPaymentId, chargeRef: providerPaymentId, amountMinor, currency: "GBP", reason: "Customer request", idempotencyKey });

    const partial = await refund(400, "refund:1");
    expect(partial).toEqual({ providerRefundId: expect.stringMatching(/^rfnd_/), status: "completed" });
    expect(await refund(400, "refund:1")).toEqual(partial);
    expect(fake.getPaymentIntent(providerPaymentId)).toMatchObject({ status: "Captured", refundedAmount: 400 });
    const [req] = fake.requestsTo("POST", `/payment-intents/${providerPaymentId}/refunds`);
    expect(req).toMatchObject({ idempotencyKey: "refund:1", version: DOJO_API_VERSION, body: { amount: 400, refundReason: "Customer request" } });
    await expect(dojoProcessor.getPayment(account, providerPaymentId)).resolves.toMatchObject({ status: "paid" });

    const tooMuch = await failure(refund(700, "refund:2"));
    expect(tooMuch).toBeInstanceOf(ProcessorRejectedError);
    expect(tooMuch.message).toMatch(/exceeds/);

    const rest = await refund(600, "refund:3");
    expect(rest.status).toBe("completed");
    expect(fake.getPaymentIntent(providerPaymentId)).toMatchObject({ status: "Refunded", refundedAmount: 1000 });
    await expect(dojoProcessor.getRefund(account, partial.providerRefundId)).resolves.toEqual(partial);
    await expect(dojoProcessor.getPayment(account, providerPaymentId)).resolves.toMatchObject({ status: "paid", amountMinor: 1000 });
    await expect(dojoProcessor.getRefund(account, "rfnd_unknown")).rejects.toMatchObject({ name: "ProcessorRejectedError", code: "not_found" });
  });

  it("cancels an unpaid checkout (then reads it as canceled) and says false for a paid one", async () => {
    const open = await dojoProcessor.createCheckout(account, input());
    expect(await dojoProcessor.cancelCheckout(account, open.providerPaymentId)).toBe(true);
    await expect(dojoProcessor.getPayment(account, open.providerPaymentId)).resolves.toMatchObject({ status: "canceled" });
    expect(await dojoProcessor.cancelCheckout(account, open.providerPaymentId)).toBe(true); // already canceled

    const paid = await dojoProcessor.createCheckout(account, input({ idempotencyKey: "checkout:2", reference: "tx_2" }));
    await fake.pay(paid.providerPaymentId);
    expect(await dojoProcessor.cancelCheckout(account, paid.providerPaymentId)).toBe(false);
    expect(fake.getPaymentIntent(paid.providerPaymentId)!.status).toBe("Captured");
  });
});

describe("Dojo webhook signatures", () => {
  // The example in Dojo's webhooks guide, and the one in Dojo.Net's WebhookPayloadUtilsTests.
  const DOCS_BODY =
    '{"id":"evt_hnnHxIKR_Uy6bhZCusCltw","event":"payment_intent.created","accountId":"acc_test","createdAt":"2022-02-01T13:07:41.8667859Z","data":{"paymentIntentId":"pi_vpwd4ooAPEqyNAQe4z89WQ","paymentStatus":"Created","captureMode":"Auto"}}';
  const headers = (signature: string) => new Headers({ "Dojo-Signature": signature });

  it("signs exactly as Dojo's documented examples", () => {
    expect(signDojoWebhook(DOCS_BODY, "ws_OYsyzcrH70GpJfs8MMkKpg")).toBe(
      "sha256=94-AC-93-67-D6-8B-69-6D-15-A2-C2-45-40-98-B5-E7-64-72-38-C5-1F-6D-32-D0-5F-CB-91-20-A9-20-64-F4",
    );
    const event = verifyDojoWebhook({
      rawBody: DOCS_BODY,
      headers: headers("sha256=4B-49-F8-FE-25-A7-E6-7D-00-4F-A7-9C-F8-0B-63-00-C7-77-B4-F2-2D-E5-E1-22-84-FA-04-18-50-A1-76-FD"),
      secret: "PDYkJQq6sESYHp_zJuTTBQ",
    });
    expect(event).toEqual({
      id: "evt_hnnHxIKR_Uy6bhZCusCltw",
      type: "payment_intent.created",
      createdAt: new Date("2022-02-01T13:07:41.866Z"),
      accountId: "acc_test",
      paymentIntentId: "pi_vpwd4ooAPEqyNAQe4z89WQ",
      status: "Created",
      raw: JSON.parse(DOCS_BODY),
    });
  });

  it("round-trips, from bytes too, and with the secret among several", () => {
    const body = JSON.stringify({ id: "evt_1", event: "payment_intent.status_updated", accountId: "acc_1", createdAt: new Date().toISOString(), data: { paymentIntentId: "pi_1", paymentStatus: "Captured", captureMode: "Auto" } });
    const signature = signDojoWebhook(body, "secret-1");
    expect(verifyDojoWebhook({ rawBody: Buffer.from(body), headers: headers(signature), secret: ["old", "secret-1"], toleranceSeconds: 300 })).toMatchObject({
      type: "payment_intent.status_updated",
      paymentIntentId: "pi_1",
      status: "Captured",
    });
    // Case and dashes do not matter; the bytes do.
    const plain = `sha256=${signature.slice(7).replace(/-/g, "").toLowerCase()}`;
    expect(verifyDojoWebhook({ rawBody: body, headers: headers(plain), secret: "secret-1" }).id).toBe("evt_1");
  });

  it("refuses a tampered body, another secret, a missing header, an event older than the tolerance", () => {
    const createdAt = new Date("2026-01-01T12:00:00Z");
    const body = JSON.stringify({ id: "evt_2", event: "payment_intent.status_updated", accountId: "acc_1", createdAt: createdAt.toISOString(), data: { paymentIntentId: "pi_2", paymentStatus: "Captured", captureMode: "Auto" } });
    const signature = signDojoWebhook(body, "secret-2");
    const reasonOf = (run: () => unknown) => {
      try {
        run();
      } catch (error) {
        expect(error).toBeInstanceOf(DojoSignatureError);
        return (error as DojoSignatureError).reason;
      }
      return "accepted";
    };
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: body.replace("Captured", "Canceled"), headers: headers(signature), secret: "secret-2" }))).toBe("bad_signature");
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: body, headers: headers(signature), secret: "secret-3" }))).toBe("bad_signature");
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: body, headers: headers(signature), secret: "" }))).toBe("bad_signature");
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: body, headers: headers("sha256=00"), secret: "secret-2" }))).toBe("bad_signature");
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: body, headers: new Headers(), secret: "secret-2" }))).toBe("missing_header");
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: "not json", headers: headers(signDojoWebhook("not json", "secret-2")), secret: "secret-2" }))).toBe("malformed");

    const later = (seconds: number) => new Date(createdAt.getTime() + seconds * 1000);
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: body, headers: headers(signature), secret: "secret-2", toleranceSeconds: 300, now: later(301) }))).toBe("too_old");
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: body, headers: headers(signature), secret: "secret-2", toleranceSeconds: 300, now: later(299) }))).toBe("accepted");
    // Without a tolerance the signed createdAt is not judged (see webhooks.ts).
    expect(reasonOf(() => verifyDojoWebhook({ rawBody: body, headers: headers(signature), secret: "secret-2", now: later(86_400) }))).toBe("accepted");
  });
});
