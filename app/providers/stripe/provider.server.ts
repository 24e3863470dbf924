// Stripe behind the payment provider port (docs/decisions/0037): Recoup pays the connected
// account's open invoice off-session; Stripe answers at once.
import Stripe from "stripe";
import type { RecoupChargedProvider } from "~/domain/recovery/provider";
import { stripe } from "~/integrations/stripe/client.server";
import { failureFromApiError, invoiceSettlement, paidAt, paidChargeOf } from "~/integrations/stripe/invoices.server";
import { now } from "~/utils/clock.server";
import { invoiceReferences } from "./references";
import { customerCardUpdate, portalSession } from "./card-update.server";

type CardErrorRaw = Parameters<typeof failureFromApiError>[0] & { payment_intent?: { last_payment_error?: Parameters<typeof failureFromApiError>[0] } };

export const stripeProvider: RecoupChargedProvider = {
  name: "stripe",
  chargedBy: "recoup",
  // The customer page opens a Stripe billing portal session.
  references: invoiceReferences,
  cardUpdate: () => "recoup_link",
  startCardUpdate: async (recovery) => ({ redirectTo: (await portalSession(recovery)).sessionUrl }),
  cardUpdateSession: portalSession,
  startCustomerCardUpdate: customerCardUpdate,
  failureEventsIncludeOwnCharges: true,

  async canCharge(tx, recovery) {
    const account = recovery.externalAccountId
      ? await tx.connectedStripeAccount.findUnique({ where: { stripeAccountId: recovery.externalAccountId } })
      : null;
    if (!account || account.disconnectedAt || account.workspaceId !== recovery.workspaceId) return { ok: false, why: "Stripe account not connected" };
    return { ok: true };
  },

  async settleElsewhere(recovery, { idempotencyKey }) {
    try {
      await stripe().invoices.pay(recovery.externalId, { paid_out_of_band: true }, { stripeAccount: recovery.externalAccountId!, idempotencyKey });
    } catch (error) {
      // Paid or voided meanwhile: Stripe is not collecting it any more, which is all this asks.
      if (!(error instanceof Stripe.errors.StripeInvalidRequestError)) throw error;
      const invoice = await stripe().invoices.retrieve(recovery.externalId, {}, { stripeAccount: recovery.externalAccountId! });
      if (invoice.status === "open" || invoice.status === "draft") throw error;
    }
  },

  idempotencyKey: (recoveryId, attemptNumber) => `recoup-retry-${recoveryId}-${attemptNumber}`,

  async charge(recovery, { idempotencyKey }) {
    const stripeAccount = recovery.externalAccountId!;
    try {
      const invoice = await stripe().invoices.pay(
        recovery.externalId,
        // The answer names the PaymentIntent and the charge that paid (no second call to learn them).
        { off_session: true, expand: ["payments.data.payment.payment_intent"] },
        { stripeAccount, idempotencyKey },
      );
      return { kind: "succeeded", amountPaid: invoice.amount_paid, at: paidAt(invoice), refs: paidChargeOf(invoice) };
    } catch (error) {
      if (error instanceof Stripe.errors.StripeCardError) {
        const raw = error.raw as CardErrorRaw;
        const failure = failureFromApiError({ ...raw, payment_method: raw.payment_intent?.last_payment_error?.payment_method ?? raw.payment_method });
        return { kind: "declined", at: now(), failure };
      }
      if (error instanceof Stripe.errors.StripeInvalidRequestError) {
        // e.g. "Invoice is already paid" or voided meanwhile: the invoice's state decides.
        const invoice = await stripe().invoices.retrieve(recovery.externalId, {}, { stripeAccount });
        return { kind: "not_declined", message: error.message, settlement: invoiceSettlement(invoice) };
      }
      throw error; // 429, 5xx, network: pg-boss retries this job with backoff, same idempotency key
    }
  },
};
