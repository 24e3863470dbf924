// A pay-link's life on the two processors' wire-level fakes (ADR 0075): a Dojo account verified by
// its £0.01 setup link, Stripe primary and Dojo secondary; Stripe goes down, the click falls back to
// Dojo, and the payment there settles the link exactly once, whatever the webhooks repeat.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDojoConnection, connectionsOf, setRouting } from "~/domain/collect/connections.server";
import * as paymentRequests from "~/routes/api.v1.payment-requests";
import * as paymentRequest from "~/routes/api.v1.payment-requests.$id";
import * as payPage from "~/routes/pay.$code";
import * as processorWebhook from "~/routes/webhooks.$provider.$connectionId";
import * as emailPayLink from "~/routes/recover.$token_.pay";
import { createRecoveryToken, payLinkOfRecoveryUrl } from "~/domain/recovery/links.server";
import { renderEmail, type PlaceholderValues } from "~/domain/dunning/templates";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { startFakeDojo, type FakeDojo } from "../fakes/dojo-server";
import type { FakeStripe } from "../fakes/stripe-server";
import { connectStripeAccount, makeWorkspace } from "../factories";
import { callRoute, jsonOf } from "../helpers/http";
import { runDueJobs } from "../helpers/jobs";
import { serveRoute } from "../helpers/route-server";
import { deliver, setUpStripe } from "../helpers/stripe";

type Json = Record<string, unknown>;
const sampleValues: PlaceholderValues = { customer_name: "Ada", amount: "£19.99", currency: "GBP", decline_reason: "", retry_date: "", update_payment_url: "https://x.test/u", merchant_name: "Clinic", pay_link_url: "" };
const DOJO_KEY = "sk_sandbox_recoup_e2e";
const DOJO_WEBHOOK_SECRET = "dojo-webhook-secret-e2e";

let stripe: FakeStripe;
let dojo: FakeDojo;
let receiver: { url: string; close(): Promise<void> };
let key: string;
let workspaceId: string;
let stripeConnectionId: string;
let dojoConnectionId: string;

/** The customer's click on "Pay" at /pay/<code>: where it sends them (a redirect), or the page's answer. */
async function click(code: string): Promise<{ location: string | null; body: Json | null }> {
  const request = new Request(`http://localhost:3000/pay/${code}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
  const answer = (await payPage.action({ request, params: { code }, context: {} } as never)) as unknown;
  if (answer instanceof Response) return { location: answer.status === 302 ? answer.headers.get("location") : null, body: null };
  return { location: null, body: answer as Json };
}

async function getLink(id: string) {
  return jsonOf<Json>(await callRoute(paymentRequest, `/api/v1/payment-requests/${id}`, { token: key, params: { id } }));
}

beforeAll(async () => {
  stripe = await setUpStripe();
  dojo = await startFakeDojo();
  process.env.DOJO_API_BASE = dojo.url;
  process.env.DOJO_CHECKOUT_BASE = `${dojo.url}/checkout`;
  process.env.APP_URL = "https://pay.recoup.test";
  resetEnv();
  receiver = await serveRoute(processorWebhook, (pathname) => {
    const [, , provider, connectionId] = pathname.split("/");
    return { provider: provider!, connectionId: connectionId! };
  });
  const w = await makeWorkspace({ name: "Harley Street Clinic" });
  key = w.apiKey;
  workspaceId = w.workspace.id;
  await connectStripeAccount(workspaceId, "acct_e2e_primary");
});

afterAll(async () => {
  await receiver?.close();
  await dojo?.close();
  await stripe?.close();
});

describe("a pay-link across Stripe and Dojo", () => {
  it("verifies a Dojo account with its £0.01 setup link before it can route", async () => {
    const connection = await addDojoConnection({ workspaceId, apiKey: DOJO_KEY, webhookSecret: DOJO_WEBHOOK_SECRET });
    dojoConnectionId = connection.id;
    expect(connection.status).toBe("setup_incomplete");
    dojo.setWebhook({ url: `${receiver.url}/webhooks/dojo/${connection.id}`, secret: DOJO_WEBHOOK_SECRET });
    stripeConnectionId = (await connectionsOf(workspaceId)).connections.find((c) => c.provider === "stripe")!.id;
    await expect(setRouting({ workspaceId, primaryConnectionId: stripeConnectionId, secondaryConnectionId: dojoConnectionId })).rejects.toThrow(/setup incomplete/);

    const setup = await jsonOf<Json>(
      await callRoute(paymentRequests, "/api/v1/payment-requests", {
        method: "POST",
        token: key,
        body: { amount_minor: 1, description: "Setup test", provider_override_id: connection.id, is_setup_test: true },
      }),
    );
    const { location } = await click(String(setup.short_code));
    expect(location).toMatch(new RegExp(`^${dojo.url}/checkout/`));
    await dojo.pay(location!.split("/").pop()!);
    await runDueJobs();

    expect((await db().providerConnection.findUniqueOrThrow({ where: { id: connection.id } })).status).toBe("connected");
    expect((await getLink(String(setup.id))).status).toBe("succeeded");
    await setRouting({ workspaceId, primaryConnectionId: stripeConnectionId, secondaryConnectionId: dojoConnectionId });
  });

  it("falls back to Dojo when Stripe is down, and the payment there settles the link once", async () => {
    const created = await jsonOf<Json>(
      await callRoute(paymentRequests, "/api/v1/payment-requests", { method: "POST", token: key, body: { amount_minor: 2499, description: "Consultation", customer_email: "ada@example.com" } }),
    );
    const id = String(created.id);
    const code = String(created.short_code);
    expect(created.resolved_provider_connection_id).toBe(stripeConnectionId);

    stripe.outage(true);
    const first = await click(code);
    expect(first.location).toMatch(new RegExp(`^${dojo.url}/checkout/`));
    const afterFallback = await getLink(id);
    expect(afterFallback.fallback_triggered_at).toEqual(expect.any(String));
    expect(afterFallback.resolved_provider_connection_id).toBe(dojoConnectionId);
    const stripeConnection = await db().providerConnection.findUniqueOrThrow({ where: { id: stripeConnectionId } });
    expect(stripeConnection.lastFailure).toMatch(/^outage: /);

    // The next click lands on the same Dojo checkout: no second payment intent.
    const second = await click(code);
    expect(second.location).toBe(first.location);
    expect(dojo.requestsTo("POST", "/payment-intents")).toHaveLength(2); // the setup link's, and this one

    const intentId = first.location!.split("/").pop()!;
    await dojo.pay(intentId);
    await runDueJobs();
    // Dojo redelivers the same event, and sends an older one late: nothing happens twice.
    const delivery = dojo.webhookDeliveries.find((d) => d.event.data.paymentIntentId === intentId)!;
    for (const again of [delivery.rawBody, delivery.rawBody.replace(/"paymentStatus":"Captured"/, '"paymentStatus":"Authorized"').replace(delivery.event.id, `${delivery.event.id}_old`)]) {
      const res = await fetch(delivery.url, { method: "POST", headers: { "content-type": "application/json", "dojo-signature": signatureOf(again) }, body: again });
      expect(res.status).toBe(200);
    }
    await runDueJobs();

    const paid = await getLink(id);
    expect(paid.status).toBe("succeeded");
    const transactions = await db().transaction.findMany({ where: { paymentRequestId: id } });
    expect(transactions.filter((t) => t.status === "paid").map((t) => [t.provider, t.amountMinor])).toEqual([["dojo", 2499]]);
    const events = await db().paymentRequestEvent.findMany({ where: { paymentRequestId: id }, orderBy: { at: "asc" } });
    expect(events.filter((e) => e.kind === "succeeded")).toHaveLength(1);
    expect(events.map((e) => e.kind)).toEqual(expect.arrayContaining(["created", "checkout_failed", "fallback_triggered", "checkout_opened", "succeeded"]));

    // The customer coming back, or clicking again, is told it is paid; nothing is opened.
    const after = await click(code);
    expect(after.location).toBeNull();
    stripe.outage(false);
  });

  it("refuses a webhook whose signature is not the connection's, storing nothing", async () => {
    const body = JSON.stringify({ id: "evt_forged", event: "payment_intent.status_updated", accountId: "acc", createdAt: new Date().toISOString(), data: { paymentIntentId: "pi_x", paymentStatus: "Captured" } });
    const res = await fetch(`${receiver.url}/webhooks/dojo/${dojoConnectionId}`, { method: "POST", headers: { "content-type": "application/json", "dojo-signature": "sha256=00-11" }, body });
    expect(res.status).toBe(401);
    expect(await db().providerEvent.count({ where: { eventId: "evt_forged" } })).toBe(0);
  });

  it("gives the dunning email's {{pay_link_url}} one pay-link per recovery, made on first click", async () => {
    const recovery = await db().recovery.create({
      data: { workspaceId, provider: "stripe", externalAccountId: "acct_e2e_primary", externalId: "in_e2e_email_link", externalCustomerId: "cus_e2e", declineType: "soft", declineCategory: "soft_retry", amountDueMinor: 1999, currency: "gbp", startedAt: new Date(), lastFailureAt: new Date() },
    });
    const token = createRecoveryToken(recovery.id);
    const values = renderEmail({ subject: "Pay", body: "Pay now: {{pay_link_url}}", values: { ...sampleValues, pay_link_url: payLinkOfRecoveryUrl(token) }, branding: { merchantName: "Clinic" } });
    expect(values.text).toContain(`/recover/${token}/pay`);
    const open = async () => ((await emailPayLink.loader({ request: new Request(`http://localhost/recover/${token}/pay`), params: { token }, context: {} })) as Response).headers.get("location");
    const first = await open();
    expect(first).toMatch(/^\/pay\/[0-9A-Za-z]{12}$/);
    expect(await open()).toBe(first);
    const links = await db().paymentRequest.findMany({ where: { recoveryId: recovery.id } });
    expect(links.map((l) => [l.amountMinor, l.currency, l.customerReference])).toEqual([[1999, "GBP", "in_e2e_email_link"]]);
    await db().recovery.update({ where: { id: recovery.id }, data: { status: "recovered" } });
    expect(await open()).toBe(`/recover/${token}`);
  });

  it("pays through Stripe while it is up, settling the recovery the link collects", async () => {
    const recovery = await db().recovery.create({
      data: {
        workspaceId,
        provider: "stripe",
        externalAccountId: "acct_e2e_primary",
        externalId: "in_e2e_paylink",
        externalCustomerId: "cus_e2e",
        declineType: "hard",
        declineCategory: "card_expired",
        amountDueMinor: 4900,
        currency: "gbp",
        startedAt: new Date(),
        lastFailureAt: new Date(),
      },
    });
    stripe.putInvoice("acct_e2e_primary", { id: "in_e2e_paylink", status: "open", amount_due: 4900, amount_remaining: 4900, currency: "gbp", customer: "cus_e2e" });
    const created = await jsonOf<Json>(
      await callRoute(paymentRequests, "/api/v1/payment-requests", { method: "POST", token: key, body: { amount_minor: 4900, description: "March membership", recovery_id: recovery.id } }),
    );
    const { location } = await click(String(created.short_code));
    expect(location).toMatch(/\/fake-checkout\/cs_/);
    const sessionId = location!.split("/").pop()!;
    const completed: Array<Parameters<Parameters<FakeStripe["onCheckoutCompleted"]>[0]>[0]> = [];
    const stop = stripe.onCheckoutCompleted((c) => completed.push(c));
    stripe.completeCheckout("acct_e2e_primary", sessionId);
    stop();
    expect((await deliver(completed[0]!.event)).status).toBe(200);
    expect((await deliver(completed[0]!.event)).status).toBe(200);
    await runDueJobs();

    expect((await getLink(String(created.id))).status).toBe("succeeded");
    const closed = await db().recovery.findUniqueOrThrow({ where: { id: recovery.id }, include: { outcomes: true } });
    expect(closed).toMatchObject({ status: "recovered", recoveredAmountMinor: 4900 });
    expect(closed.outcomes.map((o) => o.reasonCode)).toEqual(["paid_by_pay_link"]);
    // Stripe stops collecting the invoice the customer has paid another way: no second charge.
    expect(stripe.getInvoice("acct_e2e_primary", "in_e2e_paylink")).toMatchObject({ status: "paid", paid_out_of_band: true });
    expect(stripe.requestsTo("POST", "/v1/invoices/in_e2e_paylink/pay").map((r) => r.idempotencyKey)).toEqual([`recoup-paid-elsewhere-${recovery.id}`]);
  });
});

function signatureOf(body: string): string {
  // The fake signs as Dojo does; the same function signs a replayed body here.
  return signDojo(body, DOJO_WEBHOOK_SECRET);
}

import { signDojoWebhook as signDojo } from "~/providers/dojo/webhooks";
