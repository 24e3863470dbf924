// A small Stripe-compatible HTTP server for tests. Point stripe-node at it with
//   new Stripe('sk_test_x', { host: '127.0.0.1', port: fake.port, protocol: 'http', maxNetworkRetries: 0, telemetry: false })
// From stripe-node 22 the `host` option also moves the Connect host, so `oauth.token` / `oauth.deauthorize`
// land here too (`oauth.authorizeUrl()` still builds `https://<host>/oauth/authorize` without the port).
//
// Fixtures follow the API version stripe-node 23.1.0 pins (Stripe.API_VERSION = 2026-10-28.endive): an Invoice has
// no top-level charge / payment_intent / subscription; it has `payments` (only returned when expanded),
// `parent.subscription_details`, `attempt_count`, `next_payment_attempt`.
//
// Collection (one-off payments on a connected account): Checkout Sessions in `payment` mode with a hosted page of the
// fake's own (`/fake-checkout/:id`) that completes them, the PaymentIntent and charge a payment leaves, Refunds, and the
// product catalogue a checkout may name by id. A session's `payment_intent` stays null until the customer first tries to
// pay (what Stripe answers since API version 2022-08-01).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Stripe from 'stripe';

export interface RecordedStripeRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Form-decoded into nested objects/arrays: flow_data[type]=x → { flow_data: { type: 'x' } }. */
  body: Record<string, unknown>;
  rawBody: string;
  stripeAccount: string | null;
  idempotencyKey: string | null;
  stripeVersion: string | null;
  authorization: string | null;
  /** The HTTP status it was answered with, once answered. */
  answeredStatus?: number;
  /** Answered with a saved idempotent result (`Idempotent-Replayed: true`): nothing ran again. */
  replayed?: boolean;
}

export interface ScriptedResponse {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface DeclineOptions {
  declineCode?: string;
  code?: string;
  adviceCode?: string;
  networkDeclineCode?: string;
  networkAdviceCode?: string;
  message?: string;
  /**
   * The network's codes only on the charge's `outcome`, not on the error object (what an account on an
   * API version before 2024-12-18 gets in `last_payment_error`).
   */
  networkCodesOnChargeOnly?: boolean;
}

export interface CompleteCheckoutOptions {
  /** The card is declined: the session stays open, its PaymentIntent waits for another card (true = insufficient_funds). */
  decline?: boolean | DeclineOptions;
  /** What the customer typed on the page (default: the session's customer_email, else customer@example.com). */
  email?: string;
  name?: string;
}

/** A checkout the customer paid, with the `checkout.session.completed` event Stripe would send for it. */
export interface CheckoutCompleted {
  account: string | null;
  session: Stripe.Checkout.Session;
  event: Stripe.Event;
}

export interface FakeStripe {
  url: string;
  host: string;
  port: number;
  requests: RecordedStripeRequest[];
  requestsTo(method: string, pathPattern: string | RegExp): RecordedStripeRequest[];
  /** Store objects per connected account (`Stripe-Account` header value; null = the platform). Returns the live stored object. */
  putInvoice(account: string | null, invoice: Partial<Stripe.Invoice> & { id: string }): Stripe.Invoice;
  putCustomer(account: string | null, customer: Partial<Stripe.Customer> & { id: string }): Stripe.Customer;
  putPaymentMethod(account: string | null, pm: Partial<Stripe.PaymentMethod> & { id: string }): Stripe.PaymentMethod;
  /** The live stored object (mutations show up in later responses); its `payments` list is always present. */
  getInvoice(account: string | null, id: string): Stripe.Invoice | undefined;
  getCustomer(account: string | null, id: string): Stripe.Customer | undefined;
  /** The next calls matching method + path (exact pathname or RegExp) get these responses, once each, in order. */
  queue(method: string, path: string | RegExp, ...responses: ScriptedResponse[]): void;
  /** The next `POST /v1/invoices/:id/pay` for that invoice declines (402 card_error); the invoice stays open, attempt_count + 1. */
  declineNextPay(invoiceId: string, opts?: DeclineOptions): void;
  /**
   * Stripe's own automatic collection attempt fails (what precedes an `invoice.payment_failed` event):
   * attempt_count + 1, the PaymentIntent carries last_payment_error, next_payment_attempt as given. Returns the invoice.
   */
  failInvoice(account: string | null, invoiceId: string, decline?: DeclineOptions & { nextPaymentAttempt?: number | null }): Stripe.Invoice;
  putSubscription(account: string | null, sub: { id: string; customer: string; status?: string; [k: string]: unknown }): void;
  /**
   * An outage: while on, every API request is answered 503 (api_error). The answers say
   * `Stripe-Should-Retry: false`, so stripe-node gives up at once instead of sleeping through its own
   * quick retries: tests drive the job-level retries, not the SDK's.
   */
  outage(on: boolean): void;
  /**
   * Stripe overloaded: while on, every API request is answered by turns with the given statuses
   * (429 rate_limit_error, 5xx api_error) before anything runs, without `Stripe-Should-Retry`, so
   * stripe-node's own quick retries meet the same answers. `null` ends it.
   */
  failing(statuses: number[] | null): void;
  /** Catalogue objects a checkout may name by id (`line_items[][price]`). Returns the live stored object. */
  putProduct(account: string | null, product: Partial<Stripe.Product> & { id: string }): Stripe.Product;
  putPrice(account: string | null, price: Partial<Stripe.Price> & { id: string; product: string }): Stripe.Price;
  /** The live stored Checkout Session (one past its `expires_at` reads as expired, as on Stripe). */
  getCheckoutSession(account: string | null, id: string): Stripe.Checkout.Session | undefined;
  /**
   * The customer pays on the hosted page (what `POST /fake-checkout/:id/pay` does): the session completes, paid by a
   * succeeded PaymentIntent and charge. With `decline` the charge fails and the session stays open. Returns the session.
   */
  completeCheckout(account: string | null, sessionId: string, opts?: CompleteCheckoutOptions): Stripe.Checkout.Session;
  /** Stripe lets an open session lapse at its `expires_at` (what precedes `checkout.session.expired`). Returns it. */
  lapseCheckout(account: string | null, sessionId: string): Stripe.Checkout.Session;
  /** Called for every paid checkout, by the hosted page or completeCheckout; returns a function that unsubscribes. */
  onCheckoutCompleted(listener: (completed: CheckoutCompleted) => void): () => void;
  /**
   * A pending refund reaches its end (what precedes `refund.updated` / `charge.refund.updated`). A failed refund gives
   * the amount back to the charge's refundable amount. Returns the refund.
   */
  settleRefund(account: string | null, refundId: string, status: 'succeeded' | 'failed', opts?: { failureReason?: string }): Stripe.Refund;
  getRefund(account: string | null, id: string): Stripe.Refund | undefined;
  /**
   * The merchant revoked the platform's access: every request on that account is answered 403 (stripe-node's
   * StripePermissionError), as Stripe answers for a disconnected account. `false` restores it.
   */
  revokeAccess(account: string, revoked?: boolean): void;
  /** The next request matching method + path waits, unanswered, until the returned function is called. */
  hold(method: string, path: string | RegExp): { arrived: Promise<void>; release(): void };
  close(): Promise<void>;
}

export interface FakeStripeOptions {
  oauth?: { stripeUserId?: string; livemode?: boolean };
  /** Every API answer waits this long first, as Stripe's do over the internet (the drain bench: bench/drain.ts). Default 0. */
  latencyMs?: number;
}

type Result = ScriptedResponse;
type Store = {
  invoices: Map<string, Stripe.Invoice>;
  customers: Map<string, Stripe.Customer>;
  paymentMethods: Map<string, Stripe.PaymentMethod>;
  paymentIntents: Map<string, Record<string, unknown>>;
  /** Charges (`ch_…`): each collection attempt's, with its outcome and the card as charged. */
  charges: Map<string, Record<string, unknown>>;
  subscriptions: Map<string, Record<string, unknown>>;
  checkoutSessions: Map<string, StoredCheckout>;
  refunds: Map<string, Stripe.Refund>;
  products: Map<string, Stripe.Product>;
  prices: Map<string, Stripe.Price>;
};
type StoredCheckout = {
  session: Stripe.Checkout.Session;
  lineItems: Stripe.LineItem[];
  /** `payment_intent_data`: not part of the session object; the PaymentIntent gets it once the customer pays. */
  paymentIntentData: { metadata: Record<string, string>; description: string | null };
};
type Ctx = {
  rec: RecordedStripeRequest;
  store: Store;
  livemode: boolean;
  requestId: string;
  /** Decoded query (GET) or body (POST): where `expand[]` and filters live. */
  params: Record<string, unknown>;
};

const API_VERSION: string = Stripe.API_VERSION;
const now = () => Math.floor(Date.now() / 1000);
const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function randomId(prefix: string, length = 24): string {
  return `${prefix}_${[...randomBytes(length)].map((b) => BASE62[b % 62]).join('')}`;
}

// ---------------------------------------------------------------------------------------------
// Form decoding (what stripe-node sends: a[b][0][c]=v, values URI-encoded, brackets usually raw)
// ---------------------------------------------------------------------------------------------

export function decodeForm(raw: string): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const decode = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const head = key.split('[', 1)[0];
    const path = [head, ...[...key.slice(head.length).matchAll(/\[([^\]]*)\]/g)].map((m) => m[1])];
    if (path.some((p) => p === '__proto__' || p === 'constructor' || p === 'prototype')) continue;
    let node: Record<string, unknown> | unknown[] = root;
    path.forEach((segment, i) => {
      const last = i === path.length - 1;
      const slot = segment === '' && Array.isArray(node) ? String(node.length) : segment;
      const container = node as Record<string, unknown>;
      if (last) {
        container[slot] = value;
      } else {
        if (typeof container[slot] !== 'object' || container[slot] === null) {
          container[slot] = /^\d*$/.test(path[i + 1]) ? [] : {};
        }
        node = container[slot] as Record<string, unknown>;
      }
    });
  }
  return root;
}

// ---------------------------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------------------------

export function makeInvoice(p: Partial<Stripe.Invoice> & { id: string; customer: string }): Stripe.Invoice {
  const created = p.created ?? now() - 3600;
  const amountDue = p.amount_due ?? 2000;
  const amountPaid = p.amount_paid ?? 0;
  const status = p.status ?? 'open';
  const collection = p.collection_method ?? 'charge_automatically';
  const livemode = p.livemode ?? false;
  const subscription = `sub_${p.id.replace(/^in_/, '')}`;
  const lineId = randomId('il');
  const invoice: Stripe.Invoice = {
    id: p.id,
    object: 'invoice',
    account_country: 'US',
    account_name: 'Fake Merchant',
    account_tax_ids: null,
    amount_due: amountDue,
    amount_overpaid: 0,
    amount_paid: amountPaid,
    amount_remaining: Math.max(amountDue - amountPaid, 0),
    amount_shipping: 0,
    application: null,
    attempt_count: status === 'draft' ? 0 : 1,
    attempted: status !== 'draft',
    auto_advance: status === 'open',
    automatic_tax: { disabled_reason: null, enabled: false, liability: null, provider: null, status: null },
    automatically_finalizes_at: null,
    billing_reason: 'subscription_cycle',
    collection_method: collection,
    created,
    currency: 'usd',
    custom_fields: null,
    customer: p.customer,
    customer_account: null,
    customer_address: null,
    customer_email: 'customer@example.com',
    customer_name: 'Fake Customer',
    customer_phone: null,
    customer_shipping: null,
    customer_tax_exempt: 'none',
    customer_tax_ids: [],
    default_payment_method: null,
    default_source: null,
    default_tax_rates: [],
    description: null,
    discounts: [],
    due_date: collection === 'send_invoice' ? created + 30 * 86400 : null,
    effective_at: status === 'draft' ? null : created,
    ending_balance: status === 'draft' ? null : 0,
    footer: null,
    from_invoice: null,
    hosted_invoice_url: `https://invoice.stripe.com/i/acct_fake/${livemode ? 'live' : 'test'}_${p.id.slice(3)}`,
    invoice_pdf: `https://pay.stripe.com/invoice/acct_fake/${livemode ? 'live' : 'test'}_${p.id.slice(3)}/pdf`,
    issuer: { type: 'self' },
    last_finalization_error: null,
    latest_revision: null,
    lines: {
      object: 'list',
      data: [
        {
          id: lineId,
          object: 'line_item',
          amount: amountDue,
          currency: 'usd',
          description: '1 × Fake Plan (at $20.00 / month)',
          discount_amounts: [],
          discountable: true,
          discounts: [],
          invoice: p.id,
          livemode,
          metadata: {},
          parent: {
            invoice_item_details: null,
            subscription_item_details: {
              invoice_item: null,
              proration: false,
              proration_details: { credited_items: null },
              subscription,
              subscription_item: randomId('si', 14),
            },
            type: 'subscription_item_details',
          },
          period: { start: created, end: created + 30 * 86400 },
          pretax_credit_amounts: [],
          pricing: {
            price_details: { price: 'price_fake_monthly', product: 'prod_fake' },
            type: 'price_details',
            unit_amount_decimal: Stripe.Decimal.from(String(amountDue)),
          },
          quantity: 1,
          quantity_decimal: Stripe.Decimal.from('1'),
          subscription,
          subtotal: amountDue,
          taxes: [],
        },
      ],
      has_more: false,
      url: `/v1/invoices/${p.id}/lines`,
    },
    livemode,
    metadata: {},
    next_payment_attempt: status === 'open' && collection === 'charge_automatically' ? created + 3 * 86400 : null,
    number: status === 'draft' ? null : `FAKE${p.id.slice(-4).toUpperCase()}-0001`,
    on_behalf_of: null,
    parent: {
      quote_details: null,
      subscription_details: { metadata: {}, subscription },
      type: 'subscription_details',
    },
    payment_settings: { default_mandate: null, payment_method_options: null, payment_method_types: null },
    period_end: created,
    period_start: created - 30 * 86400,
    post_payment_credit_notes_amount: 0,
    pre_payment_credit_notes_amount: 0,
    receipt_number: null,
    rendering: null,
    shipping_cost: null,
    shipping_details: null,
    starting_balance: 0,
    statement_descriptor: null,
    status,
    status_transitions: {
      finalized_at: status === 'draft' ? null : created,
      marked_uncollectible_at: status === 'uncollectible' ? created : null,
      paid_at: status === 'paid' ? created : null,
      voided_at: status === 'void' ? created : null,
    },
    subtotal: amountDue,
    subtotal_excluding_tax: amountDue,
    test_clock: null,
    total: amountDue,
    total_discount_amounts: [],
    total_excluding_tax: amountDue,
    total_pretax_credit_amounts: [],
    total_taxes: [],
    webhooks_delivered_at: created,
  };
  return { ...invoice, ...p } as Stripe.Invoice;
}

export function makeCustomer(p: Partial<Stripe.Customer> & { id: string }): Stripe.Customer {
  const customer: Stripe.Customer = {
    id: p.id,
    object: 'customer',
    address: null,
    balance: 0,
    created: now() - 86400 * 90,
    currency: 'usd',
    customer_account: null,
    default_source: null,
    delinquent: false,
    description: null,
    discount: null,
    email: 'customer@example.com',
    invoice_prefix: 'FAKE',
    invoice_settings: { custom_fields: null, default_payment_method: null, footer: null, rendering_options: null },
    livemode: false,
    metadata: {},
    name: 'Fake Customer',
    next_invoice_sequence: 2,
    phone: null,
    preferred_locales: [],
    shipping: null,
    tax_exempt: 'none',
    test_clock: null,
  };
  return { ...customer, ...p } as Stripe.Customer;
}

export function makePaymentMethod(p: Partial<Stripe.PaymentMethod> & { id: string }): Stripe.PaymentMethod {
  const pm: Stripe.PaymentMethod = {
    id: p.id,
    object: 'payment_method',
    allow_redisplay: 'unspecified',
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    card: {
      brand: 'visa',
      checks: { address_line1_check: null, address_postal_code_check: null, cvc_check: 'pass' },
      country: 'US',
      display_brand: 'visa',
      exp_month: 12,
      exp_year: new Date().getUTCFullYear() + 3,
      fingerprint: randomId('fp', 16).slice(3),
      funding: 'credit',
      generated_from: null,
      last4: '4242',
      networks: { available: ['visa'], preferred: null },
      regulated_status: 'unregulated',
      three_d_secure_usage: { supported: true },
      wallet: null,
    },
    created: now() - 86400 * 90,
    customer: null,
    customer_account: null,
    livemode: false,
    metadata: {},
    type: 'card',
  };
  return { ...pm, ...p } as Stripe.PaymentMethod;
}

/**
 * A charge as Stripe answers it (`GET /v1/charges/:id`, or a PaymentIntent's expanded `latest_charge`):
 * approved until a decline rewrites its status, failure and outcome. The card as charged
 * (`payment_method_details.card`) and the billing details come from the payment method.
 */
export function makeCharge(p: {
  id: string;
  invoice: Stripe.Invoice;
  paymentIntentId: string;
  paymentMethod: Partial<Stripe.PaymentMethod> | undefined;
  created: number;
}): Record<string, unknown> {
  const card = p.paymentMethod?.card;
  return {
    id: p.id,
    object: 'charge',
    amount: p.invoice.amount_remaining,
    amount_captured: p.invoice.amount_remaining,
    amount_refunded: 0,
    billing_details: p.paymentMethod?.billing_details ?? { address: null, email: null, name: null, phone: null, tax_id: null },
    captured: true,
    created: p.created,
    currency: p.invoice.currency,
    customer: p.invoice.customer,
    failure_code: null,
    failure_message: null,
    livemode: p.invoice.livemode,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: p.paymentIntentId,
    payment_method: p.paymentMethod?.id ?? null,
    payment_method_details: card
      ? {
          type: 'card',
          card: {
            brand: card.brand,
            checks: card.checks,
            country: card.country,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            fingerprint: card.fingerprint,
            funding: card.funding,
            last4: card.last4,
            network: card.brand,
            network_transaction_id: null,
            three_d_secure: null,
            wallet: null,
          },
        }
      : null,
    refunded: false,
    status: 'succeeded',
  };
}

export function makeProduct(p: Partial<Stripe.Product> & { id: string }): Stripe.Product {
  const created = p.created ?? now() - 86400 * 30;
  const product: Stripe.Product = {
    id: p.id,
    object: 'product',
    active: true,
    created,
    default_price: null,
    description: null,
    images: [],
    livemode: false,
    marketing_features: [],
    metadata: {},
    name: 'Fake Product',
    package_dimensions: null,
    shippable: null,
    statement_descriptor: null,
    tax_code: null,
    tax_details: null,
    type: 'service',
    unit_label: null,
    updated: created,
    url: null,
  };
  return { ...product, ...p } as Stripe.Product;
}

export function makePrice(p: Partial<Stripe.Price> & { id: string; product: string | Stripe.Product }): Stripe.Price {
  const unitAmount = p.unit_amount === undefined ? 2000 : p.unit_amount;
  const price: Stripe.Price = {
    id: p.id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: now() - 86400 * 30,
    currency: 'usd',
    custom_unit_amount: null,
    livemode: false,
    lookup_key: null,
    metadata: {},
    nickname: null,
    product: p.product,
    recurring: null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: p.recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: unitAmount === null ? null : Stripe.Decimal.from(String(unitAmount)),
  };
  return { ...price, ...p, unit_amount: unitAmount } as Stripe.Price;
}

/** A PaymentIntent as a Checkout Session makes it when its customer first tries to pay: waiting for a card. */
export function makePaymentIntent(p: {
  id: string;
  amount: number;
  currency: string;
  created: number;
  livemode: boolean;
  metadata: Record<string, string>;
  description: string | null;
}): Stripe.PaymentIntent {
  return {
    id: p.id,
    object: 'payment_intent',
    allowed_payment_method_types: null,
    amount: p.amount,
    amount_capturable: 0,
    amount_received: 0,
    application: null,
    application_fee_amount: null,
    automatic_payment_methods: null,
    canceled_at: null,
    cancellation_reason: null,
    capture_method: 'automatic_async',
    client_secret: `${p.id}_secret_${randomId('x', 24).slice(2)}`,
    confirmation_method: 'automatic',
    created: p.created,
    currency: p.currency,
    customer: null,
    customer_account: null,
    description: p.description,
    excluded_payment_method_types: null,
    last_payment_error: null,
    latest_charge: null,
    livemode: p.livemode,
    managed_payments: null,
    metadata: p.metadata,
    next_action: null,
    on_behalf_of: null,
    payment_method: null,
    payment_method_configuration_details: null,
    payment_method_options: null,
    payment_method_types: ['card'],
    payment_record: null,
    processing: null,
    receipt_email: null,
    review: null,
    setup_future_usage: null,
    shipping: null,
    source: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'requires_payment_method',
    transfer_data: null,
    transfer_group: null,
  };
}

/** The charge a card payment leaves (outside invoices): approved until a decline rewrites it (declinedChargeFields). */
export function makePaymentCharge(p: {
  id: string;
  amount: number;
  currency: string;
  paymentIntentId: string;
  paymentMethod: Stripe.PaymentMethod;
  created: number;
  livemode: boolean;
  description: string | null;
  receiptEmail: string | null;
}): Stripe.Charge {
  const card = p.paymentMethod.card;
  return {
    id: p.id,
    object: 'charge',
    amount: p.amount,
    amount_captured: p.amount,
    amount_refunded: 0,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: randomId('txn'),
    billing_details: p.paymentMethod.billing_details,
    calculated_statement_descriptor: 'FAKE MERCHANT',
    captured: true,
    created: p.created,
    currency: p.currency,
    customer: null,
    description: p.description,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: p.livemode,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: p.paymentIntentId,
    payment_method: p.paymentMethod.id,
    payment_method_details: card
      ? ({
          type: 'card',
          card: {
            amount_authorized: p.amount,
            authorization_code: '123456',
            brand: card.brand,
            checks: card.checks,
            country: card.country,
            exp_month: card.exp_month,
            exp_year: card.exp_year,
            fingerprint: card.fingerprint,
            funding: card.funding,
            installments: null,
            last4: card.last4,
            mandate: null,
            network: card.brand,
            network_token: { used: false },
            network_transaction_id: null,
            three_d_secure: null,
            wallet: null,
          },
        } as unknown as Stripe.Charge.PaymentMethodDetails)
      : null,
    receipt_email: p.receiptEmail,
    receipt_number: null,
    receipt_url: null,
    refunded: false,
    review: null,
    shipping: null,
    source: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

/** An amount as Stripe writes it in its messages: "$0.50", "£12.00", "¥500". */
function formatMoney(minor: number, currency: string): string {
  const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() });
  return format.format(minor / 10 ** (format.resolvedOptions().maximumFractionDigits ?? 2));
}

/**
 * The smallest amount a Checkout Session may total, per currency (Stripe's "minimum charge amounts"); other
 * currencies here are held to the equivalent of 50 US cents as a rough stand-in.
 */
const MINIMUM_CHARGE: Record<string, number> = { usd: 50, eur: 50, gbp: 30, aud: 50, cad: 50, nzd: 50, chf: 50, sgd: 50, hkd: 400, jpy: 50, sek: 300, nok: 300, dkk: 250, pln: 200, czk: 1500, mxn: 1000 };

export function makeEvent<T>(
  type: string,
  object: T,
  opts: { id?: string; account?: string; created?: number; livemode?: boolean; previousAttributes?: object } = {},
): Stripe.Event {
  const event = {
    id: opts.id ?? randomId('evt'),
    object: 'event',
    ...(opts.account ? { account: opts.account } : {}),
    api_version: API_VERSION,
    created: opts.created ?? now(),
    data: { object, ...(opts.previousAttributes ? { previous_attributes: opts.previousAttributes } : {}) },
    livemode: opts.livemode ?? false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
  };
  return event as unknown as Stripe.Event;
}

/** A valid `Stripe-Signature` header value for `payload` (what stripe.webhooks.constructEvent checks). */
export function signPayload(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });
}

// ---------------------------------------------------------------------------------------------
// Errors in Stripe's envelope
// ---------------------------------------------------------------------------------------------

type RawError = {
  type: string;
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  advice_code?: string;
  network_decline_code?: string;
  network_advice_code?: string;
  charge?: string;
  payment_intent?: unknown;
};

function apiError(status: number, e: RawError, headers?: Record<string, string>): Result {
  const doc_url = e.code ? `https://docs.stripe.com/error-codes/${e.code.replace(/_/g, '-')}` : undefined;
  // Stripe marks errors a retry cannot fix with Stripe-Should-Retry: false.
  return { status, body: { error: { ...e, doc_url } }, headers: { 'Stripe-Should-Retry': 'false', ...headers } };
}
const oauthError = (error: string, error_description: string): Result => ({
  status: 400,
  body: { error, error_description },
});
const missing = (kind: string, id: string, param = 'id') =>
  apiError(404, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${kind}: '${id}'` });

const DECLINES: Record<string, { message: string; network: string; advice?: string; code?: string }> = {
  insufficient_funds: { message: 'Your card has insufficient funds.', network: '51', advice: 'try_again_later' },
  generic_decline: { message: 'Your card was declined.', network: '05' },
  do_not_honor: { message: 'Your card was declined.', network: '05' },
  expired_card: { message: 'Your card has expired.', network: '54', advice: 'confirm_card_data', code: 'expired_card' },
  incorrect_cvc: { message: "Your card's security code is incorrect.", network: 'N7', advice: 'confirm_card_data', code: 'incorrect_cvc' },
  lost_card: { message: 'Your card was declined.', network: '41', advice: 'do_not_try_again' },
  stolen_card: { message: 'Your card was declined.', network: '43', advice: 'do_not_try_again' },
  processing_error: { message: 'An error occurred while processing your card. Try again in a little bit.', network: '96', code: 'processing_error' },
};

/** A card_error as Stripe answers a decline (402), naming the failed charge. */
function declineError(decline: DeclineOptions, chargeId: string): RawError {
  const known = DECLINES[decline.declineCode ?? 'insufficient_funds'] ?? DECLINES.generic_decline;
  return {
    type: 'card_error',
    code: decline.code ?? known.code ?? 'card_declined',
    decline_code: decline.declineCode ?? 'insufficient_funds',
    advice_code: decline.adviceCode ?? known.advice,
    network_decline_code: decline.networkDeclineCode ?? known.network,
    network_advice_code: decline.networkAdviceCode,
    message: decline.message ?? known.message,
    charge: chargeId,
  };
}

/** What a decline rewrites on the charge it failed. */
function declinedChargeFields(err: RawError): Record<string, unknown> {
  return {
    paid: false,
    captured: false,
    amount_captured: 0,
    status: 'failed',
    failure_code: err.code,
    failure_message: err.message,
    outcome: {
      advice_code: err.advice_code ?? null,
      network_advice_code: err.network_advice_code ?? null,
      network_decline_code: err.network_decline_code ?? null,
      network_status: 'declined_by_network',
      reason: err.decline_code,
      risk_level: 'normal',
      risk_score: 20,
      seller_message: 'The bank did not return any further details with this decline.',
      type: 'issuer_declined',
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Server
// ---------------------------------------------------------------------------------------------

export async function startFakeStripe(opts: FakeStripeOptions = {}): Promise<FakeStripe> {
  const requests: RecordedStripeRequest[] = [];
  const stores = new Map<string, Store>();
  const storeFor = (account: string | null): Store => {
    const key = account ?? '';
    let s = stores.get(key);
    if (!s) {
      s = { invoices: new Map(), customers: new Map(), paymentMethods: new Map(), paymentIntents: new Map(), charges: new Map(), subscriptions: new Map(), checkoutSessions: new Map(), refunds: new Map(), products: new Map(), prices: new Map() };
      stores.set(key, s);
    }
    return s;
  };
  const scripted: Array<{ method: string; path: string | RegExp; response: ScriptedResponse }> = [];
  const declines = new Map<string, DeclineOptions[]>();
  const idempotency = new Map<string, { fingerprint: string; requestId: string; result: Result }>();
  const usedCodes = new Set<string>();
  const portalSessions = new Map<string, Stripe.BillingPortal.Session>();
  const oauthAccount = opts.oauth?.stripeUserId ?? `acct_fake${randomId('x', 16).slice(2)}`;
  const oauthLivemode = opts.oauth?.livemode ?? false;
  let baseUrl = '';

  const matches = (pattern: string | RegExp, path: string) =>
    typeof pattern === 'string' ? pattern === path : pattern.test(path);
  const expands = (ctx: Ctx, field: string) =>
    Array.isArray(ctx.params.expand) && ctx.params.expand.some((e) => e === field || String(e).startsWith(`${field}.`));
  /** A PaymentIntent as answered: its `latest_charge` expanded when asked for (`….payment_intent.latest_charge`). */
  const renderPaymentIntent = (ctx: Ctx, pi: Record<string, unknown>, path: string) => {
    const charge = ctx.store.charges.get(String(pi.latest_charge));
    return expands(ctx, `${path}.latest_charge`) && charge ? { ...pi, latest_charge: charge } : pi;
  };
  /** Stripe returns `payments` on an invoice only when asked for with expand[]=payments (…payment.payment_intent expands each PaymentIntent). */
  /** …and its `customer` when asked for with expand[]=customer. */
  const renderInvoice = (ctx: Ctx, invoice: Stripe.Invoice) => {
    const body = renderInvoiceFields(ctx, invoice);
    const customer = ctx.store.customers.get(String(invoice.customer));
    return expands(ctx, 'customer') && customer ? { ...body, customer } : body;
  };
  const renderInvoiceFields = (ctx: Ctx, invoice: Stripe.Invoice) => {
    if (expands(ctx, 'payments.data.payment.payment_intent') && invoice.payments) {
      const data = invoice.payments.data.map((p) => {
        const pi = ctx.store.paymentIntents.get(String(p.payment.payment_intent));
        return pi ? { ...p, payment: { ...p.payment, payment_intent: pi } } : p;
      });
      return { ...invoice, payments: { ...invoice.payments, data } };
    }
    if (expands(ctx, 'payments')) return invoice;
    const rest: Partial<Stripe.Invoice> = { ...invoice };
    delete rest.payments;
    return rest;
  };

  // -- route handlers ------------------------------------------------------------------------

  /** One collection attempt on an open invoice (ours via /pay, or Stripe's own): declines when one is queued. */
  function attemptInvoice(store: Store, invoice: Stripe.Invoice, paymentMethodParam: string | null, decline: DeclineOptions | undefined): Result {
    const id = invoice.id!;
    const t = now();
    if (invoice.status === 'draft') {
      invoice.status = 'open';
      invoice.status_transitions.finalized_at = t;
      invoice.number ??= `FAKE${id.slice(-4).toUpperCase()}-0001`;
    }
    invoice.attempt_count += 1;
    invoice.attempted = true;
    // An invoice keeps one PaymentIntent across attempts; it appears in `payments` as the default InvoicePayment.
    invoice.payments ??= { object: 'list', data: [], has_more: false, url: `/v1/invoice_payments?invoice=${id}` };
    let payment = invoice.payments.data.find((p) => p.is_default);
    if (!payment) {
      payment = {
        id: randomId('inpay'),
        object: 'invoice_payment',
        amount_paid: null,
        amount_requested: invoice.amount_remaining,
        created: t,
        currency: invoice.currency,
        invoice: id,
        is_default: true,
        livemode: invoice.livemode,
        payment: { type: 'payment_intent', payment_intent: randomId('pi') },
        status: 'open',
        status_transitions: { canceled_at: null, paid_at: null },
      };
      invoice.payments.data.push(payment);
    }
    const paymentIntentId = String(payment.payment.payment_intent);
    const chargeId = randomId('ch');
    const customer = store.customers.get(String(invoice.customer));
    const defaultPm = customer?.invoice_settings?.default_payment_method;
    const paymentMethodId = paymentMethodParam ?? (typeof defaultPm === 'string' ? defaultPm : defaultPm?.id ?? null);
    const paymentMethod = paymentMethodId ? store.paymentMethods.get(paymentMethodId) ?? { id: paymentMethodId, object: 'payment_method' } : undefined;
    const pi: Record<string, unknown> = {
      id: paymentIntentId,
      object: 'payment_intent',
      amount: invoice.amount_remaining,
      currency: invoice.currency,
      customer: invoice.customer,
      created: payment.created,
      latest_charge: chargeId,
      livemode: invoice.livemode,
      payment_method: paymentMethodId,
      last_payment_error: null,
      status: 'succeeded',
    };
    store.paymentIntents.set(paymentIntentId, pi);
    const charge = makeCharge({ id: chargeId, invoice, paymentIntentId, paymentMethod, created: t });
    store.charges.set(chargeId, charge);

    if (decline) {
      const err = declineError(decline, chargeId);
      Object.assign(charge, declinedChargeFields(err));
      if (decline.networkCodesOnChargeOnly) {
        delete err.network_decline_code;
        delete err.network_advice_code;
      }
      const lastError = { ...err };
      delete lastError.payment_intent;
      Object.assign(pi, { status: 'requires_payment_method', payment_method: null, last_payment_error: { ...lastError, type: 'card_error', payment_method: paymentMethod } });
      err.payment_intent = pi as unknown as RawError['payment_intent'];
      return apiError(402, err);
    }

    invoice.status = 'paid';
    invoice.amount_paid = invoice.amount_due;
    invoice.amount_remaining = 0;
    invoice.next_payment_attempt = null;
    invoice.auto_advance = false;
    invoice.status_transitions.paid_at = t;
    payment.status = 'paid';
    payment.amount_paid = invoice.amount_due;
    payment.status_transitions.paid_at = t;
    return { status: 200, body: invoice };
  }

  function payInvoice(ctx: Ctx, id: string): Result {
    const invoice = ctx.store.invoices.get(id);
    if (!invoice) return missing('invoice', id, 'invoice');
    if (invoice.status === 'paid') {
      // What Stripe answers: 400 invalid_request_error, message "Invoice is already paid", and no `code`
      // (neither invoice_already_paid nor invoice_not_open is in Stripe's documented error-code list).
      return apiError(400, { type: 'invalid_request_error', message: 'Invoice is already paid' });
    }
    if (invoice.status === 'void') {
      return apiError(400, { type: 'invalid_request_error', message: 'This invoice has been voided and can no longer be paid.' });
    }
    if (ctx.params.paid_out_of_band === 'true' || ctx.params.paid_out_of_band === true) {
      // Paid outside Stripe: no charge, the invoice is simply marked paid (Stripe stops collecting it).
      const t = now();
      Object.assign(invoice, { status: 'paid', paid_out_of_band: true, amount_remaining: 0, next_payment_attempt: null, auto_advance: false });
      invoice.status_transitions.paid_at = t;
      return { status: 200, body: renderInvoice(ctx, invoice) };
    }
    const paymentMethod = typeof ctx.params.payment_method === 'string' ? ctx.params.payment_method : null;
    const result = attemptInvoice(ctx.store, invoice, paymentMethod, declines.get(id)?.shift());
    return result.status === 200 ? { status: 200, body: renderInvoice(ctx, invoice) } : result;
  }

  function updateCustomer(ctx: Ctx, id: string): Result {
    const customer = ctx.store.customers.get(id);
    if (!customer) return missing('customer', id);
    const { expand: _expand, ...changes } = ctx.rec.body;
    // Stripe semantics: an empty string unsets a field; inside metadata it deletes the key.
    const merge = (target: Record<string, unknown>, patch: Record<string, unknown>, inMetadata: boolean) => {
      for (const [k, v] of Object.entries(patch)) {
        if (v === '' && inMetadata) delete target[k];
        else if (v === '') target[k] = null;
        else if (v && typeof v === 'object' && !Array.isArray(v)) {
          if (typeof target[k] !== 'object' || target[k] === null) target[k] = {};
          merge(target[k] as Record<string, unknown>, v as Record<string, unknown>, k === 'metadata');
        } else target[k] = v;
      }
    };
    merge(customer as unknown as Record<string, unknown>, changes, false);
    return { status: 200, body: customer };
  }

  function createPortalSession(ctx: Ctx): Result {
    const body = ctx.rec.body as {
      customer?: string;
      return_url?: string;
      configuration?: string;
      locale?: string;
      on_behalf_of?: string;
      flow_data?: {
        type?: string;
        after_completion?: { type?: string; redirect?: { return_url?: string }; hosted_confirmation?: { custom_message?: string } };
        subscription_cancel?: { subscription: string };
        subscription_update?: { subscription: string };
      };
    };
    if (!body.customer) {
      return apiError(400, { type: 'invalid_request_error', code: 'parameter_missing', param: 'customer', message: 'Missing required param: customer.' });
    }
    if (!ctx.store.customers.has(body.customer)) return missing('customer', body.customer, 'customer');
    const f = body.flow_data;
    if (f && !f.type) {
      return apiError(400, { type: 'invalid_request_error', code: 'parameter_missing', param: 'flow_data[type]', message: 'Missing required param: flow_data[type].' });
    }
    const after = f?.after_completion;
    const id = randomId('bps');
    const session: Stripe.BillingPortal.Session = {
      id,
      object: 'billing_portal.session',
      configuration: body.configuration ?? 'bpc_fake_default',
      created: now(),
      customer: body.customer,
      customer_account: null,
      flow: f
        ? {
            type: f.type!,
            after_completion: {
              type: after?.type ?? 'portal_homepage',
              redirect: after?.redirect?.return_url ? { return_url: after.redirect.return_url } : null,
              hosted_confirmation: after?.type === 'hosted_confirmation' ? { custom_message: after.hosted_confirmation?.custom_message ?? null } : null,
            },
            customer_update: null,
            subscription_cancel: f.subscription_cancel ? { retention: null, subscription: f.subscription_cancel.subscription } : null,
            subscription_pause: null,
            subscription_update: f.subscription_update ? { subscription: f.subscription_update.subscription } : null,
            subscription_update_confirm: null,
          }
        : null,
      livemode: ctx.livemode,
      locale: (body.locale as Stripe.BillingPortal.Session.Locale) ?? null,
      on_behalf_of: body.on_behalf_of ?? null,
      return_url: body.return_url ?? null,
      url: `${baseUrl}/fake-portal/${id}`,
    };
    portalSessions.set(id, session);
    return { status: 200, body: session };
  }

  // -- collection: Checkout Sessions, the PaymentIntents they leave, Refunds, the catalogue --------

  /** sessionId → account, for the hosted page (a browser sends no Stripe-Account header). */
  const checkoutAccounts = new Map<string, string | null>();
  const checkoutListeners = new Set<(completed: CheckoutCompleted) => void>();
  const revokedAccounts = new Set<string>();

  const invalidParam = (message: string, param?: string, code?: string) =>
    apiError(400, { type: 'invalid_request_error', message, ...(param ? { param } : {}), ...(code ? { code } : {}) });
  const missingParam = (param: string) => invalidParam(`Missing required param: ${param}.`, param, 'parameter_missing');
  /** An id named in a request's parameters that the account does not have: 400, unlike a missing object in the path (404). */
  const noSuchParam = (kind: string, id: string, param: string) =>
    apiError(400, { type: 'invalid_request_error', code: 'resource_missing', param, message: `No such ${kind}: '${id}'` });
  const isCount = (v: unknown, min: number) => typeof v === 'string' && /^\d+$/.test(v) && Number(v) >= min;

  /** Stripe's metadata limits: up to 50 keys, keys up to 40 characters, values up to 500. */
  function metadataError(meta: unknown, param: string): Result | null {
    if (meta === undefined || meta === '') return null;
    if (typeof meta !== 'object' || meta === null || Array.isArray(meta)) return invalidParam('Invalid object', param);
    const entries = Object.entries(meta);
    if (entries.length > 50) return invalidParam('You can specify up to 50 keys in metadata.', param);
    for (const [k, v] of entries) {
      if (k.length > 40) return invalidParam(`Metadata keys can have up to 40 characters, but you passed in a key that is ${k.length} characters. Invalid key: ${k}`, `${param}[${k}]`);
      if (typeof v !== 'string') return invalidParam('Invalid string', `${param}[${k}]`);
      if (v.length > 500) {
        return invalidParam(`Metadata values can have up to 500 characters, but you passed in a value that is ${v.length} characters. Invalid value: ${v}`, `${param}[${k}]`);
      }
    }
    return null;
  }
  /** Metadata as stored: an empty value unsets its key (Stripe's rule). */
  const metadataOf = (meta: unknown): Record<string, string> =>
    meta && typeof meta === 'object' ? (Object.fromEntries(Object.entries(meta).filter(([, v]) => v !== '')) as Record<string, string>) : {};

  /** Stripe expires an open session once its `expires_at` passes; the fake does so whenever it looks at one. */
  function lapseIfDue(stored: StoredCheckout): StoredCheckout {
    const s = stored.session;
    if (s.status === 'open' && s.expires_at <= now()) Object.assign(s, { status: 'expired', url: null });
    return stored;
  }
  const checkoutOf = (store: Store, id: string) => {
    const stored = store.checkoutSessions.get(id);
    return stored && lapseIfDue(stored);
  };

  /** A session as answered: `line_items` only when expanded; `payment_intent` (and its `latest_charge`) when asked for. */
  function renderCheckout(ctx: Ctx, stored: StoredCheckout): Record<string, unknown> {
    const s = stored.session;
    const body: Record<string, unknown> = { ...s };
    if (expands(ctx, 'line_items')) {
      body.line_items = { object: 'list', data: stored.lineItems, has_more: false, url: `/v1/checkout/sessions/${s.id}/line_items` };
    }
    const pi = s.payment_intent ? ctx.store.paymentIntents.get(String(s.payment_intent)) : undefined;
    if (expands(ctx, 'payment_intent') && pi) body.payment_intent = renderPaymentIntent(ctx, pi, 'payment_intent');
    return body;
  }

  /** A list as Stripe pages it: newest first, `limit` (default 10, at most 100), `starting_after` / `ending_before`. */
  function listAnswer<T extends { id?: string }>(ctx: Ctx, items: T[], url: string, kind: string): Result {
    let data = [...items].reverse();
    const limit = Math.min(Math.max(Number(ctx.params.limit ?? 10) || 10, 1), 100);
    const cursor = (param: 'starting_after' | 'ending_before') => {
      const id = ctx.params[param];
      if (id === undefined) return null;
      const index = data.findIndex((item) => item.id === id);
      return index < 0 ? noSuchParam(kind, String(id), param) : index;
    };
    const after = cursor('starting_after');
    if (after !== null && typeof after !== 'number') return after;
    const before = cursor('ending_before');
    if (before !== null && typeof before !== 'number') return before;
    if (typeof after === 'number') data = data.slice(after + 1);
    if (typeof before === 'number') data = data.slice(Math.max(0, before - limit), before);
    return { status: 200, body: { object: 'list', data: data.slice(0, limit), has_more: data.length > limit, url } };
  }

  type LineParam = {
    price?: string;
    quantity?: string;
    price_data?: { currency?: string; unit_amount?: string; product?: string; product_data?: { name?: string; description?: string } };
  };
  type CheckoutParams = {
    mode?: string;
    ui_mode?: string;
    line_items?: LineParam[];
    client_reference_id?: string;
    metadata?: unknown;
    customer_email?: string;
    success_url?: string;
    cancel_url?: string;
    expires_at?: string;
    payment_intent_data?: { metadata?: unknown; description?: string };
  };

  function createCheckoutSession(ctx: Ctx): Result {
    const body = ctx.rec.body as CheckoutParams;
    if (!body.mode) return missingParam('mode');
    if (body.mode !== 'payment') return invalidParam(`The fake Stripe opens Checkout Sessions in \`payment\` mode only, not \`${body.mode}\`.`, 'mode');
    if (body.ui_mode !== undefined && body.ui_mode !== 'hosted_page') return invalidParam(`The fake Stripe serves hosted Checkout pages only, not \`${body.ui_mode}\`.`, 'ui_mode');
    if (!body.success_url) return missingParam('success_url');
    for (const param of ['success_url', 'cancel_url'] as const) {
      const url = body[param];
      if (url !== undefined && !URL.canParse(url)) return invalidParam('Not a valid URL', param, 'url_invalid');
    }
    const lines = Array.isArray(body.line_items) ? body.line_items : [];
    if (!lines.length) return missingParam('line_items');

    const lineItems: Stripe.LineItem[] = [];
    for (const [i, line] of lines.entries()) {
      const at = `line_items[${i}]`;
      if ((line.price === undefined) === (line.price_data === undefined)) {
        return invalidParam(`You must specify exactly one of \`price\` or \`price_data\` in ${at}.`, at);
      }
      if (line.quantity === undefined) return missingParam(`${at}[quantity]`);
      if (!isCount(line.quantity, 1)) return invalidParam('Invalid positive integer', `${at}[quantity]`, 'parameter_invalid_integer');
      let price: Stripe.Price;
      let name: string;
      if (line.price !== undefined) {
        const stored = ctx.store.prices.get(line.price);
        if (!stored) return noSuchParam('price', line.price, `${at}[price]`);
        if (!stored.active) return invalidParam('The price specified is inactive. This field only accepts active prices.', `${at}[price]`);
        if (stored.type === 'recurring') {
          return invalidParam('You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.', `${at}[price]`);
        }
        if (stored.unit_amount === null) return invalidParam('The fake Stripe does not take prices without a unit_amount.', `${at}[price]`);
        price = stored;
        name = ctx.store.products.get(String(stored.product))?.name ?? String(stored.product);
      } else {
        const data = line.price_data!;
        if (!data.currency) return missingParam(`${at}[price_data][currency]`);
        if (!/^[a-zA-Z]{3}$/.test(data.currency)) return invalidParam(`Invalid currency: ${data.currency}.`, `${at}[price_data][currency]`);
        if (data.unit_amount === undefined) return missingParam(`${at}[price_data][unit_amount]`);
        if (!isCount(data.unit_amount, 0)) return invalidParam('Invalid non-negative integer', `${at}[price_data][unit_amount]`, 'parameter_invalid_integer');
        let productId: string;
        if (data.product !== undefined) {
          const product = ctx.store.products.get(data.product);
          if (!product) return noSuchParam('product', data.product, `${at}[price_data][product]`);
          productId = product.id;
          name = product.name;
        } else if (data.product_data !== undefined) {
          if (!data.product_data.name) return missingParam(`${at}[price_data][product_data][name]`);
          // Stripe makes a product for it; the fake leaves it out of the catalogue the list routes answer.
          productId = randomId('prod', 14);
          name = data.product_data.name;
        } else {
          return invalidParam('You must specify either `product` or `product_data` when creating a price.', `${at}[price_data]`);
        }
        price = makePrice({ id: randomId('price'), product: productId, currency: data.currency.toLowerCase(), unit_amount: Number(data.unit_amount), active: false, livemode: ctx.livemode });
      }
      const amount = price.unit_amount! * Number(line.quantity);
      lineItems.push({
        id: randomId('li'),
        object: 'item',
        adjustable_quantity: null,
        amount_discount: 0,
        amount_subtotal: amount,
        amount_tax: 0,
        amount_total: amount,
        currency: price.currency,
        description: name,
        metadata: {},
        price,
        quantity: Number(line.quantity),
      });
    }
    const currency = lineItems[0]!.currency;
    if (lineItems.some((l) => l.currency !== currency)) return invalidParam('All prices on a Checkout Session must use the same currency.', 'line_items');
    const total = lineItems.reduce((sum, l) => sum + l.amount_total, 0);
    const minimum = MINIMUM_CHARGE[currency] ?? 50;
    if (total < minimum) return invalidParam(`The Checkout Session's total amount due must add up to at least ${formatMoney(minimum, currency)} ${currency}`);

    const created = now();
    let expiresAt = created + 24 * 3600;
    if (body.expires_at !== undefined) {
      if (!isCount(body.expires_at, 0)) return invalidParam(`Invalid integer: ${body.expires_at}`, 'expires_at', 'parameter_invalid_integer');
      expiresAt = Number(body.expires_at);
      if (expiresAt < created + 30 * 60) return invalidParam('The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.', 'expires_at');
      if (expiresAt > created + 24 * 3600) return invalidParam('The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.', 'expires_at');
    }
    if (body.customer_email !== undefined && !/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(body.customer_email)) {
      return invalidParam(`Invalid email address: ${body.customer_email}`, 'customer_email', 'email_invalid');
    }
    if (body.client_reference_id !== undefined && body.client_reference_id.length > 200) {
      return invalidParam('Invalid string: client_reference_id must be at most 200 characters', 'client_reference_id');
    }
    const badMetadata = metadataError(body.metadata, 'metadata') ?? metadataError(body.payment_intent_data?.metadata, 'payment_intent_data[metadata]');
    if (badMetadata) return badMetadata;

    const id = randomId(ctx.livemode ? 'cs_live' : 'cs_test', 58);
    const session: Stripe.Checkout.Session = {
      id,
      object: 'checkout.session',
      adaptive_pricing: null,
      after_expiration: null,
      allow_promotion_codes: null,
      allowed_payment_method_types: null,
      amount_subtotal: total,
      amount_total: total,
      automatic_tax: { enabled: false, liability: null, provider: null, status: null },
      billing_address_collection: null,
      cancel_url: body.cancel_url ?? null,
      client_reference_id: body.client_reference_id ?? null,
      client_secret: null,
      collected_information: null,
      consent: null,
      consent_collection: null,
      created,
      currency,
      currency_conversion: null,
      custom_fields: [],
      custom_text: { after_submit: null, shipping_address: null, submit: null, terms_of_service_acceptance: null },
      customer: null,
      customer_account: null,
      customer_creation: 'if_required',
      customer_details: null,
      customer_email: body.customer_email ?? null,
      discounts: [],
      expires_at: expiresAt,
      integration_identifier: null,
      invoice: null,
      invoice_creation: {
        enabled: false,
        invoice_data: { account_tax_ids: null, custom_fields: null, description: null, footer: null, issuer: null, metadata: {}, rendering_options: null },
      },
      livemode: ctx.livemode,
      locale: null,
      managed_payments: null,
      metadata: metadataOf(body.metadata),
      mode: 'payment',
      origin_context: null,
      payment_intent: null,
      payment_link: null,
      payment_method_collection: 'if_required',
      payment_method_configuration_details: null,
      payment_method_options: null,
      payment_method_types: ['card'],
      payment_status: 'unpaid',
      permissions: null,
      phone_number_collection: { enabled: false },
      recovered_from: null,
      saved_payment_method_options: null,
      setup_intent: null,
      shipping_address_collection: null,
      shipping_cost: null,
      shipping_options: [],
      status: 'open',
      submit_type: null,
      subscription: null,
      success_url: body.success_url,
      total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
      ui_mode: 'hosted_page',
      url: `${baseUrl}/fake-checkout/${id}`,
      wallet_options: null,
    };
    const stored: StoredCheckout = {
      session,
      lineItems,
      paymentIntentData: { metadata: metadataOf(body.payment_intent_data?.metadata), description: body.payment_intent_data?.description ?? null },
    };
    ctx.store.checkoutSessions.set(id, stored);
    checkoutAccounts.set(id, ctx.rec.stripeAccount);
    return { status: 200, body: renderCheckout(ctx, stored) };
  }

  function expireCheckoutSession(ctx: Ctx, id: string): Result {
    const stored = checkoutOf(ctx.store, id);
    if (!stored) return missing('checkout.session', id, 'session');
    const s = stored.session;
    if (s.status !== 'open') {
      // No `code` on this one (none in Stripe's documented error codes fits it).
      return invalidParam(`Only Checkout Sessions with a status in ['open'] can be expired. This Checkout Session has a status of ${s.status}.`);
    }
    Object.assign(s, { status: 'expired', url: null });
    return { status: 200, body: renderCheckout(ctx, stored) };
  }

  /**
   * The customer pays an open session: the PaymentIntent is made at the first try and kept across tries (as on
   * Stripe); each try leaves a charge. A decline keeps the session open; a payment completes it.
   */
  function payCheckout(account: string | null, stored: StoredCheckout, opts: CompleteCheckoutOptions): { declined: RawError } | { session: Stripe.Checkout.Session } {
    const store = storeFor(account);
    const s = stored.session;
    const t = now();
    // ND8's sandbox_simulate, as Recoup passes it in the session's metadata: the sandbox scripts the outcome.
    const simulate = s.metadata?.recoup_sandbox_simulate;
    if (simulate === 'checkout_pending') return { session: JSON.parse(JSON.stringify(s)) as Stripe.Checkout.Session };
    if (simulate === 'checkout_canceled' || simulate === 'canceled') {
      Object.assign(s, { status: 'expired', url: null });
      const session = JSON.parse(JSON.stringify(s)) as Stripe.Checkout.Session;
      const event = makeEvent('checkout.session.expired', session, { account: account ?? undefined, livemode: s.livemode });
      for (const listener of checkoutListeners) listener({ account, session, event });
      return { session };
    }
    const amount = s.amount_total ?? 0;
    const currency = s.currency ?? 'usd';
    const email = opts.email ?? s.customer_email ?? 'customer@example.com';
    const name = opts.name ?? 'Fake Customer';
    let pi = s.payment_intent ? store.paymentIntents.get(String(s.payment_intent)) : undefined;
    if (!pi) {
      const made = makePaymentIntent({ id: randomId('pi'), amount, currency, created: t, livemode: s.livemode, ...stored.paymentIntentData });
      pi = made as unknown as Record<string, unknown>;
      store.paymentIntents.set(made.id, pi);
      s.payment_intent = made.id;
    }
    const pm = makePaymentMethod({
      id: randomId('pm'),
      livemode: s.livemode,
      billing_details: { address: { city: null, country: 'GB', line1: null, line2: null, postal_code: 'SW1A 1AA', state: null }, email, name, phone: null, tax_id: null },
    });
    store.paymentMethods.set(pm.id, pm);
    const charge = makePaymentCharge({
      id: randomId('ch'),
      amount,
      currency,
      paymentIntentId: String(pi.id),
      paymentMethod: pm,
      created: t,
      livemode: s.livemode,
      description: stored.paymentIntentData.description,
      receiptEmail: null,
    }) as unknown as Record<string, unknown>;
    store.charges.set(String(charge.id), charge);
    pi.latest_charge = charge.id;

    if (opts.decline || simulate === 'payment_failed') {
      const err = declineError(opts.decline === true || !opts.decline ? {} : opts.decline, String(charge.id));
      Object.assign(charge, declinedChargeFields(err));
      Object.assign(pi, { status: 'requires_payment_method', payment_method: null, last_payment_error: { ...err, payment_method: pm } });
      if (simulate !== 'payment_failed') return { declined: err };
      // Scripted: the checkout ends unpaid (what a failed delayed payment leaves).
      Object.assign(s, { status: 'complete', payment_status: 'unpaid', url: null });
      const session = JSON.parse(JSON.stringify(s)) as Stripe.Checkout.Session;
      const event = makeEvent('checkout.session.async_payment_failed', session, { account: account ?? undefined, livemode: s.livemode });
      for (const listener of checkoutListeners) listener({ account, session, event });
      return { session };
    }
    const pending = simulate === 'success_pending_deposit';
    Object.assign(pi, { status: pending ? 'processing' : 'succeeded', amount_received: pending ? 0 : amount, payment_method: pm.id, last_payment_error: null });
    Object.assign(s, {
      status: 'complete',
      payment_status: pending ? 'unpaid' : 'paid',
      url: null,
      customer_details: { address: pm.billing_details.address, business_name: null, email, individual_name: null, name, phone: null, tax_exempt: 'none', tax_ids: [] },
    });
    const session = JSON.parse(JSON.stringify(s)) as Stripe.Checkout.Session;
    const event = makeEvent('checkout.session.completed', session, { account: account ?? undefined, livemode: s.livemode });
    for (const listener of checkoutListeners) listener({ account, session, event });
    return { session };
  }

  /** The fake's hosted page: the amount and a Pay button (and one that pays with a declined card). */
  function checkoutPage(stored: StoredCheckout | undefined, notice?: string): string {
    const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    if (!stored) return '<!doctype html><html><head><meta charset="utf-8"><title>Fake Stripe Checkout</title></head><body><h1>Fake Stripe Checkout</h1><p>Unknown session</p></body></html>';
    const s = stored.session;
    const total = formatMoney(s.amount_total ?? 0, s.currency ?? 'usd');
    const action = `/fake-checkout/${encodeURIComponent(s.id)}/pay`;
    const lines = stored.lineItems
      .map((l) => `<li>${esc(l.description ?? '')} × ${l.quantity} — ${esc(formatMoney(l.amount_total, l.currency))}</li>`)
      .join('');
    const body =
      s.status === 'open'
        ? `<form method="post" action="${esc(action)}"><button type="submit">Pay ${esc(total)}</button></form>
<form method="post" action="${esc(action)}"><input type="hidden" name="decline" value="generic_decline"><button type="submit">Pay with a card that is declined</button></form>
${s.cancel_url ? `<a href="${esc(s.cancel_url)}">Back to the merchant</a>` : ''}`
        : `<p>This Checkout Session is ${s.status === 'complete' ? 'already paid' : 'no longer available'} (status: <code>${esc(String(s.status))}</code>).</p>`;
    return `<!doctype html><html><head><meta charset="utf-8"><title>Fake Stripe Checkout</title></head><body>
<h1>Fake Stripe Checkout</h1>
<p>Session <code>${esc(s.id)}</code></p>
<ul>${lines}</ul>
<p>Total: <strong data-amount="${s.amount_total}">${esc(total)}</strong></p>
${notice ? `<p role="alert">${esc(notice)}</p>` : ''}
${body}
</body></html>`;
  }

  function hostedCheckout(rec: RecordedStripeRequest, id: string, pay: boolean): Result {
    const account = checkoutAccounts.get(id);
    const stored = account === undefined ? undefined : checkoutOf(storeFor(account), id);
    if (!stored) return { status: 404, body: checkoutPage(undefined) };
    if (!pay) return { status: 200, body: checkoutPage(stored) };
    if (stored.session.status !== 'open') return { status: 409, body: checkoutPage(stored) };
    const decline = typeof rec.body.decline === 'string' && rec.body.decline ? { declineCode: rec.body.decline } : undefined;
    const paid = payCheckout(account!, stored, { decline });
    if ('declined' in paid) return { status: 402, body: checkoutPage(stored, paid.declined.message) };
    const next = stored.session.success_url!.replace(/\{CHECKOUT_SESSION_ID\}/g, id);
    return { status: 303, body: '', headers: { Location: next } };
  }

  type RefundParams = { payment_intent?: string; charge?: string; amount?: string; reason?: string; metadata?: unknown };
  const REFUND_REASONS = ['duplicate', 'fraudulent', 'requested_by_customer'];

  /**
   * Stripe's rules: only a succeeded charge, not more than it has left; a PaymentIntent refunds its latest charge.
   * Real card refunds usually answer `succeeded` at once; the fake's start `pending` so that tests drive
   * `refund.updated` / `charge.refund.updated` themselves (settleRefund).
   */
  function createRefund(ctx: Ctx): Result {
    const body = ctx.rec.body as RefundParams;
    if (!body.payment_intent && !body.charge) {
      return invalidParam('One of the following params should be provided for this request: payment_intent or charge.', undefined, 'parameter_missing');
    }
    let charge: Record<string, unknown> | undefined;
    if (body.payment_intent) {
      const pi = ctx.store.paymentIntents.get(body.payment_intent);
      if (!pi) return noSuchParam('payment_intent', body.payment_intent, 'payment_intent');
      charge = pi.latest_charge ? ctx.store.charges.get(String(pi.latest_charge)) : undefined;
      if (pi.status !== 'succeeded' || charge?.status !== 'succeeded') {
        return invalidParam(`This PaymentIntent (${body.payment_intent}) does not have a successful charge to refund.`, 'payment_intent');
      }
    }
    if (body.charge) {
      const named = ctx.store.charges.get(body.charge);
      if (!named) return noSuchParam('charge', body.charge, 'charge');
      if (charge && charge !== named) return invalidParam(`Charge ${body.charge} does not belong to PaymentIntent ${body.payment_intent}.`, 'charge');
      if (named.status !== 'succeeded') return invalidParam(`Charge ${body.charge} has failed and cannot be refunded.`, 'charge');
      charge = named;
    }
    const chargeId = String(charge!.id);
    const currency = String(charge!.currency);
    const remaining = Number(charge!.amount) - Number(charge!.amount_refunded ?? 0);
    if (remaining <= 0) return invalidParam(`Charge ${chargeId} has already been refunded.`, undefined, 'charge_already_refunded');
    if (body.amount !== undefined && !isCount(body.amount, 1)) return invalidParam('Invalid positive integer', 'amount', 'parameter_invalid_integer');
    const amount = body.amount === undefined ? remaining : Number(body.amount);
    if (amount > remaining) {
      // Stripe names the amounts in its message and sets no `code`.
      return invalidParam(`Refund amount (${formatMoney(amount, currency)}) is greater than unrefunded amount on charge (${formatMoney(remaining, currency)})`, 'amount');
    }
    if (body.reason !== undefined && !REFUND_REASONS.includes(body.reason)) {
      return invalidParam(`Invalid reason: must be one of ${REFUND_REASONS.join(', ')}`, 'reason');
    }
    const badMetadata = metadataError(body.metadata, 'metadata');
    if (badMetadata) return badMetadata;

    const refund: Stripe.Refund = {
      id: randomId('re'),
      object: 'refund',
      amount,
      balance_transaction: randomId('txn'),
      charge: chargeId,
      created: now(),
      currency,
      customer: null,
      customer_account: null,
      metadata: metadataOf(body.metadata),
      payment_intent: charge!.payment_intent ? String(charge!.payment_intent) : null,
      payment_method: charge!.payment_method ? String(charge!.payment_method) : null,
      reason: (body.reason as Stripe.Refund.Reason | undefined) ?? null,
      receipt_number: null,
      source_transfer_reversal: null,
      status: 'pending',
      transfer_reversal: null,
    };
    ctx.store.refunds.set(refund.id, refund);
    // A pending refund already counts against what the charge has left, so no second refund can overtake it.
    const refunded = Number(charge!.amount_refunded ?? 0) + amount;
    Object.assign(charge!, { amount_refunded: refunded, refunded: refunded >= Number(charge!.amount) });
    return { status: 200, body: refund };
  }

  function connectedAccount(ctx: Ctx): Stripe.Account {
    return {
      id: ctx.rec.stripeAccount ?? 'acct_fake_platform',
      object: 'account',
      business_profile: { name: 'Fake Merchant' } as Stripe.Account.BusinessProfile,
      capabilities: { card_payments: 'active', transfers: 'active' },
      charges_enabled: true,
      country: 'GB',
      created: now() - 86400 * 365,
      default_currency: 'gbp',
      details_submitted: true,
      email: 'merchant@example.com',
      payouts_enabled: true,
      type: 'standard',
    };
  }

  function oauthToken(ctx: Ctx): Result {
    const { grant_type, code, refresh_token } = ctx.rec.body as Record<string, string | undefined>;
    const token = () => ({
      status: 200,
      body: {
        access_token: randomId(oauthLivemode ? 'sk_live' : 'sk_test', 32),
        livemode: oauthLivemode,
        refresh_token: randomId('rt', 32),
        scope: 'read_write',
        stripe_publishable_key: randomId(oauthLivemode ? 'pk_live' : 'pk_test', 32),
        stripe_user_id: oauthAccount,
        token_type: 'bearer',
      },
    });
    if (grant_type === 'refresh_token') {
      return refresh_token ? token() : oauthError('invalid_request', 'No refresh_token provided.');
    }
    if (grant_type !== 'authorization_code') {
      return oauthError('unsupported_grant_type', `Unsupported grant type: ${grant_type ?? '(none)'}`);
    }
    if (!code) return oauthError('invalid_request', 'No authorization code provided');
    if (code.startsWith('bad')) return oauthError('invalid_grant', `Authorization code does not exist: ${code}`);
    if (usedCodes.has(code)) {
      return oauthError('invalid_grant', `This authorization code has already been used. All tokens issued with this code have been revoked.`);
    }
    usedCodes.add(code);
    return token();
  }

  function oauthDeauthorize(ctx: Ctx): Result {
    const { client_id, stripe_user_id } = ctx.rec.body as Record<string, string | undefined>;
    if (!client_id) return oauthError('invalid_request', 'Missing required param: client_id.');
    if (!stripe_user_id) return oauthError('invalid_request', 'Missing required param: stripe_user_id.');
    return { status: 200, body: { stripe_user_id } };
  }

  /** A price with its `product` expanded when asked for (`product`, or `data.product` in a list). */
  const withProduct = (ctx: Ctx, price: Stripe.Price, path: string) => {
    const product = ctx.store.products.get(String(price.product));
    return expands(ctx, path) && product ? { ...price, product } : price;
  };

  const routes: Array<[string, RegExp, (ctx: Ctx, m: RegExpMatchArray) => Result]> = [
    ['POST', /^\/oauth\/token$/, (ctx) => oauthToken(ctx)],
    ['POST', /^\/oauth\/deauthorize$/, (ctx) => oauthDeauthorize(ctx)],
    ['GET', /^\/v1\/invoices\/([^/]+)$/, (ctx, [, id]) => {
      const invoice = ctx.store.invoices.get(id);
      return invoice ? { status: 200, body: renderInvoice(ctx, invoice) } : missing('invoice', id);
    }],
    ['POST', /^\/v1\/invoices\/([^/]+)\/pay$/, (ctx, [, id]) => payInvoice(ctx, id)],
    ['GET', /^\/v1\/invoice_payments$/, (ctx) => {
      const invoiceId = ctx.params.invoice;
      // One invoice's payments by its id: a scan of every invoice per call made the drain bench's
      // fake Stripe quadratic in the number of invoices.
      const invoices = invoiceId === undefined ? [...ctx.store.invoices.values()] : [ctx.store.invoices.get(String(invoiceId))].filter((i) => i !== undefined);
      const data = invoices
        .flatMap((i) => i.payments?.data ?? [])
        .map((p) => {
          const pi = ctx.store.paymentIntents.get(String(p.payment.payment_intent));
          return expands(ctx, 'data.payment.payment_intent') && pi
            ? { ...p, payment: { ...p.payment, payment_intent: renderPaymentIntent(ctx, pi, 'data.payment.payment_intent') } }
            : p;
        });
      return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/invoice_payments' } };
    }],
    ['GET', /^\/v1\/customers\/([^/]+)$/, (ctx, [, id]) => {
      const customer = ctx.store.customers.get(id);
      return customer ? { status: 200, body: customer } : missing('customer', id);
    }],
    ['POST', /^\/v1\/customers\/([^/]+)$/, (ctx, [, id]) => updateCustomer(ctx, id)],
    ['GET', /^\/v1\/payment_methods\/([^/]+)$/, (ctx, [, id]) => {
      const pm = ctx.store.paymentMethods.get(id);
      return pm ? { status: 200, body: pm } : missing('payment_method', id, 'payment_method');
    }],
    ['POST', /^\/v1\/billing_portal\/sessions$/, (ctx) => createPortalSession(ctx)],
    ['GET', /^\/v1\/payment_intents\/([^/]+)$/, (ctx, [, id]) => {
      const pi = ctx.store.paymentIntents.get(id);
      return pi ? { status: 200, body: pi } : missing('payment_intent', id);
    }],
    ['GET', /^\/v1\/charges\/([^/]+)$/, (ctx, [, id]) => {
      const charge = ctx.store.charges.get(id);
      return charge ? { status: 200, body: charge } : missing('charge', id);
    }],
    ['GET', /^\/v1\/account$/, (ctx) => ({ status: 200, body: connectedAccount(ctx) })],
    ['POST', /^\/v1\/checkout\/sessions$/, (ctx) => createCheckoutSession(ctx)],
    ['GET', /^\/v1\/checkout\/sessions$/, (ctx) => {
      const sessions = [...ctx.store.checkoutSessions.values()]
        .map(lapseIfDue)
        .filter((c) => (ctx.params.status === undefined || c.session.status === ctx.params.status) && (ctx.params.payment_intent === undefined || c.session.payment_intent === ctx.params.payment_intent))
        .map((c) => c.session);
      return listAnswer(ctx, sessions, '/v1/checkout/sessions', 'checkout.session');
    }],
    ['GET', /^\/v1\/checkout\/sessions\/([^/]+)$/, (ctx, [, id]) => {
      const stored = checkoutOf(ctx.store, id);
      return stored ? { status: 200, body: renderCheckout(ctx, stored) } : missing('checkout.session', id, 'session');
    }],
    ['GET', /^\/v1\/checkout\/sessions\/([^/]+)\/line_items$/, (ctx, [, id]) => {
      const stored = checkoutOf(ctx.store, id);
      return stored ? listAnswer(ctx, [...stored.lineItems].reverse(), `/v1/checkout/sessions/${id}/line_items`, 'line_item') : missing('checkout.session', id, 'session');
    }],
    ['POST', /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/, (ctx, [, id]) => expireCheckoutSession(ctx, id)],
    ['POST', /^\/v1\/refunds$/, (ctx) => createRefund(ctx)],
    ['GET', /^\/v1\/refunds$/, (ctx) => {
      const refunds = [...ctx.store.refunds.values()].filter(
        (r) => (ctx.params.payment_intent === undefined || r.payment_intent === ctx.params.payment_intent) && (ctx.params.charge === undefined || r.charge === ctx.params.charge),
      );
      return listAnswer(ctx, refunds, '/v1/refunds', 'refund');
    }],
    ['GET', /^\/v1\/refunds\/([^/]+)$/, (ctx, [, id]) => {
      const refund = ctx.store.refunds.get(id);
      return refund ? { status: 200, body: refund } : missing('refund', id);
    }],
    ['GET', /^\/v1\/products$/, (ctx) => {
      const ids = Array.isArray(ctx.params.ids) ? ctx.params.ids.map(String) : null;
      const products = [...ctx.store.products.values()].filter(
        (p) => (ctx.params.active === undefined || String(p.active) === ctx.params.active) && (!ids || ids.includes(p.id)),
      );
      return listAnswer(ctx, products, '/v1/products', 'product');
    }],
    ['GET', /^\/v1\/products\/([^/]+)$/, (ctx, [, id]) => {
      const product = ctx.store.products.get(id);
      if (!product) return missing('product', id);
      const price = product.default_price ? ctx.store.prices.get(String(product.default_price)) : undefined;
      return { status: 200, body: expands(ctx, 'default_price') && price ? { ...product, default_price: price } : product };
    }],
    ['GET', /^\/v1\/prices$/, (ctx) => {
      const keys = Array.isArray(ctx.params.lookup_keys) ? ctx.params.lookup_keys.map(String) : null;
      const prices = [...ctx.store.prices.values()]
        .filter(
          (p) =>
            (ctx.params.product === undefined || p.product === ctx.params.product) &&
            (ctx.params.active === undefined || String(p.active) === ctx.params.active) &&
            (ctx.params.currency === undefined || p.currency === ctx.params.currency) &&
            (ctx.params.type === undefined || p.type === ctx.params.type) &&
            (!keys || (p.lookup_key !== null && keys.includes(p.lookup_key))),
        )
        .map((p) => withProduct(ctx, p, 'data.product'));
      return listAnswer(ctx, prices, '/v1/prices', 'price');
    }],
    ['GET', /^\/v1\/prices\/([^/]+)$/, (ctx, [, id]) => {
      const price = ctx.store.prices.get(id);
      return price ? { status: 200, body: withProduct(ctx, price, 'product') } : missing('price', id);
    }],
    ['GET', /^\/v1\/subscriptions$/, (ctx) => {
      const data = [...ctx.store.subscriptions.values()].filter(
        (sub) => (ctx.params.customer === undefined || sub.customer === ctx.params.customer) && (ctx.params.status === undefined || ctx.params.status === 'all' || sub.status === ctx.params.status),
      );
      return { status: 200, body: { object: 'list', data, has_more: false, url: '/v1/subscriptions' } };
    }],
  ];

  // -- request pipeline ----------------------------------------------------------------------

  function portalPage(id: string): string {
    const s = portalSessions.get(id);
    const esc = (v: string) => v.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
    const back = s?.flow?.after_completion.redirect?.return_url ?? s?.return_url;
    return `<!doctype html><html><head><meta charset="utf-8"><title>Fake Stripe billing portal</title></head><body>
<h1>Fake Stripe billing portal</h1>
${s ? `<p>Session <code>${esc(s.id)}</code> for customer <code>${esc(s.customer)}</code>${s.flow ? ` (flow: ${esc(s.flow.type)})` : ''}</p>` : '<p>Unknown session</p>'}
${back ? `<a href="${esc(back)}">Return to merchant</a>` : ''}
</body></html>`;
  }

  function handle(rec: RecordedStripeRequest, requestId: string): Result {
    const auth = rec.authorization ?? '';
    if (!/^Bearer sk_(test|live)_\S+$/.test(auth)) {
      // Stripe answers 401 with type invalid_request_error; stripe-node turns any 401 into StripeAuthenticationError.
      return apiError(401, {
        type: 'invalid_request_error',
        message: auth
          ? `Invalid API Key provided: ${auth.replace(/^Bearer\s+/, '').slice(0, 8)}********`
          : "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
      });
    }
    if (rec.stripeAccount && revokedAccounts.has(rec.stripeAccount)) {
      // What Stripe answers once a connected account has disconnected the platform (stripe-node: StripePermissionError).
      return apiError(403, {
        type: 'invalid_request_error',
        code: 'account_invalid',
        message: `The provided key '${auth.replace(/^Bearer\s+/, '').slice(0, 8)}********' does not have access to account '${rec.stripeAccount}' (or that account does not exist). Application access may have been revoked.`,
      });
    }
    const livemode = auth.startsWith('Bearer sk_live_');
    const ctx: Ctx = {
      rec,
      store: storeFor(rec.stripeAccount),
      livemode,
      requestId,
      params: rec.method === 'GET' ? decodeForm(new URLSearchParams(rec.query).toString()) : rec.body,
    };

    // Idempotency (POST only, scoped per account): same key + same request replays; different request → idempotency_error.
    const idemKey = rec.method === 'POST' && rec.idempotencyKey ? `${rec.stripeAccount ?? ''}\u0000${rec.idempotencyKey}` : null;
    const fingerprint = `${rec.method} ${rec.path} ${canonical(rec.body)}`;
    if (idemKey) {
      const saved = idempotency.get(idemKey);
      if (saved && saved.fingerprint === fingerprint) {
        return { ...saved.result, headers: { ...saved.result.headers, 'Idempotent-Replayed': 'true', 'Original-Request': saved.requestId } };
      }
      if (saved) {
        return apiError(400, {
          type: 'idempotency_error',
          message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${rec.idempotencyKey}' if you meant to execute a different request.`,
        });
      }
    }

    const scriptIndex = scripted.findIndex((s) => s.method === rec.method && matches(s.path, rec.path));
    let result: Result;
    if (scriptIndex >= 0) {
      result = scripted.splice(scriptIndex, 1)[0].response;
    } else {
      const route = routes.find(([method, re]) => method === rec.method && re.test(rec.path));
      result = route
        ? route[2](ctx, rec.path.match(route[1])!)
        : apiError(404, {
            type: 'invalid_request_error',
            message: `Unrecognized request URL (${rec.method}: ${rec.path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
          });
    }
    // Snapshot the body now: a replay must return what the first request got, not the object's later state.
    result = { ...result, body: typeof result.body === 'string' ? result.body : JSON.parse(JSON.stringify(result.body)) };
    // Stripe saves a result once the endpoint ran. 409/429/5xx model failures before that (unless the response
    // itself says Stripe-Should-Retry: false), so they are not saved and a retry with the same key runs again.
    const transient = result.status === 409 || result.status === 429 || result.status >= 500;
    if (idemKey && (!transient || result.headers?.['Stripe-Should-Retry'] === 'false')) {
      idempotency.set(idemKey, { fingerprint, requestId, result });
    }
    return result;
  }

  let down = false;
  let failingStatuses: number[] | null = null;
  let failedAnswers = 0;
  const overloaded = (): Result => {
    const status = failingStatuses![failedAnswers++ % failingStatuses!.length]!;
    return status === 429
      ? { status, body: { error: { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly.' } } }
      : { status, body: { error: { type: 'api_error', message: 'An unknown error occurred.' } } };
  };
  const holds: Array<{ method: string; path: string | RegExp; arrive(): void; released: Promise<void> }> = [];

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const header = (name: string) => {
        const v = req.headers[name];
        return v === undefined ? null : Array.isArray(v) ? v.join(',') : v;
      };
      let body: Record<string, unknown> = {};
      try {
        body = (header('content-type') ?? '').includes('json') && rawBody ? JSON.parse(rawBody) : decodeForm(rawBody);
      } catch {
        body = {};
      }
      const rec: RecordedStripeRequest = {
        method: (req.method ?? 'GET').toUpperCase(),
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        body,
        rawBody,
        stripeAccount: header('stripe-account'),
        idempotencyKey: header('idempotency-key'),
        stripeVersion: header('stripe-version'),
        authorization: header('authorization'),
      };
      requests.push(rec);

      const portal = rec.method === 'GET' && rec.path.match(/^\/fake-portal\/([^/]+)$/);
      if (portal) {
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', Connection: 'close' });
        res.end(portalPage(portal[1]));
        return;
      }

      // The hosted checkout is a page a browser opens: no API key, no Stripe-Account header.
      const checkout = rec.path.match(/^\/fake-checkout\/([^/]+)(\/pay)?$/);
      if (checkout && rec.method === (checkout[2] ? 'POST' : 'GET')) {
        const page = hostedCheckout(rec, decodeURIComponent(checkout[1]), Boolean(checkout[2]));
        rec.answeredStatus = page.status;
        res.writeHead(page.status, { 'Content-Type': 'text/html; charset=utf-8', Connection: 'close', ...page.headers });
        res.end(String(page.body));
        return;
      }

      const holdIndex = holds.findIndex((h) => h.method === rec.method && matches(h.path, rec.path));
      if (holdIndex >= 0) {
        const [held] = holds.splice(holdIndex, 1);
        held.arrive();
        await held.released;
      }

      if (opts.latencyMs) await new Promise((resolve) => setTimeout(resolve, opts.latencyMs));
      const requestId = randomId('req', 14);
      let result: Result;
      try {
        result = failingStatuses
          ? overloaded()
          : down
          ? {
              status: 503,
              body: { error: { type: 'api_error', message: 'Stripe is temporarily unavailable. Please try again later.' } },
              headers: { 'Stripe-Should-Retry': 'false' },
            }
          : handle(rec, requestId);
      } catch (err) {
        console.error('[fake-stripe] handler crashed', err);
        result = { status: 500, body: { error: { type: 'api_error', message: `Fake Stripe crashed: ${String(err)}` } } };
      }
      const headers: Record<string, string> = {
        'Content-Type': 'application/json',
        'Request-Id': requestId,
        'Stripe-Version': rec.stripeVersion ?? API_VERSION,
        // Connection: close keeps stripe-node from reusing a socket the server may drop (it would retry that once).
        Connection: 'close',
        ...(rec.idempotencyKey && rec.method === 'POST' ? { 'Idempotency-Key': rec.idempotencyKey } : {}),
        ...(rec.stripeAccount ? { 'Stripe-Account': rec.stripeAccount } : {}),
        ...result.headers,
      };
      rec.answeredStatus = result.status;
      rec.replayed = headers['Idempotent-Replayed'] === 'true';
      const payload = withRequestLogUrl(result.body, headers['Original-Request'] ?? requestId);
      res.writeHead(result.status, headers);
      res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    url: baseUrl,
    host: '127.0.0.1',
    port,
    requests,
    requestsTo: (method, pattern) =>
      requests.filter((r) => r.method === method.toUpperCase() && matches(pattern, r.path)),
    putInvoice(account, p) {
      const invoice = makeInvoice({ customer: 'cus_fake', ...p } as Partial<Stripe.Invoice> & { id: string; customer: string });
      invoice.payments ??= { object: 'list', data: [], has_more: false, url: `/v1/invoice_payments?invoice=${p.id}` };
      storeFor(account).invoices.set(p.id, invoice);
      return invoice;
    },
    putCustomer(account, p) {
      const customer = makeCustomer(p);
      storeFor(account).customers.set(p.id, customer);
      return customer;
    },
    putPaymentMethod(account, p) {
      const pm = makePaymentMethod(p);
      storeFor(account).paymentMethods.set(p.id, pm);
      return pm;
    },
    getInvoice: (account, id) => storeFor(account).invoices.get(id),
    getCustomer: (account, id) => storeFor(account).customers.get(id),
    outage(on) {
      down = on;
    },
    failing(statuses) {
      failingStatuses = statuses && statuses.length ? [...statuses] : null;
    },
    hold(method, path) {
      let arrive = () => {};
      let release = () => {};
      const arrived = new Promise<void>((resolve) => (arrive = resolve));
      const released = new Promise<void>((resolve) => (release = resolve));
      holds.push({ method: method.toUpperCase(), path, arrive, released });
      return { arrived, release };
    },
    queue(method, path, ...responses) {
      for (const response of responses) scripted.push({ method: method.toUpperCase(), path, response });
    },
    failInvoice(account, invoiceId, decline = {}) {
      const store = storeFor(account);
      const invoice = store.invoices.get(invoiceId);
      if (!invoice) throw new Error(`fake Stripe has no invoice ${invoiceId}`);
      attemptInvoice(store, invoice, null, decline);
      if (decline.nextPaymentAttempt !== undefined) invoice.next_payment_attempt = decline.nextPaymentAttempt;
      return JSON.parse(JSON.stringify(invoice)) as Stripe.Invoice;
    },
    putSubscription(account, sub) {
      storeFor(account).subscriptions.set(sub.id, { object: 'subscription', status: 'active', ...sub });
    },
    declineNextPay(invoiceId, decline = {}) {
      const list = declines.get(invoiceId) ?? [];
      list.push(decline);
      declines.set(invoiceId, list);
    },
    putProduct(account, p) {
      const product = makeProduct(p);
      storeFor(account).products.set(p.id, product);
      return product;
    },
    putPrice(account, p) {
      const price = makePrice(p);
      storeFor(account).prices.set(p.id, price);
      return price;
    },
    getCheckoutSession: (account, id) => checkoutOf(storeFor(account), id)?.session,
    completeCheckout(account, sessionId, opts = {}) {
      const stored = checkoutOf(storeFor(account), sessionId);
      if (!stored) throw new Error(`fake Stripe has no checkout session ${sessionId} on ${account ?? 'the platform'}`);
      if (stored.session.status !== 'open') throw new Error(`fake Stripe: checkout session ${sessionId} is ${stored.session.status}, not open`);
      const paid = payCheckout(account, stored, opts);
      return 'session' in paid ? paid.session : (JSON.parse(JSON.stringify(stored.session)) as Stripe.Checkout.Session);
    },
    lapseCheckout(account, sessionId) {
      const stored = checkoutOf(storeFor(account), sessionId);
      if (!stored) throw new Error(`fake Stripe has no checkout session ${sessionId} on ${account ?? 'the platform'}`);
      if (stored.session.status === 'open') Object.assign(stored.session, { status: 'expired', url: null, expires_at: Math.min(stored.session.expires_at, now()) });
      return JSON.parse(JSON.stringify(stored.session)) as Stripe.Checkout.Session;
    },
    onCheckoutCompleted(listener) {
      checkoutListeners.add(listener);
      return () => void checkoutListeners.delete(listener);
    },
    settleRefund(account, refundId, status, opts = {}) {
      const store = storeFor(account);
      const refund = store.refunds.get(refundId);
      if (!refund) throw new Error(`fake Stripe has no refund ${refundId} on ${account ?? 'the platform'}`);
      if (refund.status !== 'pending') throw new Error(`fake Stripe: refund ${refundId} is ${refund.status}, not pending`);
      refund.status = status;
      if (status === 'failed') {
        refund.failure_reason = opts.failureReason ?? 'expired_or_canceled_card';
        refund.failure_balance_transaction = randomId('txn');
        const charge = store.charges.get(String(refund.charge));
        if (charge) {
          const refunded = Number(charge.amount_refunded) - refund.amount;
          Object.assign(charge, { amount_refunded: refunded, refunded: refunded >= Number(charge.amount) });
        }
      }
      return JSON.parse(JSON.stringify(refund)) as Stripe.Refund;
    },
    getRefund: (account, id) => storeFor(account).refunds.get(id),
    revokeAccess(account, revoked = true) {
      if (revoked) revokedAccounts.add(account);
      else revokedAccounts.delete(account);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

function withRequestLogUrl(body: unknown, requestId: string): unknown {
  const error = (body as { error?: unknown } | null)?.error;
  if (!error || typeof error !== 'object' || 'request_log_url' in error) return body;
  return { ...(body as object), error: { ...error, request_log_url: `https://dashboard.stripe.com/test/logs/${requestId}` } };
}
