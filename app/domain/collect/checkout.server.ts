// Opening a processor's hosted checkout for a new transaction (ADR 0075, ADR 0076): the one way a
// pay-link click, an ND8 checkout and a payment link's start reach a processor. The transaction row
// is written first; its id is the idempotency key and the reference the processor echoes back.
import { AppError } from "~/domain/errors";
import { randomBase62 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { log } from "~/utils/logger.server";
import type { Prisma, ProviderConnection, Transaction } from "../../../generated/prisma/client";
import { accountOf, connectionsOf, recordConnectionFailure, routingOf } from "./connections.server";
import { processorFor } from "./processors.server";
import { ProcessorRejectedError, ProcessorUnavailableError, type CheckoutLine } from "./processor";
import { resolveConnection, usable } from "./routing";
import { newTransactionPublicId } from "./transactions.server";

export interface NewCheckout {
  workspaceId: string;
  source: "payment_request" | "checkout" | "payment_link";
  paymentRequestId?: string | null;
  paymentLinkId?: string | null;
  amountMinor: number;
  currency: string;
  description: string;
  lines: Array<CheckoutLine & { productId?: string | null }>;
  payerEmail?: string | null;
  payerName?: string | null;
  successUrl: string;
  cancelUrl: string;
  failedUrl?: string | null;
  expiresAt?: Date | null;
  sandboxSimulate?: string | null;
  /** Chosen by the caller when its return URLs name it (ND8's /checkout/<token>); random otherwise. */
  checkoutToken?: string;
  /** A setup-test pay-link's payment: kept out of reports. */
  isSetupTest?: boolean;
  /** Where the customer goes after Recoup's own page (ND8's successUrl, cancelUrl): stored instead of the processor's return URLs. */
  merchantReturn?: { successUrl: string | null; cancelUrl: string | null };
}

export type Opened =
  | { kind: "opened"; transaction: Transaction }
  | { kind: "rejected"; message: string }
  | { kind: "unavailable"; message: string; reason: ProcessorUnavailableError["reason"] };

/**
 * Opens `checkout` on `connection`: the transaction is stored (processing), then the processor is
 * called under the transaction's id as idempotency key. A failure is kept on the transaction (and,
 * when the processor could not be used, on the connection, for the dashboard and for fallback).
 */
export async function openCheckoutOn(connection: ProviderConnection, checkout: NewCheckout): Promise<Opened> {
  const transaction = await db().transaction.create({
    data: {
      publicId: newTransactionPublicId(),
      checkoutToken: checkout.checkoutToken ?? randomBase62(32),
      workspaceId: checkout.workspaceId,
      connectionId: connection.id,
      provider: connection.provider,
      livemode: connection.livemode,
      source: checkout.source,
      paymentRequestId: checkout.paymentRequestId ?? null,
      paymentLinkId: checkout.paymentLinkId ?? null,
      amountMinor: checkout.amountMinor,
      currency: checkout.currency,
      payerEmail: checkout.payerEmail ?? null,
      payerName: checkout.payerName ?? null,
      products: checkout.lines.map((l) => ({ id: l.productId ?? null, name: l.name, quantity: l.quantity, unit_amount_minor: l.unitAmountMinor })) as Prisma.InputJsonValue,
      successUrl: checkout.merchantReturn ? checkout.merchantReturn.successUrl : checkout.successUrl,
      cancelUrl: checkout.merchantReturn ? checkout.merchantReturn.cancelUrl : checkout.cancelUrl,
      failedUrl: checkout.failedUrl ?? null,
      sandboxSimulate: checkout.sandboxSimulate ?? null,
      isSetupTest: checkout.isSetupTest ?? false,
    },
  });
  try {
    const created = await processorFor(connection.provider).createCheckout(accountOf(connection), {
      amountMinor: checkout.amountMinor,
      currency: checkout.currency,
      description: checkout.description,
      reference: transaction.id,
      customerEmail: checkout.payerEmail,
      customerName: checkout.payerName,
      lines: checkout.lines.map(({ name, unitAmountMinor, quantity }) => ({ name, unitAmountMinor, quantity })),
      successUrl: checkout.successUrl,
      cancelUrl: checkout.cancelUrl,
      idempotencyKey: `recoup-checkout-${transaction.id}`,
      expiresAt: checkout.expiresAt ?? null,
      sandboxSimulate: checkout.sandboxSimulate ?? null,
    });
    const opened = await db().transaction.update({
      where: { id: transaction.id },
      data: { providerPaymentId: created.providerPaymentId, checkoutUrl: created.checkoutUrl, checkoutExpiresAt: created.expiresAt },
    });
    return { kind: "opened", transaction: opened };
  } catch (error) {
    if (!(error instanceof ProcessorUnavailableError) && !(error instanceof ProcessorRejectedError)) throw error;
    const message = error.message.slice(0, 300);
    await db().transaction.update({ where: { id: transaction.id }, data: { status: "failed", failure: message } });
    if (error instanceof ProcessorRejectedError) {
      log.warn("checkout refused by the processor", { transactionId: transaction.id, connectionId: connection.id, code: error.code });
      return { kind: "rejected", message };
    }
    await recordConnectionFailure({ connectionId: connection.id, message, reason: error.reason });
    return { kind: "unavailable", message, reason: error.reason };
  }
}

/**
 * A checkout on the workspace's routing chain (ND8's checkout, a payment link's start): the
 * primary, else the secondary when the primary cannot be used now, within the same request. A
 * currency no usable processor takes is a validation error; no usable processor at all is 503.
 */
export async function openChainCheckout(checkout: NewCheckout): Promise<Transaction> {
  const chain = await connectionsOf(checkout.workspaceId);
  const routing = routingOf(chain.routing);
  const first = resolveConnection({ providerOverrideId: null, fallbackTriggeredAt: null, isSetupTest: false }, routing, chain.connections);
  const candidates = [first.connectionId, routing?.secondaryConnectionId]
    .filter((id, i, all): id is string => Boolean(id) && all.indexOf(id) === i)
    .map((id) => chain.connections.find((c) => c.id === id)!)
    .filter((c) => usable(c, { isSetupTest: false }));
  if (candidates.length === 0) throw new AppError("provider_unavailable", "No payment provider is connected and ready: connect Stripe or add Dojo, and set the routing chain.");
  const taking = candidates.filter((c) => processorFor(c.provider).currencies.includes(checkout.currency));
  if (taking.length === 0) throw new AppError("validation_failed", `currency: ${checkout.currency} is not taken by this organization's payment providers.`);
  let last = "";
  for (const connection of taking) {
    const opened = await openCheckoutOn(connection, checkout);
    if (opened.kind === "opened") return opened.transaction;
    if (opened.kind === "rejected") throw new AppError("validation_failed", `The payment provider refused this checkout: ${opened.message}`);
    last = opened.message;
  }
  throw new AppError("provider_unavailable", `The payment provider could not be reached: ${last}. Nothing was charged; try again in a minute.`);
}

/** A catalogue id to look up, or a line already priced (ad-hoc, or a catalogue item the caller has checked: `productId`). */
export type CheckoutItem = { id: string; quantity: number } | { name: string; unitAmountMinor: number; quantity: number; productId?: string | null };

/**
 * The workspace's catalogue items by id, each as a checkout line in `currency`: looked up at the
 * first connected processor that has a catalogue (Stripe's products and prices on the connected
 * account). An unknown id, or a price in another currency, is a validation error naming it.
 */
export async function catalogLines(input: { workspaceId: string; ids: string[]; currency: string }): Promise<Map<string, CheckoutLine & { productId: string }>> {
  const lines = new Map<string, CheckoutLine & { productId: string }>();
  if (input.ids.length === 0) return lines;
  const { connections } = await connectionsOf(input.workspaceId);
  const source = connections.find((c) => c.status === "connected" && processorFor(c.provider).catalogItem);
  if (!source) throw new AppError("validation_failed", "products: this organization has no product catalogue (connect Stripe), so products must be given by name and unit_price.");
  for (const id of new Set(input.ids)) {
    let item;
    try {
      item = await processorFor(source.provider).catalogItem!(accountOf(source), id);
    } catch (error) {
      if (error instanceof ProcessorUnavailableError) throw new AppError("provider_unavailable", `The product catalogue could not be read: ${error.message}`);
      if (error instanceof ProcessorRejectedError) item = null;
      else throw error;
    }
    if (!item) throw new AppError("validation_failed", `products: no one-time product or price "${id}" in this organization's catalogue.`);
    if (item.currency !== input.currency) throw new AppError("validation_failed", `products: "${id}" is priced in ${item.currency}, not ${input.currency}.`);
    lines.set(id, { productId: id, name: item.name, unitAmountMinor: item.unitAmountMinor, quantity: 1 });
  }
  return lines;
}

/** Checkout lines for items named by catalogue id or given as name and unit price, with their total. */
export async function linesOf(input: { workspaceId: string; currency: string; items: CheckoutItem[] }) {
  const catalog = await catalogLines({ workspaceId: input.workspaceId, currency: input.currency, ids: input.items.flatMap((i) => ("id" in i ? [i.id] : [])) });
  const lines = input.items.map((item) =>
    "id" in item ? { ...catalog.get(item.id)!, quantity: item.quantity } : { productId: item.productId ?? null, name: item.name, unitAmountMinor: item.unitAmountMinor, quantity: item.quantity },
  );
  const amountMinor = lines.reduce((sum, l) => sum + l.unitAmountMinor * l.quantity, 0);
  if (amountMinor <= 0) throw new AppError("validation_failed", "products: the total must be more than zero.");
  if (!Number.isSafeInteger(amountMinor) || amountMinor > 99_999_999_99) throw new AppError("validation_failed", "products: the total is too large for one payment.");
  return { lines, amountMinor };
}

/** Recoup's own page for a hosted checkout: it sends the customer on to the processor, and back to the merchant after. */
export function checkoutPageUrl(token: string): string {
  return `${env().APP_URL.replace(/\/$/, "")}/checkout/${token}`;
}

/**
 * A hosted checkout on the routing chain (ND8's checkout, a payment link's start). The customer is
 * sent to Recoup's /checkout/<token>, which forwards to the processor's page; the processor returns
 * them there, and it sends them on to the merchant's success, failed or cancel URL as the payment stands.
 */
export async function createHostedCheckout(input: {
  workspaceId: string;
  source: "checkout" | "payment_link";
  paymentLinkId?: string | null;
  currency: string;
  items: CheckoutItem[];
  payer: { email: string | null; name: string | null };
  successUrl: string | null;
  failedUrl: string | null;
  cancelUrl: string | null;
  sandboxSimulate?: string | null;
  description?: string;
}): Promise<{ transaction: Transaction; checkoutUrl: string }> {
  const { lines, amountMinor } = await linesOf({ workspaceId: input.workspaceId, currency: input.currency, items: input.items });
  const token = randomBase62(32);
  const page = checkoutPageUrl(token);
  const transaction = await openChainCheckout({
    workspaceId: input.workspaceId,
    source: input.source,
    paymentLinkId: input.paymentLinkId ?? null,
    amountMinor,
    currency: input.currency,
    description: input.description ?? lines.map((l) => (l.quantity > 1 ? `${l.quantity} × ${l.name}` : l.name)).join(", ").slice(0, 500),
    lines,
    payerEmail: input.payer.email,
    payerName: input.payer.name,
    successUrl: `${page}?return=success`,
    cancelUrl: `${page}?return=cancel`,
    failedUrl: input.failedUrl,
    sandboxSimulate: input.sandboxSimulate ?? null,
    checkoutToken: token,
    // The merchant's own URLs, where /checkout/<token> sends the customer afterwards.
    merchantReturn: { successUrl: input.successUrl, cancelUrl: input.cancelUrl },
  });
  return { transaction, checkoutUrl: page };
}

/** Where /checkout/<token> sends the customer now, or what it tells them. */
export async function checkoutPageFor(token: string): Promise<Transaction | null> {
  return db().transaction.findUnique({ where: { checkoutToken: token } });
}
