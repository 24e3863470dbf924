import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { now as nowOfClock, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { jsonOf } from "../helpers/http";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";
import { useStripeAndMail } from "../helpers/mail-and-stripe";

const HOUR = 3_600_000;
const env = useStripeAndMail();

/** The end state a merchant sees, stripped of ids and timestamps that differ between runs. */
async function endState(workspaceId: string) {
  const recoveries = await db().recovery.findMany({ where: { workspaceId }, include: { outcomes: true } });
  return {
    recoveries: recoveries.map((r) => ({ status: r.status, recovered: r.recoveredAmountMinor, outcome: r.outcomes.map((o) => o.outcome) })),
    messages: await db().dunningMessage.count({ where: { workspaceId, status: { in: ["sent", "opened", "clicked", "converted"] } } }),
  };
}

async function story(order: "in-order" | "redelivered-and-reordered") {
  testClock.set(new Date("2026-11-09T10:00:00Z"));
  const m = await merchantWithOpenInvoice(env.stripe, { amount: 3100 });
  const failed = env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds" });
  const failure = eventOf("invoice.payment_failed", failed, { account: m.account });
  await advanceTime(2 * HOUR);
  // The customer pays through Stripe's hosted page; Stripe marks the invoice paid.
  const invoice = env.stripe.getInvoice(m.account, m.invoiceId)!;
  Object.assign(invoice, { status: "paid", amount_paid: 3100, amount_remaining: 0 });
  invoice.status_transitions.paid_at = Math.floor(Date.parse("2026-11-09T12:00:00Z") / 1000);
  const paid = eventOf("invoice.paid", JSON.parse(JSON.stringify(invoice)) as Stripe.Invoice, { account: m.account });

  const stream = order === "in-order" ? [failure, paid] : [paid, failure, paid, failure, failure];
  const answers = [];
  for (const event of stream) {
    answers.push(await jsonOf<{ duplicate: boolean }>(await deliver(event)));
    await runDueJobs();
  }
  await advanceTime(40 * 24 * HOUR);
  await runDueJobs();
  return { m, answers };
}

describe("redelivery and reordering", () => {
  it("a redelivered, reordered stream ends where the ordered one does, with no extra charge or email", async () => {
    const ordered = await story("in-order");
    const mailsAfterOrdered = env.smtp.messages.length;
    const chaotic = await story("redelivered-and-reordered");

    expect(chaotic.answers.map((a) => a.duplicate)).toEqual([false, false, true, true, true]);
    const a = await endState(ordered.m.workspace.id);
    const b = await endState(chaotic.m.workspace.id);
    expect(b).toEqual(a);
    expect(a.recoveries).toEqual([{ status: "recovered", recovered: 3100, outcome: ["recovered"] }]);
    // Neither stream charged anyone (the customer paid) and neither sent more mail than the other.
    expect(env.stripe.requestsTo("POST", /\/pay$/)).toHaveLength(0);
    expect(env.smtp.messages.length - mailsAfterOrdered).toBe(mailsAfterOrdered);
    const stored = await db().stripeEvent.count({ where: { stripeAccountId: chaotic.m.account } });
    expect(stored).toBe(2);
  });
});

async function fullStory(chaos: boolean) {
  testClock.set(new Date("2026-11-16T10:00:00Z"));
  const m = await merchantWithOpenInvoice(env.stripe, { amount: 5200 });
  const delivered: Stripe.Event[] = [];
  const send = async (event: Stripe.Event) => {
    delivered.push(event);
    await deliver(event);
    if (chaos) await deliver(event); // Stripe delivers at least once
    await runDueJobs();
  };
  await send(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
  const planned = await db().recovery.findFirstOrThrow({ where: { workspaceId: m.workspace.id } });
  // The first retry is on the morning of Friday 20 Nov; the sequence's first email, due on day 3
  // (Thu 19 Nov, 10:00), waits for that retry's answer.
  expect(planned.nextActionAt).toEqual(new Date("2026-11-20T07:00:00Z"));
  await advanceTime(72 * HOUR + 1000);
  await runDueJobs();
  // Our retry is declined; Stripe reports that attempt as a failure too.
  env.stripe.declineNextPay(m.invoiceId, { declineCode: "insufficient_funds" });
  await advanceTime(planned.nextActionAt!.getTime() - testClockNow() + 1000);
  await runDueJobs();
  await send(eventOf("invoice.payment_failed", JSON.parse(JSON.stringify(env.stripe.getInvoice(m.account, m.invoiceId))), { account: m.account }));
  // Two hours after the declined retry, in the customer's daytime, the first email goes out.
  await advanceTime(2 * HOUR);
  await runDueJobs();
  // The customer updates their card; our next retry succeeds; Stripe confirms.
  const customer = env.stripe.getCustomer(m.account, m.customerId)!;
  env.stripe.putPaymentMethod(m.account, { id: `pm_new_${m.customerId}`, card: { brand: "visa", fingerprint: `fp_new_${m.customerId}`, last4: "1111" } as Stripe.PaymentMethod.Card });
  customer.invoice_settings.default_payment_method = `pm_new_${m.customerId}`;
  await advanceTime(HOUR);
  await send(eventOf("customer.updated", JSON.parse(JSON.stringify(customer)), { account: m.account, previousAttributes: { invoice_settings: { default_payment_method: "pm_old" } } }));
  await advanceTime(2 * 60_000);
  await runDueJobs();
  await send(eventOf("invoice.paid", JSON.parse(JSON.stringify(env.stripe.getInvoice(m.account, m.invoiceId))), { account: m.account }));
  if (chaos) {
    // Late redeliveries of everything, newest first.
    for (const event of [...delivered].reverse()) {
      await deliver(event);
      await runDueJobs();
    }
  }
  await advanceTime(40 * 24 * HOUR);
  await runDueJobs();
  const email = `${m.customerId}@example.com`;
  return {
    state: await endState(m.workspace.id),
    charges: env.stripe.requestsTo("POST", `/v1/invoices/${m.invoiceId}/pay`).length,
    mails: env.smtp.messages.filter((mail) => (mail.to as { text: string }).text.includes(email)).length,
  };
}

function testClockNow() {
  return nowOfClock().getTime();
}

describe("a whole recovery, delivered twice and replayed backwards", () => {
  it("charges, mails and ends exactly as the clean run", async () => {
    const clean = await fullStory(false);
    const chaotic = await fullStory(true);
    expect(clean.state.recoveries).toEqual([{ status: "recovered", recovered: 5200, outcome: ["recovered"] }]);
    expect(clean.charges).toBe(2);
    expect(clean.mails).toBeGreaterThanOrEqual(1);
    expect(chaotic).toEqual(clean);
  });
});
