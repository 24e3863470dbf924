// What the platforms tell about the customer reaches the policy (ADRs 0048, 0049): where they live
// (their time zone), the card's funding, the network's codes from the charge, and when their earlier
// payments arrived. Through the fake Stripe, the webhook and the engine.
import type Stripe from "stripe";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { eraseCustomer } from "~/domain/privacy/erasure.server";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../../tests/fakes/stripe-server";
import { runDueJobs } from "../../../tests/helpers/jobs";
import { merchantWithOpenInvoice } from "../../../tests/helpers/scenario";
import { deliver, eventOf, setUpStripe } from "../../../tests/helpers/stripe";
import { policyInputFor } from "./engine.server";

let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await setUpStripe();
  delete process.env.SMTP_URL; // emails stay in the outbox here
});
afterAll(() => stripe.close());
afterEach(() => testClock.reset());

type Place = {
  invoiceAddress?: Stripe.Address;
  customerAddress?: Stripe.Address;
  billingAddress?: Stripe.Address;
  cardCountry?: string;
  funding?: string;
};
const address = (country: string, state: string | null = null) => ({ country, state, city: null, line1: null, line2: null, postal_code: null }) as Stripe.Address;

/** A merchant whose customer's card fails at Stripe, the customer living where `place` says. */
async function failedAt(place: Place, decline: Parameters<FakeStripe["failInvoice"]>[2] = {}) {
  testClock.set(new Date("2026-11-10T12:00:00Z"));
  const m = await merchantWithOpenInvoice(stripe);
  const pmId = `pm_${m.customerId}`;
  stripe.putPaymentMethod(m.account, {
    id: pmId,
    billing_details: { address: place.billingAddress ?? null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: "mastercard",
      country: place.cardCountry ?? null,
      fingerprint: `fp_${m.customerId}`,
      funding: place.funding ?? "credit",
      last4: "4444",
    } as Stripe.PaymentMethod.Card,
  });
  const customer = stripe.getCustomer(m.account, m.customerId)!;
  customer.invoice_settings.default_payment_method = pmId;
  customer.address = place.customerAddress ?? null;
  stripe.getInvoice(m.account, m.invoiceId)!.customer_address = place.invoiceAddress ?? null;
  const invoice = stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null, ...decline });
  await deliver(eventOf("invoice.payment_failed", invoice, { account: m.account }));
  await runDueJobs();
  const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId }, include: { customer: true } });
  return { ...m, recovery };
}

describe("where a Stripe customer lives", () => {
  it("takes the invoice's customer address first: the customer's time zone, country and card funding are stored and planned with", async () => {
    const m = await failedAt({ invoiceAddress: address("US", "IL"), customerAddress: address("US", "CA"), cardCountry: "GB", funding: "debit" });
    expect(m.recovery.customer).toMatchObject({ timezone: "America/Chicago", country: "US" });
    expect(m.recovery.cardFunding).toBe("debit");
    expect(m.recovery.nextActionReason).toContain("customer's time, America/Chicago");
    const input = await policyInputFor(db(), m.recovery);
    expect(input.failure).toMatchObject({ customerTimezone: "America/Chicago", customerCountry: "US", cardFunding: "debit" });
  });

  it("falls back to the customer's address, then the charge's billing address, then the card's issuing country", async () => {
    expect((await failedAt({ customerAddress: address("CA", "BC"), billingAddress: address("AU", "WA") })).recovery.customer).toMatchObject({
      timezone: "America/Vancouver",
      country: "CA",
    });
    expect((await failedAt({ billingAddress: address("AU", "WA"), cardCountry: "DE" })).recovery.customer).toMatchObject({ timezone: "Australia/Perth", country: "AU" });
    expect((await failedAt({ cardCountry: "DE" })).recovery.customer).toMatchObject({ timezone: "Europe/Berlin", country: "DE" });
    const nowhere = await failedAt({});
    expect(nowhere.recovery.customer).toMatchObject({ timezone: null, country: null });
    expect(nowhere.recovery.nextActionReason).toContain("customer's timezone unknown");
  });

  it("reads Mastercard's advice code from the charge's outcome when the error object lacks it", async () => {
    const m = await failedAt({ cardCountry: "US" }, { declineCode: "do_not_honor", networkDeclineCode: "05", networkAdviceCode: "24", networkCodesOnChargeOnly: true });
    expect(m.recovery).toMatchObject({ networkDeclineCode: "05", networkAdviceCode: "24" });
    const stored = stripe.getInvoice(m.account, m.invoiceId)!;
    const pi = await import("~/integrations/stripe/client.server").then(({ stripe: client }) =>
      client().paymentIntents.retrieve(String(stored.payments!.data[0]!.payment.payment_intent), {}, { stripeAccount: m.account }),
    );
    // The fake speaks Stripe: the error itself named no network code.
    expect(pi.last_payment_error).not.toHaveProperty("network_advice_code");
  });
});

describe("a customer's own payment history", () => {
  it("records every paid invoice once, whatever the events' number and order, and the policy sees a year of it, oldest first", async () => {
    const m = await failedAt({ invoiceAddress: address("US", "TX") });
    const paid = (id: string, at: string, amount = 2500) => ({
      ...stripe.putInvoice(m.account, { id, customer: m.customerId, amount_due: amount, amount_paid: amount, status: "paid" }),
      status_transitions: { finalized_at: null, marked_uncollectible_at: null, voided_at: null, paid_at: Date.parse(at) / 1000 },
    });
    const old = paid("in_hist_old", "2025-09-01T14:00:00Z");
    const sept = paid("in_hist_sept", "2026-09-01T14:05:00Z");
    const oct = paid("in_hist_oct", "2026-10-01T13:55:00Z");
    const trial = paid("in_hist_trial", "2026-08-01T13:55:00Z", 0);
    for (const invoice of [oct, sept, old, trial]) await deliver(eventOf("invoice.paid", invoice, { account: m.account }));
    // Stripe sends invoice.payment_succeeded too, and redelivers events.
    await deliver(eventOf("invoice.payment_succeeded", oct, { account: m.account }));
    await deliver(eventOf("invoice.paid", oct, { account: m.account }));
    await runDueJobs();

    const rows = await db().customerPayment.findMany({ where: { workspaceId: m.workspace.id }, orderBy: { paidAt: "asc" } });
    expect(rows.map((r) => [r.externalId, r.provider, r.externalCustomerId, r.amountMinor, r.currency])).toEqual([
      ["in_hist_old", "stripe", m.customerId, 2500, "usd"],
      ["in_hist_sept", "stripe", m.customerId, 2500, "usd"],
      ["in_hist_oct", "stripe", m.customerId, 2500, "usd"],
    ]);
    const input = await policyInputFor(db(), m.recovery);
    expect(input.customerPaidAt).toEqual([new Date("2026-09-01T14:05:00Z"), new Date("2026-10-01T13:55:00Z")]);

    // Erasure takes the history with the customer.
    await eraseCustomer({ workspaceId: m.workspace.id, externalId: m.customerId });
    expect(await db().customerPayment.count({ where: { workspaceId: m.workspace.id } })).toBe(0);
  });
});
