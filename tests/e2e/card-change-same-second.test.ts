// A card change in the same second as the decline (Stripe's `event.created` counts whole seconds):
// the event's own evidence (the new default is not the method that failed) makes it a new card.
import type Stripe from "stripe";
import { describe, expect, it } from "vitest";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

const env = useStripeAndMail();

/** An expired card: nothing is retried until a new card arrives. Both events in the same second. */
async function declinedThenChanged(newDefault: (failedPm: string) => string) {
  const m = await merchantWithOpenInvoice(env.stripe, { amount: 1900 });
  const failedPm = env.stripe.getCustomer(m.account, m.customerId)!.invoice_settings.default_payment_method as string;
  const second = Math.floor(now().getTime() / 1000);
  const invoice = env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "expired_card", nextPaymentAttempt: null });
  expect((await deliver(eventOf("invoice.payment_failed", invoice, { account: m.account, created: second }))).status).toBe(200);
  await runDueJobs();
  const declined = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  expect(declined).toMatchObject({ failedPaymentMethodId: failedPm });
  expect(declined.nextActionKind).not.toBe("retry");

  const pm = newDefault(failedPm);
  if (pm !== failedPm) env.stripe.putPaymentMethod(m.account, { id: pm, card: { brand: "visa", fingerprint: "fp_fresh", last4: "0005" } as Stripe.PaymentMethod.Card });
  const customer = env.stripe.getCustomer(m.account, m.customerId)!;
  customer.invoice_settings.default_payment_method = pm;
  const previous = pm === failedPm ? "pm_before" : failedPm;
  const changed = eventOf("customer.updated", customer, { account: m.account, created: second, previousAttributes: { invoice_settings: { default_payment_method: previous } } });
  expect((await deliver(changed)).status).toBe(200);
  await runDueJobs();
  return { m, recovery: await db().recovery.findUniqueOrThrow({ where: { id: declined.id } }) };
}

describe("customer.updated in the same second as the decline", () => {
  it("a new default payment method other than the one that failed is retried within a minute, and the charge goes through", async () => {
    const { m, recovery } = await declinedThenChanged(() => "pm_fresh_same_second");
    expect(recovery.nextActionKind).toBe("retry");
    expect(recovery.nextActionAt!.getTime() - now().getTime()).toBeLessThanOrEqual(60_000);
    expect(recovery.paymentMethodUpdatedAt!.getTime()).toBeGreaterThan(recovery.lastFailureAt.getTime());
    await advanceTime(60_000);
    await runDueJobs();
    expect(await db().recovery.findUniqueOrThrow({ where: { id: recovery.id } })).toMatchObject({ status: "recovered", recoveredAmountMinor: 1900 });
    expect(env.stripe.requestsTo("POST", `/v1/invoices/${m.invoiceId}/pay`)).toHaveLength(1);
  });

  it("a change TO the method that then failed (made before the decline) is not a new card: nothing is charged", async () => {
    const { m, recovery } = await declinedThenChanged((failedPm) => failedPm);
    expect(recovery.nextActionKind).not.toBe("retry");
    expect(recovery.paymentMethodUpdatedAt).toBeNull();
    await advanceTime(60_000);
    await runDueJobs();
    expect(env.stripe.requestsTo("POST", `/v1/invoices/${m.invoiceId}/pay`)).toHaveLength(0);
  });
});
