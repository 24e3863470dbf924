import type Stripe from "stripe";
import type { FakeStripe } from "../fakes/stripe-server";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { connectStripeAccount, makeWorkspace } from "../factories";

/** A workspace with a connected account, and on the fake Stripe a customer with a card and an open invoice. */
export async function merchantWithOpenInvoice(
  stripe: FakeStripe,
  opts: { account?: string; invoiceId?: string; customerId?: string; amount?: number; brand?: string; fingerprint?: string; email?: string | null; subscription?: string | null } = {},
) {
  const account = opts.account ?? `acct_${Math.random().toString(36).slice(2, 10)}`;
  const invoiceId = opts.invoiceId ?? `in_${Math.random().toString(36).slice(2, 10)}`;
  const customerId = opts.customerId ?? `cus_${Math.random().toString(36).slice(2, 10)}`;
  const ws = await makeWorkspace();
  await connectStripeAccount(ws.workspace.id, account);
  const pmId = `pm_${Math.random().toString(36).slice(2, 10)}`;
  stripe.putPaymentMethod(account, { id: pmId, card: { brand: opts.brand ?? "visa", fingerprint: opts.fingerprint ?? `fp_${customerId}`, last4: "4242" } as Stripe.PaymentMethod.Card });
  const email = opts.email === undefined ? `${customerId}@example.com` : opts.email;
  stripe.putCustomer(account, { id: customerId, email, name: "Grace Hopper", invoice_settings: { default_payment_method: pmId } as Stripe.Customer.InvoiceSettings });
  stripe.putInvoice(account, {
    id: invoiceId,
    customer: customerId,
    customer_email: email,
    customer_name: "Grace Hopper",
    amount_due: opts.amount ?? 2500,
    amount_remaining: opts.amount ?? 2500,
    currency: "usd",
    status: "open",
    collection_method: "charge_automatically",
    ...(opts.subscription
      ? { parent: { type: "subscription_details", quote_details: null, subscription_details: { subscription: opts.subscription, metadata: {} } } as unknown as Stripe.Invoice.Parent }
      : {}),
  });
  // The fake Stripe is a test-mode account (its events say livemode: false): its data is read with a test key (ADR 0032).
  const testKey = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["admin"], name: "test mode", livemode: false });
  return { ...ws, apiKey: testKey.key, account, invoiceId, customerId };
}
