import { contactEmail } from "./customer-page.server";
import { merchantName } from "~/domain/dunning/messages.server";
import { isMerchantCharged } from "~/domain/recovery/providers.server";
import { emailUpdateLinkFromShopify } from "~/domain/shopify/update-email.server";
import { AppError } from "~/domain/errors";
import { stripe } from "~/integrations/stripe/client.server";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { createRecoveryToken, recoveryUrl, verifyRecoveryToken } from "~/domain/recovery/links.server";

// Stripe does not return an expiry for portal sessions; they are short-lived. We promise 5 minutes.
const SESSION_TTL_MS = 5 * 60_000;

/** The recovery a customer link points at; 404 for unknown, expired or used tokens. */
export async function findRecoveryByToken(token: string) {
  const recoveryId = verifyRecoveryToken(token, now());
  const recovery = recoveryId
    ? await db().recovery.findUnique({ where: { id: recoveryId }, include: { workspace: true, customer: true } })
    : null;
  if (!recovery || recovery.linkUsedAt) {
    throw new AppError("token_not_found", "This link is unknown, has expired, or was already used.");
  }
  return recovery;
}

async function openRecoveryByToken(token: string) {
  const recovery = await findRecoveryByToken(token);
  if (recovery.status !== "pending") {
    throw new AppError("recovery_closed", recovery.status === "recovered" ? "This payment has already been made. Thank you!" : "This payment request is closed.");
  }
  return recovery;
}

/**
 * The customer page's button: a Stripe recovery opens the portal session (redirect); a Shopify
 * recovery has Shopify email its secure update link, and the page says so.
 */
export async function startPaymentUpdate(input: { recoveryToken: string }): Promise<{ redirectTo: string } | { notice: string }> {
  const recovery = await openRecoveryByToken(input.recoveryToken);
  if (isMerchantCharged(recovery.provider)) {
    // An ingested PSP's payment (ADR 0015): its own payment page if the merchant gave one, else the merchant.
    if (recovery.hostedInvoiceUrl) return { redirectTo: recovery.hostedInvoiceUrl };
    const address = contactEmail(recovery.workspace.replyTo);
    return { notice: `To update your payment details, please contact ${merchantName(recovery.workspace)}: ${address ? `write to ${address}` : "reply to their email"}.` };
  }
  if (recovery.provider !== "shopify") return { redirectTo: (await portalSession(recovery)).sessionUrl };
  if (!recovery.cardFingerprint) throw new AppError("not_configured", "This Shopify subscription has no payment method on file to update.");
  const { merchant } = await emailUpdateLinkFromShopify(recovery.id);
  return { notice: `We've emailed you a secure link from ${merchant} to update your card.` };
}

/** DunningDog's update-payment session (see portalSession). */
export async function createUpdatePaymentSession(input: { recoveryToken: string }) {
  const recovery = await openRecoveryByToken(input.recoveryToken);
  if (recovery.provider === "shopify") {
    // Shopify's update page is reached only through the email it sends (customerPaymentMethodSendUpdateEmail).
    throw new AppError(
      "invalid_state",
      "This payment is collected by Shopify, which emails the customer its own secure link to update the card; there is no session URL. The /recover page's button asks Shopify to send it.",
    );
  }
  return portalSession(recovery);
}

/** A Stripe Billing Portal session on the connected account, opened straight on the payment-method update flow. */
async function portalSession(recovery: Awaited<ReturnType<typeof openRecoveryByToken>>) {
  if (!recovery.externalAccountId) throw new AppError("not_configured", "This merchant has no Stripe account connected.");
  const account = await db().connectedStripeAccount.findUnique({ where: { stripeAccountId: recovery.externalAccountId } });
  if (!account || account.disconnectedAt) throw new AppError("recovery_closed", "This payment can no longer be updated online. Please contact the business directly.");
  const back = `${recoveryUrl(createRecoveryToken(recovery.id))}/done`;
  const session = await stripe().billingPortal.sessions.create(
    {
      customer: recovery.externalCustomerId,
      return_url: back,
      flow_data: { type: "payment_method_update", after_completion: { type: "redirect", redirect: { return_url: back } } },
    },
    { stripeAccount: account.stripeAccountId, idempotencyKey: `portal-${recovery.id}-${Math.floor(now().getTime() / 60_000)}` },
  );
  const created = session.created ? session.created * 1000 : now().getTime();
  return { sessionUrl: session.url, expiresAt: new Date(created + SESSION_TTL_MS).toISOString() };
}
