// The collection port (docs/decisions/0075): what pay-links, hosted checkout and refunds ask of a
// payment processor (Stripe, Dojo, the next one). Each processor implements it in its own folder
// (app/providers/<name>/collect.server.ts) and is registered in app/wiring.server.ts; the domain
// finds it by the connection's `provider`, never by importing it. Types and errors only.

export type ProcessorName = "stripe" | "dojo";

/** A provider connection's credentials, decrypted just before the call (never logged, never stored in a job). */
export interface ProcessorAccount {
  connectionId: string;
  livemode: boolean;
  /** Stripe: the connected account (`acct_…`) the calls are made on. */
  stripeAccountId?: string | null;
  /** Dojo: the connection's secret API key (`sk_sandbox_…`, `sk_prod_…`). */
  apiKey?: string | null;
}

export interface CheckoutLine {
  name: string;
  unitAmountMinor: number;
  quantity: number;
}

export interface CheckoutInput {
  /** Integer minor units of `currency`. */
  amountMinor: number;
  /** ISO 4217, upper case ("GBP"). */
  currency: string;
  description: string;
  /** Recoup's transaction id: the processor echoes it back (metadata, reference) in its webhooks. */
  reference: string;
  customerEmail?: string | null;
  customerName?: string | null;
  /** Default: one line, `description` × `amountMinor`. */
  lines?: CheckoutLine[];
  /** Where the hosted page sends the customer after paying, and after giving up. */
  successUrl: string;
  cancelUrl: string;
  /** The same key never opens two checkouts (a re-run click, a retried job). */
  idempotencyKey: string;
  /** When the checkout may no longer be paid; the processor's own bounds apply. */
  expiresAt?: Date | null;
  /**
   * ND8's `sandbox_simulate` (test keys only): the outcome a sandbox should script. Sent as the
   * checkout's metadata `recoup_sandbox_simulate`; the test fakes act on it, a real processor ignores it.
   */
  sandboxSimulate?: string | null;
}

export interface CheckoutCreated {
  /** The processor's id for what the customer pays: a Checkout Session (`cs_…`), a Dojo payment intent (`pi_…`). */
  providerPaymentId: string;
  /** The processor's hosted page. */
  checkoutUrl: string;
  expiresAt: Date | null;
}

/** One card attempt on a payment, as the processor reports it (ND8's depositAttempts). */
export interface DepositAttempt {
  /** "succeeded", "failed", "requires_payment_method", … */
  status: string;
  /** The processor's id for the attempt (a PaymentIntent, a Dojo transaction). */
  paymentId: string;
  attemptedAt: Date;
  errorMessage: string | null;
  paymentMethod: string;
}

export interface PaymentState {
  /** `paid` once money moved; `processing` while the customer has not finished; `canceled` when it can no longer be paid. */
  status: "paid" | "processing" | "failed" | "canceled";
  amountMinor: number;
  currency: string;
  paidAt: Date | null;
  /** The processor's id for the captured charge, which refunds name (Stripe: the PaymentIntent). */
  chargeRef: string | null;
  payerEmail: string | null;
  attempts: DepositAttempt[];
}

export interface RefundInput {
  /** The payment's `providerPaymentId`. */
  providerPaymentId: string;
  /** The captured charge, when the processor refunds that rather than the checkout (Stripe's PaymentIntent). */
  chargeRef: string | null;
  amountMinor: number;
  currency: string;
  reason: string;
  idempotencyKey: string;
}

export type RefundStatus = "pending" | "processing" | "completed" | "failed" | "rejected";

export interface RefundCreated {
  providerRefundId: string;
  status: RefundStatus;
}

/**
 * The processor could not be used at all: unreachable, 5xx, rate limited past its retries, or our
 * credentials refused. Routing treats it as the primary failing (fallback triggers); a customer's
 * decline never arrives as this (it happens on the hosted page).
 */
export class ProcessorUnavailableError extends Error {
  constructor(
    message: string,
    readonly reason: "outage" | "rate_limited" | "auth",
  ) {
    super(message);
    this.name = "ProcessorUnavailableError";
  }
}

/** The processor answered and refused this request (a currency it does not take, an amount it will not refund). */
export class ProcessorRejectedError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
  ) {
    super(message);
    this.name = "ProcessorRejectedError";
  }
}

export interface CatalogItem {
  /** The id the merchant named (kept in the product snapshot). */
  id: string;
  name: string;
  unitAmountMinor: number;
  /** Upper case. */
  currency: string;
}

/** A processor's verified webhook event, reduced to what Recoup acts on. */
export interface ProcessorWebhookEvent {
  id: string;
  type: string;
  createdAt: Date;
  /** The payment it is about: the processor's id, and Recoup's reference where the event carries it. */
  providerPaymentId: string | null;
  reference: string | null;
  /** The refund it is about, for refund events. */
  providerRefundId: string | null;
  payload: Record<string, unknown>;
}

export interface CollectProcessor {
  name: ProcessorName;
  /** Currencies its hosted checkout takes (upper case). */
  currencies: readonly string[];
  /** Opens a hosted checkout once per idempotency key. Throws ProcessorUnavailableError / ProcessorRejectedError. */
  createCheckout(account: ProcessorAccount, input: CheckoutInput): Promise<CheckoutCreated>;
  /** Reads a payment as it stands now (a webhook is a hint; this is the truth). */
  getPayment(account: ProcessorAccount, providerPaymentId: string): Promise<PaymentState>;
  /** Ends a checkout that has not been paid, where the processor allows it (best effort: false when it could not). */
  cancelCheckout(account: ProcessorAccount, providerPaymentId: string): Promise<boolean>;
  /** Refunds once per idempotency key. */
  refund(account: ProcessorAccount, input: RefundInput): Promise<RefundCreated>;
  /** Reads a refund's status as it stands now. */
  getRefund(account: ProcessorAccount, providerRefundId: string): Promise<RefundCreated>;
  /** Checks the credentials with a harmless read; throws ProcessorUnavailableError("auth") when refused. */
  verify(account: ProcessorAccount): Promise<void>;
  /**
   * A catalogue item by the merchant's id at the processor (Stripe: a one-time `price_…`, or a
   * `prod_…` with its default price); null when there is no such item. Absent for processors without a catalogue.
   */
  catalogItem?(account: ProcessorAccount, id: string): Promise<CatalogItem | null>;
  /**
   * Processors whose webhooks come to /webhooks/<name>/<connection> (Stripe's arrive with Connect's
   * events instead): verifies the signature with the connection's secret, or throws.
   */
  verifyWebhook?(input: { rawBody: string; headers: Headers; secret: string }): ProcessorWebhookEvent;
}
