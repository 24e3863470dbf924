// A payment's page and its refunds, against the wire-level fake Stripe: a pay-link created on the
// dashboard, paid through Stripe's hosted checkout (the fake's), then refunded in part and in full
// from the page, with the provider's answers read back; members read, other workspaces get 404s.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionsOf } from "~/domain/collect/connections.server";
import { createPaymentRequest } from "~/domain/collect/payment-requests.server";
import { syncRefund } from "~/domain/collect/refunds.server";
import * as payPage from "~/routes/pay.$code";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../tests/fakes/stripe-server";
import { connectStripeAccount, makeTeammate, makeWorkspace } from "../../tests/factories";
import { runDueJobs } from "../../tests/helpers/jobs";
import { deliver, setUpStripe } from "../../tests/helpers/stripe";
import { thrown } from "../../tests/helpers/thrown";
import * as detail from "./dashboard.payments.$id";
import * as page from "./dashboard.payments.transactions.$id";

let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await setUpStripe();
});
afterAll(async () => {
  await stripe?.close();
});

const cookie = (token?: string): Record<string, string> => (token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {});
const open = (id: string, token: string) => page.loader({ request: new Request(`http://localhost/dashboard/payments/transactions/${id}`, { headers: cookie(token) }), params: { id }, context: {} });
const refund = (id: string, body: { amount: string; reason: string }, token: string) =>
  page.action({
    request: new Request(`http://localhost/dashboard/payments/transactions/${id}`, { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify({ intent: "refund", ...body }) }),
    params: { id },
    context: {},
  });
const failure = (result: unknown) => result as { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };

/** The customer's click on "Pay" at /pay/<code>: the hosted checkout it sends them to. */
async function click(code: string): Promise<string> {
  const request = new Request(`http://localhost/pay/${code}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: "" });
  const answer = (await payPage.action({ request, params: { code }, context: {} })) as unknown as Response;
  expect(answer.status).toBe(302);
  return answer.headers.get("location")!;
}

/** A merchant whose customer paid a £24.99 pay-link through Stripe: its transaction, paid as Stripe's webhook says. */
async function paidLink() {
  const m = await makeWorkspace();
  const account = `acct_refund${Math.random().toString(36).slice(2, 10)}`;
  await connectStripeAccount(m.workspace.id, account);
  const { connections } = await connectionsOf(m.workspace.id);
  const link = await createPaymentRequest({ workspaceId: m.workspace.id, livemode: false, createdVia: "dashboard", amountMinor: 2499, currency: "GBP", description: "Kitchen deposit" });
  const checkout = await click(link.shortCode);
  expect(checkout).toMatch(/\/fake-checkout\/cs_/);
  const completed: Array<Parameters<Parameters<FakeStripe["onCheckoutCompleted"]>[0]>[0]> = [];
  const stop = stripe.onCheckoutCompleted((c) => completed.push(c));
  stripe.completeCheckout(account, checkout.split("/").pop()!);
  stop();
  expect((await deliver(completed[0]!.event)).status).toBe(200);
  await runDueJobs();
  const transaction = await db().transaction.findFirstOrThrow({ where: { paymentRequestId: link.id } });
  expect(transaction.status).toBe("paid");
  return { ...m, account, connection: connections[0]!, link, transaction };
}

describe("/dashboard/payments/transactions/:id", () => {
  it("shows a paid payment with its card attempts, and refunds part of it, then the rest", async () => {
    const m = await paidLink();
    const id = m.transaction.publicId;
    // The link's page lists it, linking here by its public id.
    const linkPage = await detail.loader({ request: new Request(`http://localhost/dashboard/payments/${m.link.id}`, { headers: cookie(m.sessionToken) }), params: { id: m.link.id }, context: {} });
    expect(linkPage.link.status).toBe("succeeded");
    expect(linkPage.transactions).toEqual([{ publicId: id, provider: "Stripe", status: "paid", amount: "£24.99", refunded: null, createdAt: expect.any(String) }]);
    // (Stripe's payment time has whole seconds: here, within the second the link was made, so the order may tie.)
    expect(linkPage.history.map((h) => h.kind).sort()).toEqual(["checkout_opened", "created", "succeeded"]);
    expect(linkPage.history.find((h) => h.kind === "succeeded")).toMatchObject({ title: `Paid through ${m.connection.label}`, tone: "success" });

    const before = await open(id, m.sessionToken);
    expect(before.transaction).toMatchObject({
      publicId: id,
      amount: "£24.99",
      status: "paid",
      refunded: "£0.00",
      refundable: "£24.99",
      refundableText: "24.99",
      provider: "Stripe",
      connectionLabel: m.connection.label,
      paymentRequest: { id: m.link.id, description: "Kitchen deposit" },
    });
    expect(before.transaction.attempts).toEqual([expect.objectContaining({ status: "succeeded", paymentId: expect.stringMatching(/^pi_/) })]);
    expect(before).toMatchObject({ canRefund: true, readOnly: null, refunds: [] });

    // Part of it: 5.00 of the 24.99.
    const part = await refund(id, { amount: "5", reason: "Discount agreed on the phone" }, m.sessionToken);
    expect(part).toMatchObject({ ok: true, intent: "refund", toast: "£5.00 refund sent to the provider" });
    const [sent] = stripe.requestsTo("POST", "/v1/refunds").filter((r) => r.stripeAccount === m.account);
    expect(sent!.body).toMatchObject({ amount: "500", payment_intent: expect.stringMatching(/^pi_/) });
    const afterPart = await open(id, m.sessionToken);
    expect(afterPart.transaction).toMatchObject({ status: "refund_pending", refundable: "£19.99" });
    expect(afterPart.refunds).toEqual([{ publicId: expect.stringMatching(/^RF/), status: "processing", amount: "£5.00", reason: "Discount agreed on the phone", createdAt: expect.any(String) }]);

    // More than is left, no reason: beside each field, nothing sent.
    const tooMuch = failure(await refund(id, { amount: "20", reason: "" }, m.sessionToken));
    expect(tooMuch.init.status).toBe(400);
    expect(tooMuch.data.fieldErrors).toEqual({ amount: "At most £19.99 is left to refund.", reason: "Give a reason: it is kept with the refund." });
    expect(failure(await refund(id, { amount: "1.999", reason: "x" }, m.sessionToken)).data.fieldErrors).toEqual({ amount: "GBP amounts have at most 2 decimals." });

    // The rest: an empty amount refunds all that is left.
    const rest = await refund(id, { amount: "", reason: "Job cancelled" }, m.sessionToken);
    expect(rest).toMatchObject({ ok: true, toast: "£19.99 refund sent to the provider" });
    expect(stripe.requestsTo("POST", "/v1/refunds").filter((r) => r.stripeAccount === m.account).map((r) => r.body.amount)).toEqual(["500", "1999"]);

    // Stripe settles both: the payment is refunded in full, and nothing is left to refund.
    for (const r of await db().refund.findMany({ where: { transactionId: m.transaction.id } })) {
      stripe.settleRefund(m.account, r.providerRefundId!, "succeeded");
      await syncRefund({ connectionId: m.connection.id, providerRefundId: r.providerRefundId! });
    }
    const after = await open(id, m.sessionToken);
    expect(after.transaction).toMatchObject({ status: "refunded", refunded: "£24.99", refundable: "£0.00" });
    expect(after.canRefund).toBe(false);
    expect(after.refunds.map((r) => [r.amount, r.status, r.reason])).toEqual([
      ["£19.99", "completed", "Job cancelled"],
      ["£5.00", "completed", "Discount agreed on the phone"],
    ]);
    const again = failure(await refund(id, { amount: "", reason: "Once more" }, m.sessionToken));
    expect(again.init.status).toBe(400);
    expect(again.data.message).toBe("This payment has been refunded in full already.");
  });

  it("a payment not paid yet can't be refunded: the page says so, the action refuses inline", async () => {
    const m = await makeWorkspace();
    await connectStripeAccount(m.workspace.id, `acct_unpaid${Math.random().toString(36).slice(2, 10)}`);
    const link = await createPaymentRequest({ workspaceId: m.workspace.id, livemode: false, createdVia: "dashboard", amountMinor: 1200, currency: "GBP", description: "Not paid yet" });
    await click(link.shortCode);
    const transaction = await db().transaction.findFirstOrThrow({ where: { paymentRequestId: link.id } });
    const loaded = await open(transaction.publicId, m.sessionToken);
    expect(loaded).toMatchObject({ canRefund: false, transaction: { status: "processing", attempts: [] } });
    const refused = failure(await refund(transaction.publicId, { amount: "", reason: "Test" }, m.sessionToken));
    expect(refused.init.status).toBe(400);
    expect(refused.data.message).toBe("Only a paid payment can be refunded: this one is processing.");
  });

  it("another workspace's payment is a 404; a member reads it and is refused refunding (403)", async () => {
    const m = await paidLink();
    const other = await makeWorkspace();
    expect(await thrown(open(m.transaction.publicId, other.sessionToken))).toMatchObject({ data: "No payment with that id in this workspace.", init: { status: 404 } });
    expect(await thrown(open("TXnot-an-id", m.sessionToken))).toMatchObject({ init: { status: 404 } });
    expect(failure(await refund(m.transaction.publicId, { amount: "", reason: "Not mine" }, other.sessionToken)).init.status).toBe(404);

    const member = await makeTeammate(m.workspace.id, "member");
    expect((await open(m.transaction.publicId, member.sessionToken)).readOnly).toMatch(/^Only admins can create, cancel or refund payments/);
    const refused = failure(await refund(m.transaction.publicId, { amount: "", reason: "By a member" }, member.sessionToken));
    expect(refused.init.status).toBe(403);
    expect(await db().refund.count({ where: { transactionId: m.transaction.id } })).toBe(0);
  });
});
