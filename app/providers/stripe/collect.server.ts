// Stripe behind the collection port (docs/decisions/0075): a pay-link or hosted checkout is a Checkout Session in
// `payment` mode on the merchant's connected account; what the customer paid is the session's PaymentIntent, which
// refunds name. Every call is made on the connected account (`Stripe-Account`), never on the platform's own.
import Stripe from "stripe";
import { AppError } from "~/domain/errors";
import {
  ProcessorRejectedError,
  ProcessorUnavailableError,
  type CheckoutInput,
  type CollectProcessor,
  type DepositAttempt,
  type PaymentState,
  type ProcessorAccount,
  type RefundCreated,
  type RefundStatus,
} from "~/domain/collect/processor";
import { stripe } from "~/integrations/stripe/client.server";

/**
 * Currencies whose minor unit Stripe counts as ISO 4217 does (two decimals; JPY none), so Recoup's integer minor
 * units go to Stripe unchanged. Left out on purpose: the currencies Stripe treats specially (HUF, ISK, TWD, UGX
 * are special-cased; three-decimal ones such as KWD or BHD must be sent rounded to tens).
 */
const CURRENCIES = ["GBP", "EUR", "USD", "AUD", "CAD", "NZD", "CHF", "SEK", "NOK", "DKK", "PLN", "CZK", "RON", "SGD", "HKD", "JPY", "MXN"] as const;

/** Stripe accepts a Checkout Session's `expires_at` between 30 minutes and 24 hours after the session is created. */
const MIN_EXPIRY_S = 30 * 60;
const MAX_EXPIRY_S = 24 * 3600;
/** Room for the request's time in flight and for our clock running ahead of or behind Stripe's. */
const EXPIRY_MARGIN_S = 5 * 60;

/** Stripe keeps metadata values up to 500 characters and refuses longer ones. */
const METADATA_VALUE_MAX = 500;

function connected(account: ProcessorAccount): string {
  // Without it the call would act on the platform's own Stripe account: refuse instead.
  if (!account.stripeAccountId) throw new ProcessorUnavailableError(`Connection ${account.connectionId} has no Stripe account to collect on.`, "auth");
  return account.stripeAccountId;
}

/**
 * Stripe's answers in the port's terms. Unreachable, 5xx (incl. 409 lock timeouts), and rate limits that outlasted
 * the SDK's own retries mean Stripe cannot be used now; a refused key or a revoked Connect authorisation (401/403)
 * means our credentials cannot; a 400/404 is Stripe refusing this request.
 */
export function collectErrorFrom(error: unknown): unknown {
  if (error instanceof AppError && error.code === "not_configured") return new ProcessorUnavailableError(error.message, "auth");
  if (!(error instanceof Stripe.errors.StripeError)) return error;
  const message = `Stripe: ${error.message}`;
  if (error instanceof Stripe.errors.StripeRateLimitError) return new ProcessorUnavailableError(message, "rate_limited");
  if (error instanceof Stripe.errors.StripeAuthenticationError || error instanceof Stripe.errors.StripePermissionError) {
    return new ProcessorUnavailableError(message, "auth");
  }
  if (error instanceof Stripe.errors.StripeConnectionError || error instanceof Stripe.errors.StripeAPIError) {
    return new ProcessorUnavailableError(message, "outage");
  }
  // The same idempotency key sent with other parameters: nothing new was made.
  if (error instanceof Stripe.errors.StripeIdempotencyError) return new ProcessorRejectedError(message, "idempotency_key_reused");
  if ((error.statusCode ?? 0) >= 500) return new ProcessorUnavailableError(message, "outage");
  return new ProcessorRejectedError(message, error.code ?? null);
}

async function call<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw collectErrorFrom(error);
  }
}

/**
 * The `expires_at` to send. Stripe's bounds are on its wall clock at creation, so this reads the real clock, not the
 * engine's (virtual in tests and simulations). The same input must give the same parameters on a retried job, or
 * Stripe answers the reused idempotency key with an error: past the 24 hours (or none asked) sends nothing, which is
 * Stripe's own default of 24 hours; sooner than the minimum (30 minutes, plus a margin) is raised to a 10-minute step
 * past it, so a retry within those minutes sends the same value.
 */
export function stripeExpiresAt(expiresAt: Date | null | undefined, nowMs = Date.now()): number | undefined {
  if (!expiresAt) return undefined;
  const nowS = Math.floor(nowMs / 1000);
  const asked = Math.floor(expiresAt.getTime() / 1000);
  if (asked >= nowS + MAX_EXPIRY_S - EXPIRY_MARGIN_S) return undefined;
  const earliest = nowS + MIN_EXPIRY_S + EXPIRY_MARGIN_S;
  return asked >= earliest ? asked : Math.ceil(earliest / 600) * 600;
}

function lineItems(input: CheckoutInput): Stripe.Checkout.SessionCreateParams.LineItem[] {
  const lines = input.lines?.length ? input.lines : [{ name: input.description, unitAmountMinor: input.amountMinor, quantity: 1 }];
  const total = lines.reduce((sum, line) => sum + line.unitAmountMinor * line.quantity, 0);
  // The customer would pay the lines' total: one that differs from the amount Recoup recorded is a bug upstream.
  if (total !== input.amountMinor) throw new Error(`Checkout lines add up to ${total}, not the ${input.amountMinor} asked for (${input.reference}).`);
  return lines.map((line) => ({
    price_data: {
      currency: input.currency.toLowerCase(),
      unit_amount: line.unitAmountMinor,
      // Stripe refuses a product without a name.
      product_data: { name: line.name.trim() || "Payment" },
    },
    quantity: line.quantity,
  }));
}

const unixDate = (seconds: number | null | undefined) => (seconds ? new Date(seconds * 1000) : null);

/**
 * The card attempts a PaymentIntent shows, newest first: its latest charge (succeeded or failed), and a
 * `last_payment_error` that no charge records (e.g. a failed authentication). Stripe keeps only the newest charge on
 * the PaymentIntent; earlier failed tries would take a charges list to see.
 */
function attemptsOf(pi: Stripe.PaymentIntent | null): DepositAttempt[] {
  if (!pi) return [];
  const charge = pi.latest_charge && typeof pi.latest_charge === "object" ? pi.latest_charge : null;
  const error = pi.last_payment_error;
  const attempts: DepositAttempt[] = [];
  if (charge) {
    attempts.push({
      status: charge.status,
      paymentId: pi.id,
      attemptedAt: new Date(charge.created * 1000),
      errorMessage: charge.failure_message ?? (error?.charge === charge.id ? (error.message ?? null) : null),
      paymentMethod: charge.payment_method_details?.type ?? "card",
    });
  }
  if (error && (!charge || error.charge !== charge.id)) {
    attempts.unshift({
      status: pi.status,
      paymentId: pi.id,
      attemptedAt: new Date(Math.max(charge?.created ?? 0, pi.created) * 1000),
      errorMessage: error.message ?? null,
      paymentMethod: error.payment_method?.type ?? "card",
    });
  }
  return attempts;
}

function paymentStatus(session: Stripe.Checkout.Session, pi: Stripe.PaymentIntent | null): PaymentState["status"] {
  if (session.payment_status === "paid") return "paid";
  if (session.status === "expired") return "canceled";
  // Completed but unpaid: a delayed payment method (a bank debit) still settling, or one that has failed.
  if (session.status === "complete" && pi && (pi.status === "requires_payment_method" || pi.status === "canceled")) return "failed";
  return "processing";
}

const REFUND_STATUS: Record<string, RefundStatus> = {
  pending: "processing",
  succeeded: "completed",
  failed: "failed",
  canceled: "rejected",
  requires_action: "pending",
};
const refundCreated = (refund: Stripe.Refund): RefundCreated => ({
  providerRefundId: refund.id,
  // Stripe may add statuses; until Recoup knows one, the refund is still under way.
  status: REFUND_STATUS[refund.status ?? ""] ?? "processing",
});

export const stripeProcessor: CollectProcessor = {
  name: "stripe",
  currencies: CURRENCIES,

  async createCheckout(account, input) {
    const stripeAccount = connected(account);
    if (!(CURRENCIES as readonly string[]).includes(input.currency)) {
      throw new ProcessorRejectedError(`Recoup does not collect ${input.currency} through Stripe.`, "currency_not_supported");
    }
    const metadata = { recoup_reference: input.reference, ...(input.sandboxSimulate ? { recoup_sandbox_simulate: input.sandboxSimulate } : {}) };
    const expiresAt = stripeExpiresAt(input.expiresAt);
    const params: Stripe.Checkout.SessionCreateParams = {
      mode: "payment",
      line_items: lineItems(input),
      client_reference_id: input.reference,
      metadata,
      // The PaymentIntent carries the reference too: refund and charge events name the PaymentIntent, not the session.
      payment_intent_data: { metadata, description: input.description },
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      ...(input.customerEmail ? { customer_email: input.customerEmail } : {}),
      ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}),
      // Checkout has no field to prefill the payer's name: customerName stays with Recoup.
    };
    const session = await call(() => stripe().checkout.sessions.create(params, { stripeAccount, idempotencyKey: input.idempotencyKey }));
    if (!session.url) throw new ProcessorRejectedError(`Stripe opened checkout ${session.id} without a hosted page (status ${session.status}).`, "no_checkout_url");
    return { providerPaymentId: session.id, checkoutUrl: session.url, expiresAt: unixDate(session.expires_at) };
  },

  async catalogItem(account, id) {
    const stripeAccount = connected(account);
    const missing = (error: unknown) => {
      if (error instanceof ProcessorRejectedError && error.code === "resource_missing") return null;
      throw error;
    };
    let price: Stripe.Price | null = null;
    let product: Stripe.Product | null = null;
    if (id.startsWith("price_")) {
      price = await call(() => stripe().prices.retrieve(id, { expand: ["product"] }, { stripeAccount })).catch(missing);
      product = price && typeof price.product === "object" && !("deleted" in price.product && price.product.deleted) ? (price.product as Stripe.Product) : null;
    } else if (id.startsWith("prod_")) {
      product = await call(() => stripe().products.retrieve(id, { expand: ["default_price"] }, { stripeAccount })).catch(missing);
      price = product && typeof product.default_price === "object" ? product.default_price : null;
    }
    // A recurring price belongs to a subscription, not a one-off checkout; an amount must be fixed.
    if (!price || !product || !price.active || price.type !== "one_time" || price.unit_amount === null) return null;
    return { id, name: product.name, unitAmountMinor: price.unit_amount, currency: price.currency.toUpperCase() };
  },

  async getPayment(account, providerPaymentId) {
    const stripeAccount = connected(account);
    const session = await call(() =>
      stripe().checkout.sessions.retrieve(providerPaymentId, { expand: ["payment_intent", "payment_intent.latest_charge"] }, { stripeAccount }),
    );
    const pi = session.payment_intent && typeof session.payment_intent === "object" ? session.payment_intent : null;
    const status = paymentStatus(session, pi);
    const charge = pi?.latest_charge && typeof pi.latest_charge === "object" ? pi.latest_charge : null;
    return {
      status,
      amountMinor: session.amount_total ?? 0,
      currency: (session.currency ?? "").toUpperCase(),
      paidAt: status === "paid" ? unixDate(charge?.status === "succeeded" ? charge.created : pi?.created) : null,
      chargeRef: status === "paid" ? (pi?.id ?? null) : null,
      payerEmail: session.customer_details?.email ?? session.customer_email ?? null,
      attempts: attemptsOf(pi),
    };
  },

  async cancelCheckout(account, providerPaymentId) {
    const stripeAccount = connected(account);
    try {
      await stripe().checkout.sessions.expire(providerPaymentId, {}, { stripeAccount });
      return true;
    } catch (error) {
      // Stripe expires only an open session: one already paid or expired (or unknown here) cannot be cancelled.
      if (error instanceof Stripe.errors.StripeInvalidRequestError) return false;
      throw collectErrorFrom(error);
    }
  },

  async refund(account, input) {
    const stripeAccount = connected(account);
    // The port lets chargeRef be unknown: the session names the PaymentIntent it was paid by.
    const paymentIntent =
      input.chargeRef ??
      (await call(() => stripe().checkout.sessions.retrieve(input.providerPaymentId, {}, { stripeAccount }))).payment_intent;
    const paymentIntentId = typeof paymentIntent === "string" ? paymentIntent : (paymentIntent?.id ?? null);
    if (!paymentIntentId) throw new ProcessorRejectedError(`Checkout ${input.providerPaymentId} has not been paid: nothing to refund.`, "not_paid");
    const refund = await call(() =>
      stripe().refunds.create(
        {
          payment_intent: paymentIntentId,
          amount: input.amountMinor,
          reason: "requested_by_customer",
          metadata: { reason: input.reason.slice(0, METADATA_VALUE_MAX) },
        },
        { stripeAccount, idempotencyKey: input.idempotencyKey },
      ),
    );
    return refundCreated(refund);
  },

  async getRefund(account, providerRefundId) {
    const stripeAccount = connected(account);
    return refundCreated(await call(() => stripe().refunds.retrieve(providerRefundId, {}, { stripeAccount })));
  },

  async verify(account) {
    const stripeAccount = connected(account);
    // Reading the connected account itself: Stripe answers 403 once the merchant has revoked Recoup's access.
    await call(() => stripe().accounts.retrieveCurrent({}, { stripeAccount }));
  },
};
