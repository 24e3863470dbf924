import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import * as summaryRoute from "~/routes/api.dashboard.summary";
import * as connectCallback from "~/routes/api.stripe.connect.callback";
import * as connectStart from "~/routes/api.stripe.connect.start";
import * as updateSession from "~/routes/api.customer.update-payment-session";
import * as recoverPage from "~/routes/recover.$token";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { callRoute, jsonOf } from "../helpers/http";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { deliver, eventOf } from "../helpers/stripe";
import { useStripeAndMail } from "../helpers/mail-and-stripe";

const HOUR = 3_600_000;
const ACCOUNT = "acct_story_merchant";

const env = useStripeAndMail({ stripeUserId: ACCOUNT });

async function recoveryOf(invoiceId: string) {
  return db().recovery.findFirstOrThrow({ where: { externalId: invoiceId }, include: { retries: true, messages: true } });
}

describe("a failed subscription payment, won back", () => {
  it("connect → failure → declined retry → email → customer updates card → retry succeeds → dashboard shows it", async () => {
    testClock.set(new Date("2026-11-02T07:00:00Z"));
    const { workspace, sessionToken } = await makeWorkspace({ name: "Story Coffee" });

    // 1. The merchant connects Stripe.
    const start = await callRoute(connectStart, "/api/stripe/connect/start", { body: { workspaceId: workspace.id }, token: sessionToken });
    expect(start.status).toBe(200);
    const { redirectUrl, state } = await jsonOf<{ redirectUrl: string; state: string }>(start);
    expect(new URL(redirectUrl).searchParams.get("state")).toBe(state);
    expect(new URL(redirectUrl).searchParams.get("client_id")).toBe("ca_test_client");
    const callback = await callRoute(connectCallback, `/api/stripe/connect/callback?code=ac_story&state=${state}`);
    expect(callback.status).toBe(200);
    const connected = await jsonOf<{ connectedAccount: { stripeAccountId: string; workspaceId: string } }>(callback);
    expect(connected.connectedAccount).toMatchObject({ stripeAccountId: ACCOUNT, workspaceId: workspace.id });
    const stored = await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: ACCOUNT } });
    expect(stored.accessTokenEncrypted).not.toMatch(/^sk_/);

    // 2. Stripe's own attempt at a subscription invoice fails.
    env.stripe.putPaymentMethod(ACCOUNT, { id: "pm_old", card: { brand: "visa", fingerprint: "fp_old", last4: "4242" } as Stripe.PaymentMethod.Card });
    env.stripe.putCustomer(ACCOUNT, { id: "cus_story", email: "ada@example.com", name: "Ada Lovelace", invoice_settings: { default_payment_method: "pm_old" } as Stripe.Customer.InvoiceSettings });
    env.stripe.putInvoice(ACCOUNT, {
      id: "in_story",
      customer: "cus_story",
      customer_email: "ada@example.com",
      customer_name: "Ada Lovelace",
      amount_due: 4900,
      amount_remaining: 4900,
      currency: "usd",
      status: "open",
      collection_method: "charge_automatically",
    });
    const failed = env.stripe.failInvoice(ACCOUNT, "in_story", { declineCode: "insufficient_funds", nextPaymentAttempt: null });
    const res = await deliver(eventOf("invoice.payment_failed", failed, { account: ACCOUNT }));
    expect(await jsonOf(res)).toMatchObject({ received: true, duplicate: false });
    await runDueJobs();

    let recovery = await recoveryOf("in_story");
    expect(recovery).toMatchObject({ status: "pending", declineCode: "insufficient_funds", declineType: "soft", amountDueMinor: 4900, cardFingerprint: "fp_old" });
    expect(recovery.nextActionKind).toBe("retry");
    // Recoup's first retry waits at least 20 hours after the decline, for a morning (07:00–10:00 in the
    // customer's zone; here the workspace's, UTC) when fresh pay is likely: Friday 6 Nov, 07:00.
    const failedAt = Date.parse("2026-11-02T07:00:00Z");
    const firstRetryAt = recovery.nextActionAt!;
    expect(firstRetryAt.getTime()).toBeGreaterThanOrEqual(failedAt + 20 * HOUR);
    expect(firstRetryAt.toISOString()).toBe("2026-11-06T07:00:00.000Z");

    // 3. A soft decline is left to its retries for the first days: on day 3 the first email is due,
    //    but it waits for the retry due within a day, whose answer may make it needless.
    await advanceTime(72 * HOUR + 60_000);
    await runDueJobs();
    expect(env.smtp.messages.filter((m) => (m.to as { text: string }).text.includes("ada@example.com"))).toHaveLength(0);

    // 4. Our retry at the planned time is declined again.
    env.stripe.declineNextPay("in_story", { declineCode: "insufficient_funds" });
    await advanceTime(firstRetryAt.getTime() - now().getTime() + 60_000);
    await runDueJobs();
    recovery = await recoveryOf("in_story");
    const ours = recovery.retries.filter((r) => r.source === "recoup");
    expect(ours).toHaveLength(1);
    expect(ours[0]).toMatchObject({ status: "failed", declineCode: "insufficient_funds" });
    const pays = env.stripe.requestsTo("POST", "/v1/invoices/in_story/pay");
    expect(pays).toHaveLength(1);
    expect(pays[0]).toMatchObject({ stripeAccount: ACCOUNT, idempotencyKey: `recoup-retry-${recovery.id}-1` });
    expect(recovery.nextActionKind).toBe("retry");
    expect(env.smtp.messages.filter((m) => (m.to as { text: string }).text.includes("ada@example.com"))).toHaveLength(0);

    // 5. The first dunning email arrives over SMTP two hours after the declined retry (09:00, the
    //    customer's daytime), with a working link.
    await advanceTime(2 * HOUR - 60_000);
    await runDueJobs();
    const mail = await env.smtp.waitFor((m) => (m.to as { text: string }).text.includes("ada@example.com"));
    expect(mail.subject).toContain("Story Coffee");
    const first = (await recoveryOf("in_story")).messages;
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({ kind: "sequence", scheduledFor: new Date("2026-11-06T09:00:00Z") });
    const link = /http:\/\/recoup\.test\/recover\/([\w.-]+)\?m=([\w-]+)/.exec(mail.text ?? "");
    expect(link).not.toBeNull();
    const [, token, trackingId] = link as unknown as [string, string, string];

    // 6. The customer follows the link: the page says who, how much and why, and the click is recorded.
    const page = await recoverPage.loader({ request: new Request(`http://recoup.test/recover/${token}?m=${trackingId}`), params: { token }, context: {} });
    expect(page).toMatchObject({ merchant: "Story Coffee", amount: "$49.00", state: "open", reason: expect.stringMatching(/balance was too low/) });
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { trackingId } })).toMatchObject({ status: "clicked" });
    const pressed = await recoverPage.action({ request: new Request(`http://recoup.test/recover/${token}`, { method: "POST" }), params: { token }, context: {} });
    expect((pressed as Response).status).toBe(302);
    expect((pressed as Response).headers.get("location")).toContain("/fake-portal/");
    // The same session through DunningDog's API.
    const session = await callRoute(updateSession, "/api/customer/update-payment-session", { body: { recoveryToken: token } });
    expect(session.status).toBe(200);
    const { sessionUrl, expiresAt } = await jsonOf<{ sessionUrl: string; expiresAt: string }>(session);
    expect(sessionUrl).toContain("/fake-portal/");
    expect(Date.parse(expiresAt)).toBeGreaterThan(Date.now());
    const portal = env.stripe.requestsTo("POST", "/v1/billing_portal/sessions").at(-1)!;
    expect(portal.stripeAccount).toBe(ACCOUNT);
    expect(portal.body).toMatchObject({ customer: "cus_story", flow_data: { type: "payment_method_update" } });

    // 7. They put a new card on file; Stripe tells us; we retry within a minute and it goes through.
    env.stripe.putPaymentMethod(ACCOUNT, { id: "pm_new", card: { brand: "visa", fingerprint: "fp_new", last4: "0005" } as Stripe.PaymentMethod.Card });
    const customer = env.stripe.getCustomer(ACCOUNT, "cus_story")!;
    customer.invoice_settings.default_payment_method = "pm_new";
    await advanceTime(5 * 60_000);
    await deliver(eventOf("customer.updated", customer, { account: ACCOUNT, previousAttributes: { invoice_settings: { default_payment_method: "pm_old" } } }));
    await runDueJobs();
    recovery = await recoveryOf("in_story");
    expect(recovery.nextActionKind).toBe("retry");
    expect(recovery.nextActionAt!.getTime() - now().getTime()).toBeLessThanOrEqual(60_000);
    await advanceTime(60_000);
    await runDueJobs();
    recovery = await recoveryOf("in_story");
    expect(recovery.status).toBe("recovered");
    expect(recovery.recoveredAmountMinor).toBe(4900);
    expect(env.stripe.requestsTo("POST", "/v1/invoices/in_story/pay")).toHaveLength(2);

    // 8. Stripe confirms with invoice.paid: nothing changes, nothing more is sent.
    const mailsBefore = env.smtp.messages.length;
    await deliver(eventOf("invoice.paid", env.stripe.getInvoice(ACCOUNT, "in_story"), { account: ACCOUNT }));
    await advanceTime(30 * 24 * HOUR);
    await runDueJobs();
    expect((await recoveryOf("in_story")).status).toBe("recovered");
    expect(env.smtp.messages.length).toBe(mailsBefore);
    expect(env.stripe.requestsTo("POST", "/v1/invoices/in_story/pay")).toHaveLength(2);

    // The email that brought the customer back is credited with the recovery.
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { trackingId } })).toMatchObject({ status: "converted" });

    // 9. The dashboard shows the money won back.
    const summary = await callRoute(summaryRoute, `/api/dashboard/summary?workspaceId=${workspace.id}&window=lifetime`, { token: sessionToken });
    expect(summary.status).toBe(200);
    expect(await jsonOf(summary)).toMatchObject({ workspaceId: workspace.id, recoveredRevenueCents: 4900, failedRevenueCents: 4900, recoveryRate: 1 });
  });
});
