// Ingested PSPs behind the payment provider port (docs/decisions/0037, 0015): Recoup cannot charge
// them; the merchant charges, Recoup tells them when. Where the engine would charge, it emits
// `payment.retry_due` — a signed webhook to the merchant's endpoints, or an email to the workspace
// owner when none takes it — once per payment and retry. The merchant reports the outcome through
// the ingest endpoint. Registered as the provider of every name no other provider claims.
import type { MerchantChargedProvider } from "~/domain/recovery/provider";
import { emitWebhookEvent } from "~/domain/webhooks/events.server";
import { now } from "~/utils/clock.server";
import { invoiceReferences } from "~/providers/stripe/references";
import { contactEmail } from "~/domain/card-update/customer-page.server";
import { merchantName } from "~/domain/dunning/messages.server";
import { AppError } from "~/domain/errors";

export const ingestProvider: MerchantChargedProvider = {
  name: "ingest",
  chargedBy: "merchant",
  references: invoiceReferences,
  // The customer page sends them to the PSP's payment page the merchant gave, else to the merchant.
  cardUpdate: () => "recoup_link",
  // An ingested PSP's payment (ADR 0015): its own payment page if the merchant gave one, else the merchant.
  async startCardUpdate(recovery) {
    if (recovery.hostedInvoiceUrl) return { redirectTo: recovery.hostedInvoiceUrl };
    const address = contactEmail(recovery.workspace.replyTo);
    return { notice: `To update your payment details, please contact ${merchantName(recovery.workspace)}: ${address ? `write to ${address}` : "reply to their email"}.` };
  },
  cardUpdateSession: async () => {
    throw new AppError("not_configured", "This merchant has no Stripe account connected.");
  },
  failureEventsIncludeOwnCharges: false,

  async askMerchantToRetry({ tx, recovery, attemptNumber, reason }) {
    const customer = recovery.customerId ? await tx.customer.findUnique({ where: { id: recovery.customerId } }) : null;
    return emitWebhookEvent({
      tx,
      workspaceId: recovery.workspaceId,
      type: "payment.retry_due",
      dedupeKey: `retry_due:${recovery.id}:${attemptNumber}`,
      recoveryId: recovery.id,
      data: {
        paymentId: recovery.id,
        externalId: recovery.externalId,
        provider: recovery.provider,
        amountCents: recovery.amountDueMinor,
        currency: recovery.currency,
        attemptNumber,
        dueAt: now(),
        reason,
        declineCode: recovery.declineCode,
        declineCategory: recovery.declineCategory,
        customer: { id: customer?.id ?? null, externalId: recovery.externalCustomerId, email: customer?.email ?? null },
      },
    });
  },
};
