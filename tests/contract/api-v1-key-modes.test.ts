// A test key sees test data only, a live key live data only (ADR 0032): lists, reads and commands,
// with the mode each payment got from the Stripe event (`livemode`) or the key that ingested it.
import type Stripe from "stripe";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import * as categoriesRoute from "~/routes/api.v1.decline-codes.categories";
import * as customerRoute from "~/routes/api.v1.customers.$id";
import * as customersRoute from "~/routes/api.v1.customers";
import * as ingestRoute from "~/routes/api.v1.ingest.payment-event";
import * as invoiceRoute from "~/routes/api.v1.invoices.$id";
import * as paymentsRoute from "~/routes/api.v1.payments";
import * as paymentRoute from "~/routes/api.v1.payments.$id";
import * as pauseRoute from "~/routes/api.v1.payments.$id.pause";
import * as retryRoute from "~/routes/api.v1.payments.$id.retry";
import * as recoveriesRoute from "~/routes/api.v1.recoveries";
import * as recoveryRoute from "~/routes/api.v1.recoveries.$id";
import { encrypt } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { useV1Caller } from "../helpers/openapi";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

const env = useStripeAndMail();
let m: Awaited<ReturnType<typeof merchantWithOpenInvoice>>;
let keys: { live: string; test: string };
let ids: { live: string; test: string };
const LIVE_INVOICE = "in_live_mode_1";

const v1 = useV1Caller({
  "/api/v1/payments": paymentsRoute,
  "/api/v1/payments/{id}": paymentRoute,
  "/api/v1/payments/{id}/retry": retryRoute,
  "/api/v1/payments/{id}/pause": pauseRoute,
  "/api/v1/recoveries": recoveriesRoute,
  "/api/v1/recoveries/{id}": recoveryRoute,
  "/api/v1/customers": customersRoute,
  "/api/v1/customers/{id}": customerRoute,
  "/api/v1/invoices/{id}": invoiceRoute,
  "/api/v1/decline-codes/categories": categoriesRoute,
  "/api/v1/ingest/payment-event": ingestRoute,
});
beforeAll(async () => {
  // One workspace with a test-mode Stripe account and a live one (a connection is one mode, and
  // Stripe's events say which): a failure on each.
  m = await merchantWithOpenInvoice(env.stripe, { amount: 1100 });
  const liveAccount = `acct_live_${Date.now().toString(36)}`;
  await db().connectedStripeAccount.create({ data: { workspaceId: m.workspace.id, stripeAccountId: liveAccount, livemode: true, scopes: ["read_write"], accessTokenEncrypted: encrypt("sk_live_connected") } });
  env.stripe.putPaymentMethod(liveAccount, { id: "pm_live_mode", card: { brand: "visa", fingerprint: "fp_live_mode", last4: "4444" } as Stripe.PaymentMethod.Card });
  env.stripe.putCustomer(liveAccount, { id: "cus_live_mode", email: "live@example.com", name: "Live Larry", invoice_settings: { default_payment_method: "pm_live_mode" } as Stripe.Customer.InvoiceSettings });
  env.stripe.putInvoice(liveAccount, { id: LIVE_INVOICE, customer: "cus_live_mode", customer_email: "live@example.com", amount_due: 2200, amount_remaining: 2200, currency: "usd", status: "open", collection_method: "charge_automatically" });
  const fail = (account: string, invoiceId: string, livemode: boolean) =>
    deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(account, invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account, livemode }));
  expect((await fail(m.account, m.invoiceId, false)).status).toBe(200);
  expect((await fail(liveAccount, LIVE_INVOICE, true)).status).toBe(200);
  await runDueJobs();
  const rows = await db().recovery.findMany({ where: { workspaceId: m.workspace.id }, include: { customer: true } });
  const live = rows.find((r) => r.externalId === LIVE_INVOICE)!;
  const test = rows.find((r) => r.externalId === m.invoiceId)!;
  expect([live.livemode, live.customer!.livemode, test.livemode, test.customer!.livemode]).toEqual([true, true, false, false]);
  ids = { live: live.id, test: test.id };
  keys = { live: (await createApiKey({ workspaceId: m.workspace.id, scopes: ["admin"], livemode: true })).key, test: (await createApiKey({ workspaceId: m.workspace.id, scopes: ["admin"], livemode: false })).key };
});

describe("API key modes", () => {
  it("lists show only the key's mode: payments, recoveries, customers, decline categories", async () => {
    for (const mode of ["live", "test"] as const) {
      const token = keys[mode];
      const payments = await v1.call("GET", "/api/v1/payments", "/api/v1/payments", { token, expect: 200 });
      expect((payments.data as Array<{ id: string }>).map((p) => p.id), mode).toEqual([ids[mode]]);
      expect(payments.body.pagination, mode).toEqual({ page: 1, per_page: 25, total: 1, total_pages: 1 });
      expect(payments.body.meta?.merchant_id, mode).toBe(m.workspace.id);
      const recoveries = await v1.call("GET", "/api/v1/recoveries", "/api/v1/recoveries", { token, expect: 200 });
      expect((recoveries.data as Array<{ id: string }>).map((p) => p.id), mode).toEqual([ids[mode]]);
      expect(recoveries.body.pagination, mode).toEqual({ page: 1, per_page: 25, total: 1, total_pages: 1 });
      const customers = await v1.call("GET", "/api/v1/customers", "/api/v1/customers", { token, expect: 200 });
      expect(customers.body.pagination?.total, mode).toBe(1);
      expect((customers.data as Array<{ email: string }>).map((c) => c.email), mode).toEqual([mode === "live" ? "live@example.com" : `${m.customerId}@example.com`]);
      const categories = await v1.call("GET", "/api/v1/decline-codes/categories", "/api/v1/decline-codes/categories", { token, expect: 200 });
      // A list: `data` is its items (the four categories fit one page).
      expect(Array.isArray(categories.data), `data: ${JSON.stringify(categories.data).slice(0, 60)}…`).toBe(true);
      const totals = (categories.data as Array<{ recoveries_total: number }>).reduce((n, c) => n + c.recoveries_total, 0);
      expect(totals, mode).toBe(1);
    }
  });

  it("the other mode's payment is a 404 to read, retry or pause, by our id or the Stripe invoice id, and nothing is charged", async () => {
    const cases = [
      { token: keys.test, id: ids.live, ref: LIVE_INVOICE },
      { token: keys.live, id: ids.test, ref: m.invoiceId },
    ];
    for (const { token, id, ref } of cases) {
      for (const target of [id, ref]) {
        const read = await v1.call("GET", "/api/v1/payments/{id}", `/api/v1/payments/${target}`, { token, params: { id: target }, expect: 404 });
        expect(read.error).toMatchObject({ code: "NOT_FOUND", type: "payment_not_found" });
        await v1.call("GET", "/api/v1/recoveries/{id}", `/api/v1/recoveries/${target}`, { token, params: { id: target }, expect: 404 });
        await v1.call("GET", "/api/v1/invoices/{id}", `/api/v1/invoices/${target}`, { token, params: { id: target }, expect: 404 });
        await v1.call("POST", "/api/v1/payments/{id}/retry", `/api/v1/payments/${target}/retry`, { token, params: { id: target }, expect: 404 });
        await v1.call("POST", "/api/v1/payments/{id}/pause", `/api/v1/payments/${target}/pause`, { token, params: { id: target }, expect: 404 });
      }
    }
    await runDueJobs();
    expect(env.stripe.requestsTo("POST", /\/pay$/)).toHaveLength(0);
    expect(await db().recovery.count({ where: { workspaceId: m.workspace.id, paused: true } })).toBe(0);

    // Its own mode's key reads and retries it.
    await v1.call("GET", "/api/v1/payments/{id}", `/api/v1/payments/${ids.live}`, { token: keys.live, params: { id: ids.live }, expect: 200 });
    await v1.call("POST", "/api/v1/payments/{id}/retry", `/api/v1/payments/${ids.test}/retry`, { token: keys.test, params: { id: ids.test }, expect: 202 });
  });

  it("the other mode's customer is a 404", async () => {
    await v1.call("GET", "/api/v1/customers/{id}", "/api/v1/customers/cus_live_mode", { token: keys.test, params: { id: "cus_live_mode" }, expect: 404 });
    await v1.call("GET", "/api/v1/customers/{id}", `/api/v1/customers/${m.customerId}`, { token: keys.live, params: { id: m.customerId }, expect: 404 });
    await v1.call("GET", "/api/v1/customers/{id}", "/api/v1/customers/cus_live_mode", { token: keys.live, params: { id: "cus_live_mode" }, expect: 200 });
  });

  it("ingested events take the key's mode; a test key cannot report on a live payment", async () => {
    const body = { event_type: "payment_failed", provider: "adyen", external_id: "psp_mode_1", amount_cents: 500, currency: "eur", customer_email: "both@example.com" };
    await v1.call("POST", "/api/v1/ingest/payment-event", "/api/v1/ingest/payment-event", { token: keys.live, body, expect: 202 });
    await runDueJobs();
    const refused = await v1.call("POST", "/api/v1/ingest/payment-event", "/api/v1/ingest/payment-event", { token: keys.test, body: { ...body, event_type: "payment_succeeded" }, expect: 409 });
    expect(refused.error.message).toMatch(/live payment/);
    // The same customer email in test mode is a different customer.
    await v1.call("POST", "/api/v1/ingest/payment-event", "/api/v1/ingest/payment-event", { token: keys.test, body: { ...body, external_id: "psp_mode_t" }, expect: 202 });
    await runDueJobs();
    const rows = await db().recovery.findMany({ where: { workspaceId: m.workspace.id, provider: "adyen" }, include: { customer: true }, orderBy: { externalId: "asc" } });
    expect(rows.map((r) => [r.externalId, r.livemode, r.customer?.livemode])).toEqual([
      ["psp_mode_1", true, true],
      ["psp_mode_t", false, false],
    ]);
    expect(rows[0]!.customerId).not.toBe(rows[1]!.customerId);
  });
});
