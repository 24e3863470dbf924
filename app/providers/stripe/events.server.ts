import type Stripe from "stripe";
import {
  markInvoiceAbandoned,
  markRecovered,
  markSubscriptionEnded,
  onPaymentMethodUpdated,
  recordInvoiceFailure,
  requestAuthentication,
} from "~/domain/recovery/engine.server";
import { flagSubscriptionAtRisk, recordCustomerPayment } from "~/domain/recovery/commands.server";
import { forgetCardExpiry, recordCardExpiry } from "~/domain/campaigns/pre-dunning.server";
import { stripeConnectionId } from "~/domain/collect/connections.server";
import { syncTransaction } from "~/domain/collect/transactions.server";
import { syncRefund } from "~/domain/collect/refunds.server";
import { disconnectStripeAccount } from "~/providers/stripe/connect.server";
import { enqueue } from "~/utils/queue.server";
import { reauthorizeStripeAppAccount } from "~/providers/stripe/stripe-app.server";
import { stripe } from "~/integrations/stripe/client.server";
import { customerIdOf, fetchInvoiceState, idOf, invoiceSettlement, paidAt, subscriptionIdOf } from "~/integrations/stripe/invoices.server";
import type { InboxOutcome, InboxRun, InboxSource } from "~/domain/inbox/inbox.server";
import { db, type Prisma } from "~/utils/db.server";
import type { ConnectedStripeAccount, StripeEvent } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { alertOwnerAboutFailedEvents } from "./failures.server";

type Handler = (event: Stripe.Event, account: ConnectedStripeAccount) => Promise<void>;

/** When the event happened: Stripe's `created`, in whole seconds. */
const at = (event: Stripe.Event) => new Date(event.created * 1000);

async function onInvoiceFailed(event: Stripe.Event, account: ConnectedStripeAccount) {
  const snapshot = event.data.object as Stripe.Invoice;
  if (snapshot.collection_method === "send_invoice") return; // the customer pays by hand: nothing to retry
  const { invoice, failure } = await fetchInvoiceState(account.stripeAccountId, snapshot.id!);
  await recordInvoiceFailure({
    workspaceId: account.workspaceId,
    provider: "stripe",
    livemode: event.livemode,
    accountId: account.stripeAccountId,
    invoiceId: invoice.id!,
    amountDueMinor: invoice.amount_due,
    currency: invoice.currency,
    hostedInvoiceUrl: invoice.hosted_invoice_url ?? null,
    platform: {
      attemptCount: invoice.attempt_count ?? 0,
      nextAttemptAt: invoice.next_payment_attempt ? new Date(invoice.next_payment_attempt * 1000) : null,
    },
    settlement: invoiceSettlement(invoice),
    failure,
    failedAt: at(event),
    sourceKey: event.id,
    customer: { externalId: customerIdOf(invoice), email: invoice.customer_email ?? null, name: invoice.customer_name ?? null },
    subscriptionId: subscriptionIdOf(invoice),
    planId: planIdOf(invoice),
  });
}

/** The price of the invoice's first line (API 2025-03+ `pricing.price_details.price`, older `price.id`): what campaign filters call its plan. */
function planIdOf(invoice: Stripe.Invoice): string | null {
  const line = invoice.lines?.data?.[0] as (Stripe.InvoiceLineItem & { price?: { id?: string } | null }) | undefined;
  const price = line?.pricing?.price_details?.price ?? line?.price?.id ?? null;
  return typeof price === "string" ? price : price && typeof price === "object" && "id" in price ? String(price.id) : null;
}

async function onInvoicePaid(event: Stripe.Event, account: ConnectedStripeAccount) {
  const invoice = event.data.object as Stripe.Invoice;
  // Every paid invoice, recovered or never failed, is the customer's history (ADR 0049); a $0
  // invoice (a trial) moved no money and says nothing about when theirs arrives.
  if (invoice.amount_paid > 0) {
    await recordCustomerPayment({
      workspaceId: account.workspaceId,
      provider: "stripe",
      externalCustomerId: customerIdOf(invoice),
      externalId: invoice.id!,
      paidAt: paidAt(invoice),
      amountMinor: invoice.amount_paid,
      currency: invoice.currency,
    });
  }
  await markRecovered({ workspaceId: account.workspaceId, invoiceId: invoice.id!, amountPaid: invoice.amount_paid, at: paidAt(invoice) });
}

async function onCustomerPaymentMethod(event: Stripe.Event, account: ConnectedStripeAccount) {
  const pm = event.data.object as Stripe.PaymentMethod;
  if (pm.customer) await onPaymentMethodUpdated({ workspaceId: account.workspaceId, externalCustomerId: customerIdOf(pm as { customer: string }), at: at(event), paymentMethodId: pm.id });
  await keepCardExpiry(event, cardOf(pm), account);
}

/**
 * A card's expiry, for pre-dunning (ADR 0074): a PaymentMethod's card (attached, updated, or
 * refreshed by the network updater, which moves the date) or a legacy Card. Its address: the
 * billing details', else the customer's as Recoup knows it, else Stripe's customer record.
 */
async function keepCardExpiry(
  event: Stripe.Event,
  card: { id: string; customer?: string | Stripe.Customer | Stripe.DeletedCustomer | null; exp_month?: number; exp_year?: number; brand?: string; last4?: string; email?: string | null; name?: string | null },
  account: ConnectedStripeAccount,
) {
  if (!card.customer || !card.exp_month || !card.exp_year) return;
  const customerId = customerIdOf(card as { customer: string });
  let email = card.email ?? null;
  if (!email) {
    const known = await db().customer.findFirst({ where: { workspaceId: account.workspaceId, provider: "stripe", externalId: customerId }, select: { email: true } });
    email = known?.email ?? null;
  }
  if (!email) {
    const remote = await stripe().customers.retrieve(customerId, {}, { stripeAccount: account.stripeAccountId }).catch(() => null);
    email = remote && !("deleted" in remote && remote.deleted) ? ((remote as Stripe.Customer).email ?? null) : null;
  }
  await recordCardExpiry({
    workspaceId: account.workspaceId,
    provider: "stripe",
    accountId: account.stripeAccountId,
    customerId,
    paymentMethodId: card.id,
    brand: card.brand ?? null,
    last4: card.last4 ?? null,
    expMonth: card.exp_month,
    expYear: card.exp_year,
    email,
    name: card.name ?? null,
    at: at(event),
  });
}

const cardOf = (pm: Stripe.PaymentMethod) => ({
  id: pm.id,
  customer: pm.customer,
  exp_month: pm.card?.exp_month,
  exp_year: pm.card?.exp_year,
  brand: pm.card?.brand,
  last4: pm.card?.last4,
  email: pm.billing_details?.email ?? null,
  name: pm.billing_details?.name ?? null,
});

/**
 * A hosted checkout Recoup opened on the account changed (ADR 0075): completed, paid later (bank
 * debits), failed or expired. The session is read back; the payment applies once.
 */
async function onCheckoutSession(event: Stripe.Event, account: ConnectedStripeAccount) {
  const session = event.data.object as Stripe.Checkout.Session;
  const reference = session.client_reference_id ?? session.metadata?.recoup_reference ?? null;
  if (!reference) return;
  const connectionId = await stripeConnectionId({ workspaceId: account.workspaceId, stripeAccountId: account.stripeAccountId });
  if (connectionId) await syncTransaction({ connectionId, reference, providerPaymentId: session.id });
}

/** A refund Recoup made on the account moved (pending → succeeded or failed): read back, applied once. */
async function onRefund(event: Stripe.Event, account: ConnectedStripeAccount) {
  const refund = event.data.object as Stripe.Refund;
  const connectionId = await stripeConnectionId({ workspaceId: account.workspaceId, stripeAccountId: account.stripeAccountId });
  if (connectionId) await syncRefund({ connectionId, providerRefundId: refund.id });
}

const handlers: Record<string, Handler> = {
  "invoice.payment_failed": onInvoiceFailed,
  "checkout.session.completed": onCheckoutSession,
  "checkout.session.async_payment_succeeded": onCheckoutSession,
  "checkout.session.async_payment_failed": onCheckoutSession,
  "checkout.session.expired": onCheckoutSession,
  "refund.updated": onRefund,
  "refund.failed": onRefund,
  "charge.refund.updated": onRefund,
  async "invoice.payment_action_required"(event, account) {
    // The bank wants the customer to authenticate: send them the link, never retry blind.
    await onInvoiceFailed(event, account);
    await requestAuthentication({ workspaceId: account.workspaceId, invoiceId: (event.data.object as Stripe.Invoice).id!, at: at(event) });
  },
  "invoice.paid": onInvoicePaid,
  "invoice.payment_succeeded": onInvoicePaid,
  async "invoice.voided"(event, account) {
    await markInvoiceAbandoned({ workspaceId: account.workspaceId, invoiceId: (event.data.object as Stripe.Invoice).id!, reason: "invoice_voided", at: at(event) });
  },
  async "invoice.marked_uncollectible"(event, account) {
    await markInvoiceAbandoned({ workspaceId: account.workspaceId, invoiceId: (event.data.object as Stripe.Invoice).id!, reason: "invoice_uncollectible", at: at(event) });
  },
  async "customer.subscription.deleted"(event, account) {
    await markSubscriptionEnded({ workspaceId: account.workspaceId, subscriptionId: (event.data.object as Stripe.Subscription).id, at: at(event) });
  },
  async "customer.subscription.updated"(event, account) {
    const sub = event.data.object as Stripe.Subscription;
    const previous = (event.data.previous_attributes ?? {}) as Partial<Stripe.Subscription>;
    if ("default_payment_method" in previous && sub.default_payment_method) {
      await onPaymentMethodUpdated({ workspaceId: account.workspaceId, externalCustomerId: customerIdOf(sub), at: at(event), paymentMethodId: idOf(sub.default_payment_method) });
    }
    if (sub.status === "canceled" || sub.status === "incomplete_expired") {
      await markSubscriptionEnded({ workspaceId: account.workspaceId, subscriptionId: sub.id, at: at(event) });
    }
  },
  async "customer.updated"(event, account) {
    const customer = event.data.object as Stripe.Customer;
    const previous = (event.data.previous_attributes ?? {}) as { invoice_settings?: { default_payment_method?: unknown }; default_source?: unknown };
    const changed =
      (previous.invoice_settings && "default_payment_method" in previous.invoice_settings && customer.invoice_settings?.default_payment_method) ||
      ("default_source" in previous && customer.default_source);
    // The new default's id is the event's evidence that the card changed after a decline in the same second.
    if (changed) await onPaymentMethodUpdated({ workspaceId: account.workspaceId, externalCustomerId: customer.id, at: at(event), paymentMethodId: idOf(changed) });
  },
  "payment_method.attached": onCustomerPaymentMethod,
  "payment_method.automatically_updated": onCustomerPaymentMethod,
  async "payment_method.updated"(event, account) {
    await keepCardExpiry(event, cardOf(event.data.object as Stripe.PaymentMethod), account);
  },
  async "payment_method.detached"(event, account) {
    // A card taken off the customer will not be charged: nothing to warn them about.
    await forgetCardExpiry({ workspaceId: account.workspaceId, paymentMethodId: (event.data.object as Stripe.PaymentMethod).id });
  },
  async "customer.source.expiring"(event, account) {
    const card = event.data.object as { id: string; customer?: string | null; exp_month?: number; exp_year?: number; brand?: string; last4?: string; name?: string | null };
    if (!card.customer || !card.exp_month || !card.exp_year) return;
    await keepCardExpiry(event, card, account);
    // Stripe says it now: pre-dunning for this workspace need not wait for the daily sweep.
    await enqueue(queues.preDunningSweep, { workspaceId: account.workspaceId }, { key: `${account.workspaceId}:${event.id}` });
    const subs = await stripe().subscriptions.list({ customer: card.customer, status: "active", limit: 20 }, { stripeAccount: account.stripeAccountId });
    const expirationDate = new Date(Date.UTC(card.exp_year, card.exp_month, 0, 23, 59, 59));
    for (const sub of subs.data) {
      await flagSubscriptionAtRisk({
        workspaceId: account.workspaceId,
        externalCustomerId: card.customer,
        externalSubscriptionId: sub.id,
        reason: "card_expiring",
        detectedAt: at(event),
        expirationDate,
      });
    }
  },
};

/** A Stripe App authorisation of the account, newer than `at`, is on record. */
async function authorizedAfter(account: ConnectedStripeAccount, livemode: boolean, at: Date) {
  const later = await db().stripeEvent.findFirst({
    where: { stripeAccountId: account.stripeAccountId, type: "account.application.authorized", livemode, eventCreatedAt: { gt: at } },
    select: { id: true },
  });
  return later !== null;
}

/**
 * The `stripe-event` job's handler (the inbox runs it: app/domain/inbox). Idempotent: every handler
 * compares state instead of assuming order.
 */
async function handleStripeEvent(row: StripeEvent, run: InboxRun): Promise<InboxOutcome> {
  const event = row.payload as unknown as Stripe.Event;
  const account = row.stripeAccountId
    ? await db().connectedStripeAccount.findUnique({ where: { stripeAccountId: row.stripeAccountId } })
    : null;
  // The event arrived without its workspace: its connected account names it.
  run.workspaceId = account?.workspaceId;
  if (event.type === "account.application.deauthorized") {
    if (!account) return processed;
    // The Stripe App uninstalled and installed again, the events delivered out of order: the
    // newer authorisation stands (ADR 0004).
    if (account.source === "stripe_app" && (await authorizedAfter(account, row.livemode, at(event)))) {
      return ignored("the app was installed again after this");
    }
    await disconnectStripeAccount({ stripeAccountId: account.stripeAccountId, at: at(event) });
    return processed;
  }
  if (event.type === "account.application.authorized") {
    if (!account) return ignored("event is not from a connected account");
    // Connect accounts come back through OAuth (its callback resumes them); the Dashboard app has no OAuth step.
    if (account.source !== "stripe_app") return ignored("a Connect account reconnects through OAuth");
    if (account.livemode !== row.livemode) return ignored("livemode does not match the connection");
    const result = await reauthorizeStripeAppAccount({ stripeAccountId: account.stripeAccountId, at: at(event) });
    return result.reconnected ? processed : ignored(account.disconnectedAt ? "older than the disconnection" : "account already connected");
  }
  if (!account) return ignored("event is not from a connected account");
  if (account.disconnectedAt) return ignored("account disconnected");
  if (account.livemode !== row.livemode) return ignored("livemode does not match the connection");
  const handler = handlers[event.type];
  if (!handler) return ignored(null);
  await handler(event, account);
  return processed;
}

const processed: InboxOutcome = { status: "processed" };
const ignored = (note: string | null): InboxOutcome => ({ status: "ignored", note });

/** A verified Stripe event, as the intake stores it. */
export interface ReceivedStripeEvent {
  id: string;
  type: string;
  account: string | null;
  livemode: boolean;
  createdAt: Date;
  payload: Prisma.InputJsonObject;
}

/** A received event's row: its own fields only, nothing read from the database (the intake batches it, ADR 0054). */
export function stripeEventColumns(event: ReceivedStripeEvent): Prisma.StripeEventCreateManyInput {
  return {
    eventId: event.id,
    type: event.type,
    stripeAccountId: event.account,
    livemode: event.livemode,
    eventCreatedAt: event.createdAt,
    payload: event.payload,
  };
}

/** Stripe's events in the inbox: unique by event id; given up, they are mailed to the owner (ADR 0025). */
export const stripeEvents: InboxSource<StripeEvent, ReceivedStripeEvent, "stripeEventId", Prisma.StripeEventCreateManyInput> = {
  name: "stripe",
  queue: queues.stripeEvent,
  jobField: "stripeEventId",
  table: (client) => client.stripeEvent,
  idColumn: "eventId",
  columns: (_tx, event) => stripeEventColumns(event),
  key: (event) => ({ eventId: event.id }),
  retryingStatus: "retrying",
  handle: handleStripeEvent,
  onGivenUp: (tx, { workspaceId, at }) => alertOwnerAboutFailedEvents(tx, workspaceId, at),
};
