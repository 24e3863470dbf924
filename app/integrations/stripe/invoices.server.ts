import type Stripe from "stripe";
import type { FailureDetails, Settlement } from "~/domain/recovery/facts";
import type { CardBrand } from "~/domain/recovery/policy";
import { now } from "~/utils/clock.server";
import { countryCode, zoneForPlace } from "~/utils/customer-zone";
import { stripe } from "./client.server";

const BRANDS: Record<string, CardBrand> = { visa: "visa", mastercard: "mastercard", amex: "amex", discover: "discover" };

export function cardBrand(brand: string | null | undefined): CardBrand {
  if (!brand) return "unknown";
  return BRANDS[brand] ?? "other";
}

type ApiError = {
  code?: string | null;
  decline_code?: string | null;
  advice_code?: string | null;
  network_decline_code?: string | null;
  network_advice_code?: string | null;
  message?: string | null;
  payment_method?: Partial<Stripe.PaymentMethod> | null;
  /** The failed charge (a card error's `charge`). */
  charge?: string | null;
  payment_intent?: { id?: string; latest_charge?: string | { id: string } | null } | string | null;
};

/** The id of a Stripe reference, whether expanded or not. */
export const idOf = (ref: string | { id: string } | null | undefined) => (typeof ref === "string" ? ref : (ref?.id ?? null));

/** The failed charge, when read (`latest_charge` expanded): its outcome and the card as charged. */
type FailedCharge = Pick<Stripe.Charge, "outcome" | "billing_details" | "payment_method_details">;

/**
 * Why a payment failed. The charge fills what the error leaves out: the network's codes and advice
 * are on `charge.outcome` (an error object of an older API version has none), the card's funding on
 * `payment_method_details.card` when the payment method was not expanded.
 */
export function failureFromApiError(error: ApiError | null | undefined, charge?: FailedCharge | null): FailureDetails {
  const card = error?.payment_method?.card;
  const charged = charge?.payment_method_details?.card;
  const outcome = charge?.outcome;
  const pi = error?.payment_intent;
  return {
    errorCode: error?.code ?? null,
    declineCode: error?.decline_code ?? null,
    adviceCode: error?.advice_code ?? outcome?.advice_code ?? null,
    networkDeclineCode: error?.network_decline_code ?? outcome?.network_decline_code ?? null,
    networkAdviceCode: error?.network_advice_code ?? outcome?.network_advice_code ?? null,
    message: error?.message ?? null,
    cardBrand: cardBrand(card?.brand),
    cardFingerprint: card?.fingerprint ?? null,
    cardLast4: card?.last4 ?? null,
    cardFunding: card?.funding ?? charged?.funding ?? null,
    paymentMethodId: error?.payment_method?.id ?? null,
    paymentIntentId: typeof pi === "string" ? pi : (pi?.id ?? null),
    chargeId: error?.charge ?? (typeof pi === "object" ? idOf(pi?.latest_charge) : null),
  };
}

/** When a paid invoice was paid: Stripe's `status_transitions.paid_at`, else now. */
export function paidAt(invoice: Pick<Stripe.Invoice, "status_transitions">): Date {
  const t = invoice.status_transitions?.paid_at;
  return t ? new Date(t * 1000) : now();
}

/** A Stripe invoice's settlement now: paid, void or uncollectible end the recovery at once. */
export function invoiceSettlement(invoice: Pick<Stripe.Invoice, "status" | "amount_paid" | "status_transitions">): Settlement {
  if (invoice.status === "paid") return { state: "paid", amountPaid: invoice.amount_paid, at: paidAt(invoice) };
  if (invoice.status === "void" || invoice.status === "uncollectible") return { state: "ended", reason: `invoice_${invoice.status}` };
  return { state: "open" };
}

/** The PaymentIntent and charge that paid an invoice (answered with `payments.data.payment.payment_intent` expanded). */
export function paidChargeOf(invoice: Pick<Stripe.Invoice, "payments">): { paymentIntentId: string | null; chargeId: string | null } {
  const payments = invoice.payments?.data ?? [];
  const paid = payments.find((p) => p.status === "paid") ?? payments.find((p) => p.is_default);
  const pi = paid?.payment.payment_intent;
  return { paymentIntentId: idOf(pi), chargeId: typeof pi === "object" ? idOf(pi?.latest_charge) : null };
}

/**
 * The invoice as it is now, and why its latest payment failed. Since API
 * version 2026-07-29 an invoice carries no charge or payment_intent: the decline
 * lives on the PaymentIntent of its InvoicePayment.
 */
export async function fetchInvoiceState(stripeAccount: string, invoiceId: string) {
  const client = stripe();
  // The customer (expanded) and the failed charge (the PaymentIntent's latest_charge) tell where the
  // customer lives and what card failed, in the same two calls, made at once: neither needs the
  // other's answer, and the event waits on Stripe once instead of twice.
  const [invoice, payments] = await Promise.all([
    client.invoices.retrieve(invoiceId, { expand: ["customer"] }, { stripeAccount }),
    client.invoicePayments.list({ invoice: invoiceId, limit: 10, expand: ["data.payment.payment_intent.latest_charge"] }, { stripeAccount }),
  ]);
  const withError = payments.data
    .map((p) => p.payment.payment_intent)
    .filter((pi): pi is Stripe.PaymentIntent => typeof pi === "object" && pi !== null)
    .find((pi) => pi.last_payment_error);
  const charge = typeof withError?.latest_charge === "object" ? withError.latest_charge : null;
  const lastError = withError?.last_payment_error as ApiError | undefined;
  const failure = failureFromApiError(withError ? { ...lastError, payment_intent: withError } : undefined, charge);
  const place = customerPlace(invoice, charge, lastError?.payment_method?.card?.country);
  return {
    invoice,
    failure: { ...failure, customerCountry: place?.country ?? null, customerTimezone: place ? zoneForPlace(place.country, place.region) : null },
  };
}

type Address = { country?: string | null; state?: string | null } | null | undefined;

/**
 * Where the customer lives, as Stripe knows it (ADR 0048), best first: the invoice's customer address
 * (copied at finalisation), the customer's own, the failed charge's billing address, the card's
 * issuing country (no region: the country's main zone). Null when none names a country.
 */
export function customerPlace(
  invoice: Pick<Stripe.Invoice, "customer_address" | "customer">,
  charge: Pick<Stripe.Charge, "billing_details" | "payment_method_details"> | null,
  paymentMethodCountry?: string | null,
): { country: string; region: string | null } | null {
  const customer = typeof invoice.customer === "object" && invoice.customer && !invoice.customer.deleted ? invoice.customer : null;
  const addresses: Address[] = [invoice.customer_address, customer?.address, charge?.billing_details?.address];
  for (const address of addresses) {
    const country = countryCode(address?.country);
    if (country) return { country, region: address?.state?.trim() || null };
  }
  const cardCountry = countryCode(charge?.payment_method_details?.card?.country ?? paymentMethodCountry);
  return cardCountry ? { country: cardCountry, region: null } : null;
}

export function subscriptionIdOf(invoice: Stripe.Invoice): string | null {
  const sub = invoice.parent?.subscription_details?.subscription;
  return typeof sub === "string" ? sub : (sub?.id ?? null);
}

export function customerIdOf(invoice: Pick<Stripe.Invoice, "customer">): string {
  const c = invoice.customer;
  return typeof c === "string" ? c : (c?.id ?? "");
}
