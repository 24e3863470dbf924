// The Stripe collection processor against the wire-level fake Stripe, through the real stripe-node client.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ProcessorRejectedError, ProcessorUnavailableError, type CheckoutInput, type ProcessorAccount } from "~/domain/collect/processor";
import { resetEnv } from "~/utils/env.server";
import type { FakeStripe } from "../../../tests/fakes/stripe-server";
import { setUpStripe } from "../../../tests/helpers/stripe";
import { stripeExpiresAt, stripeProcessor } from "./collect.server";

let fake: FakeStripe;
let n = 0;

beforeAll(async () => {
  fake = await setUpStripe();
});
afterAll(async () => {
  await fake.close();
});

/** Each test on its own connected account, so one test's sessions and refunds never show in another's. */
function merchant(): ProcessorAccount {
  n += 1;
  return { connectionId: `conn_${n}`, livemode: false, stripeAccountId: `acct_collect${n}` };
}

function checkout(over: Partial<CheckoutInput> = {}): CheckoutInput {
  n += 1;
  return {
    amountMinor: 2500,
    currency: "GBP",
    description: "Invoice 42",
    reference: `txn_${n}`,
    customerEmail: "payer@example.com",
    successUrl: "http://recoup.test/pay/done",
    cancelUrl: "http://recoup.test/pay/cancel",
    idempotencyKey: `recoup-checkout-${n}`,
    ...over,
  };
}

async function thrown(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected a rejection");
}

async function paidCheckout(account: ProcessorAccount, input = checkout()) {
  const created = await stripeProcessor.createCheckout(account, input);
  fake.completeCheckout(account.stripeAccountId!, created.providerPaymentId);
  const payment = await stripeProcessor.getPayment(account, created.providerPaymentId);
  return { created, payment };
}

describe("stripeProcessor.createCheckout", () => {
  it("opens a payment-mode Checkout Session on the connected account, once per idempotency key", async () => {
    const account = merchant();
    const input = checkout();
    const started = Date.now();
    const created = await stripeProcessor.createCheckout(account, input);
    expect(created.providerPaymentId).toMatch(/^cs_test_/);
    expect(created.checkoutUrl).toBe(`${fake.url}/fake-checkout/${created.providerPaymentId}`);
    // No expiry asked: Stripe's own default, 24 hours.
    expect(created.expiresAt!.getTime()).toBeGreaterThanOrEqual(Math.floor(started / 1000) * 1000 + 24 * 3600_000);

    const [req] = fake.requestsTo("POST", "/v1/checkout/sessions").filter((r) => r.stripeAccount === account.stripeAccountId);
    expect(req).toMatchObject({ stripeAccount: account.stripeAccountId, idempotencyKey: input.idempotencyKey, answeredStatus: 200 });
    expect(req!.body).toEqual({
      mode: "payment",
      line_items: [{ price_data: { currency: "gbp", unit_amount: "2500", product_data: { name: "Invoice 42" } }, quantity: "1" }],
      client_reference_id: input.reference,
      metadata: { recoup_reference: input.reference },
      payment_intent_data: { metadata: { recoup_reference: input.reference }, description: "Invoice 42" },
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      customer_email: "payer@example.com",
    });

    const again = await stripeProcessor.createCheckout(account, input);
    expect(again).toEqual(created);
    const sent = fake.requestsTo("POST", "/v1/checkout/sessions").filter((r) => r.stripeAccount === account.stripeAccountId);
    expect(sent.map((r) => r.replayed)).toEqual([false, true]);

    // The same key with another amount opens nothing: Stripe refuses the reuse.
    await expect(stripeProcessor.createCheckout(account, { ...input, amountMinor: 2600 })).rejects.toMatchObject({
      name: "ProcessorRejectedError",
      code: "idempotency_key_reused",
    });
  });

  it("sends one line per item, and an expiry within Stripe's 30 minutes to 24 hours", async () => {
    const account = merchant();
    const inAnHour = new Date(Date.now() + 3600_000);
    const input = checkout({
      amountMinor: 3700,
      lines: [
        { name: "Tickets", unitAmountMinor: 1500, quantity: 2 },
        { name: "Booking fee", unitAmountMinor: 700, quantity: 1 },
      ],
      expiresAt: inAnHour,
      customerEmail: null,
    });
    const created = await stripeProcessor.createCheckout(account, input);
    expect(created.expiresAt!.getTime()).toBe(Math.floor(inAnHour.getTime() / 1000) * 1000);
    const session = fake.getCheckoutSession(account.stripeAccountId!, created.providerPaymentId)!;
    expect(session).toMatchObject({ amount_total: 3700, currency: "gbp", customer_email: null });
    const [req] = fake.requestsTo("POST", "/v1/checkout/sessions").filter((r) => r.stripeAccount === account.stripeAccountId);
    expect(req!.body.line_items).toEqual([
      { price_data: { currency: "gbp", unit_amount: "1500", product_data: { name: "Tickets" } }, quantity: "2" },
      { price_data: { currency: "gbp", unit_amount: "700", product_data: { name: "Booking fee" } }, quantity: "1" },
    ]);

    await expect(stripeProcessor.createCheckout(account, checkout({ amountMinor: 3000, lines: [{ name: "x", unitAmountMinor: 1000, quantity: 2 }] }))).rejects.toThrow(
      /add up to 2000, not the 3000/,
    );
  });

  it("keeps the expiry within Stripe's bounds, the same on a retry", () => {
    const now = Date.UTC(2026, 2, 1, 12, 0, 0);
    expect(stripeExpiresAt(null, now)).toBeUndefined();
    expect(stripeExpiresAt(new Date(now + 2 * 3600_000), now)).toBe((now + 2 * 3600_000) / 1000);
    // Past 24 hours: nothing is sent, and Stripe's default is 24 hours.
    expect(stripeExpiresAt(new Date(now + 7 * 86400_000), now)).toBeUndefined();
    // Sooner than 30 minutes (or already past): raised past the minimum, on a 10-minute step.
    const soon = stripeExpiresAt(new Date(now + 60_000), now)!;
    expect(soon).toBeGreaterThanOrEqual(now / 1000 + 35 * 60);
    expect(soon).toBeLessThan(now / 1000 + 45 * 60);
    expect(stripeExpiresAt(new Date(now - 3600_000), now + 60_000)).toBe(soon);
  });

  it("a too-soon expiry is accepted by Stripe once raised", async () => {
    const account = merchant();
    const created = await stripeProcessor.createCheckout(account, checkout({ expiresAt: new Date(Date.now() + 60_000) }));
    expect(created.expiresAt!.getTime()).toBeGreaterThanOrEqual(Date.now() + 30 * 60_000);
  });

  it("Stripe down is an outage; rate limits past the SDK's retries are rate_limited", async () => {
    const account = merchant();
    fake.outage(true);
    try {
      const error = await thrown(stripeProcessor.createCheckout(account, checkout()));
      expect(error).toBeInstanceOf(ProcessorUnavailableError);
      expect(error).toMatchObject({ reason: "outage" });
    } finally {
      fake.outage(false);
    }
    fake.failing([429]);
    try {
      const error = await thrown(stripeProcessor.createCheckout(account, checkout()));
      expect(error).toBeInstanceOf(ProcessorUnavailableError);
      expect(error).toMatchObject({ reason: "rate_limited" });
    } finally {
      fake.failing(null);
    }
  });

  it("an unreachable Stripe is an outage", async () => {
    const saved = process.env.STRIPE_API_BASE;
    process.env.STRIPE_API_BASE = "http://127.0.0.1:9"; // discard port: nothing listens
    resetEnv();
    try {
      const error = await thrown(stripeProcessor.createCheckout(merchant(), checkout()));
      expect(error).toBeInstanceOf(ProcessorUnavailableError);
      expect(error).toMatchObject({ reason: "outage" });
    } finally {
      process.env.STRIPE_API_BASE = saved;
      resetEnv();
    }
  });

  it("a revoked connection or a missing account is refused as auth; Stripe refusing the request is a rejection", async () => {
    const account = merchant();
    fake.revokeAccess(account.stripeAccountId!);
    const revoked = await thrown(stripeProcessor.createCheckout(account, checkout()));
    expect(revoked).toBeInstanceOf(ProcessorUnavailableError);
    expect(revoked).toMatchObject({ reason: "auth" });
    await expect(stripeProcessor.verify(account)).rejects.toMatchObject({ name: "ProcessorUnavailableError", reason: "auth" });
    fake.revokeAccess(account.stripeAccountId!, false);
    await expect(stripeProcessor.verify(account)).resolves.toBeUndefined();

    const before = fake.requests.length;
    await expect(stripeProcessor.createCheckout({ ...account, stripeAccountId: null }, checkout())).rejects.toMatchObject({ reason: "auth" });
    expect(fake.requests.length).toBe(before); // never on the platform's own account

    const tooSmall = await thrown(stripeProcessor.createCheckout(account, checkout({ amountMinor: 20 })));
    expect(tooSmall).toBeInstanceOf(ProcessorRejectedError);
    expect((tooSmall as Error).message).toContain("must add up to at least £0.30 gbp");
    await expect(stripeProcessor.createCheckout(account, checkout({ currency: "XYZ" }))).rejects.toMatchObject({ name: "ProcessorRejectedError", code: "currency_not_supported" });
  });
});

describe("stripeProcessor.getPayment / cancelCheckout", () => {
  it("an open checkout is processing; once paid it names the PaymentIntent as the charge to refund", async () => {
    const account = merchant();
    const created = await stripeProcessor.createCheckout(account, checkout());
    await expect(stripeProcessor.getPayment(account, created.providerPaymentId)).resolves.toEqual({
      status: "processing",
      amountMinor: 2500,
      currency: "GBP",
      paidAt: null,
      chargeRef: null,
      payerEmail: "payer@example.com",
      attempts: [],
    });

    fake.completeCheckout(account.stripeAccountId!, created.providerPaymentId, { decline: { declineCode: "insufficient_funds" } });
    const declined = await stripeProcessor.getPayment(account, created.providerPaymentId);
    expect(declined).toMatchObject({ status: "processing", chargeRef: null });
    expect(declined.attempts).toEqual([
      { status: "failed", paymentId: expect.stringMatching(/^pi_/), attemptedAt: expect.any(Date), errorMessage: "Your card has insufficient funds.", paymentMethod: "card" },
    ]);

    const session = fake.completeCheckout(account.stripeAccountId!, created.providerPaymentId, { email: "card-holder@example.com" });
    const paid = await stripeProcessor.getPayment(account, created.providerPaymentId);
    expect(paid).toMatchObject({ status: "paid", amountMinor: 2500, currency: "GBP", chargeRef: session.payment_intent, payerEmail: "card-holder@example.com" });
    expect(paid.paidAt).toBeInstanceOf(Date);
    expect(Math.abs(paid.paidAt!.getTime() - Date.now())).toBeLessThan(60_000);
    expect(paid.attempts).toEqual([{ status: "succeeded", paymentId: session.payment_intent, attemptedAt: expect.any(Date), errorMessage: null, paymentMethod: "card" }]);
    const [read] = fake.requestsTo("GET", `/v1/checkout/sessions/${created.providerPaymentId}`).slice(-1);
    expect(read).toMatchObject({ stripeAccount: account.stripeAccountId, query: { "expand[0]": "payment_intent", "expand[1]": "payment_intent.latest_charge" } });
  });

  it("cancels an open checkout (then canceled); not one already paid or expired", async () => {
    const account = merchant();
    const open = await stripeProcessor.createCheckout(account, checkout());
    await expect(stripeProcessor.cancelCheckout(account, open.providerPaymentId)).resolves.toBe(true);
    await expect(stripeProcessor.getPayment(account, open.providerPaymentId)).resolves.toMatchObject({ status: "canceled", chargeRef: null });
    await expect(stripeProcessor.cancelCheckout(account, open.providerPaymentId)).resolves.toBe(false);

    const { created } = await paidCheckout(account);
    await expect(stripeProcessor.cancelCheckout(account, created.providerPaymentId)).resolves.toBe(false);
    await expect(stripeProcessor.getPayment(account, created.providerPaymentId)).resolves.toMatchObject({ status: "paid" });

    fake.outage(true);
    try {
      await expect(stripeProcessor.cancelCheckout(account, open.providerPaymentId)).rejects.toMatchObject({ name: "ProcessorUnavailableError", reason: "outage" });
    } finally {
      fake.outage(false);
    }
  });

  it("a checkout Stripe let lapse reads as canceled", async () => {
    const account = merchant();
    const created = await stripeProcessor.createCheckout(account, checkout());
    fake.lapseCheckout(account.stripeAccountId!, created.providerPaymentId);
    await expect(stripeProcessor.getPayment(account, created.providerPaymentId)).resolves.toMatchObject({ status: "canceled" });
  });
});

describe("stripeProcessor.refund / getRefund", () => {
  it("refunds part, then the rest; more than is left is rejected; a settled refund reads completed", async () => {
    const account = merchant();
    const { created, payment } = await paidCheckout(account);
    const refund = (amountMinor: number, key: string) =>
      stripeProcessor.refund(account, {
        providerPaymentId: created.providerPaymentId,
        chargeRef: payment.chargeRef,
        amountMinor,
        currency: "GBP",
        reason: "Damaged in transit",
        idempotencyKey: key,
      });

    const part = await refund(1000, "recoup-refund-1");
    expect(part).toEqual({ providerRefundId: expect.stringMatching(/^re_/), status: "processing" });
    const [req] = fake.requestsTo("POST", "/v1/refunds").filter((r) => r.stripeAccount === account.stripeAccountId);
    expect(req).toMatchObject({
      idempotencyKey: "recoup-refund-1",
      body: { payment_intent: payment.chargeRef, amount: "1000", reason: "requested_by_customer", metadata: { reason: "Damaged in transit" } },
    });
    await expect(refund(1000, "recoup-refund-1")).resolves.toEqual(part); // the same key: the same refund

    const over = await thrown(refund(2000, "recoup-refund-2"));
    expect(over).toBeInstanceOf(ProcessorRejectedError);
    expect((over as Error).message).toContain("greater than unrefunded amount on charge (£15.00)");

    const rest = await refund(1500, "recoup-refund-3");
    expect(rest.status).toBe("processing");
    await expect(refund(1, "recoup-refund-4")).rejects.toMatchObject({ name: "ProcessorRejectedError", code: "charge_already_refunded" });

    fake.settleRefund(account.stripeAccountId!, part.providerRefundId, "succeeded");
    await expect(stripeProcessor.getRefund(account, part.providerRefundId)).resolves.toEqual({ providerRefundId: part.providerRefundId, status: "completed" });
    fake.settleRefund(account.stripeAccountId!, rest.providerRefundId, "failed");
    await expect(stripeProcessor.getRefund(account, rest.providerRefundId)).resolves.toMatchObject({ status: "failed" });
  });

  it("finds the PaymentIntent from the checkout when no charge is named, and refuses an unpaid checkout", async () => {
    const account = merchant();
    const { created, payment } = await paidCheckout(account);
    const base = { providerPaymentId: created.providerPaymentId, chargeRef: null, currency: "GBP", reason: "x".repeat(600) };
    await expect(stripeProcessor.refund(account, { ...base, amountMinor: 500, idempotencyKey: "recoup-refund-a" })).resolves.toMatchObject({ status: "processing" });
    const [req] = fake.requestsTo("POST", "/v1/refunds").filter((r) => r.stripeAccount === account.stripeAccountId);
    expect(req!.body).toMatchObject({ payment_intent: payment.chargeRef });
    expect((req!.body.metadata as { reason: string }).reason).toHaveLength(500); // Stripe's limit for a metadata value

    const unpaid = await stripeProcessor.createCheckout(account, checkout());
    await expect(
      stripeProcessor.refund(account, { ...base, providerPaymentId: unpaid.providerPaymentId, amountMinor: 500, idempotencyKey: "recoup-refund-b" }),
    ).rejects.toMatchObject({ name: "ProcessorRejectedError", code: "not_paid" });
  });
});
