// How a Stripe customer updates their card: a Billing Portal session on the connected account,
// opened straight on the payment-method update flow (the /recover page's button and DunningDog's
// update-payment session alike).
import type { RecoveryWithWorkspace } from "~/domain/recovery/provider";
import { createRecoveryToken, recoveryUrl } from "~/domain/recovery/links.server";
import { AppError } from "~/domain/errors";
import { stripe } from "~/integrations/stripe/client.server";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";

// Stripe does not return an expiry for portal sessions; they are short-lived. We promise 5 minutes.
const SESSION_TTL_MS = 5 * 60_000;

export async function portalSession(recovery: RecoveryWithWorkspace) {
  if (!recovery.externalAccountId) throw new AppError("not_configured", "This merchant has no Stripe account connected.");
  const account = await db().connectedStripeAccount.findUnique({ where: { stripeAccountId: recovery.externalAccountId } });
  if (!account || account.disconnectedAt) throw new AppError("recovery_closed", "This payment can no longer be updated online. Please contact the business directly.");
  // One session per recovery and minute (the idempotency key): its parameters, the return link's
  // token included, are made from that minute, so a second press in it repeats the same request.
  const minute = Math.floor(now().getTime() / 60_000);
  const back = `${recoveryUrl(createRecoveryToken(recovery.id, new Date(minute * 60_000)))}/done`;
  return updateFlowSession({ accountId: account.stripeAccountId, customerId: recovery.externalCustomerId, returnUrl: back, key: `portal-${recovery.id}-${minute}` });
}

/** A portal session opened on the payment-method update flow, returning to `returnUrl`; one per key (a retried request is the same session). */
async function updateFlowSession(input: { accountId: string; customerId: string; returnUrl: string; key: string }) {
  const session = await stripe().billingPortal.sessions.create(
    {
      customer: input.customerId,
      return_url: input.returnUrl,
      flow_data: { type: "payment_method_update", after_completion: { type: "redirect", redirect: { return_url: input.returnUrl } } },
    },
    { stripeAccount: input.accountId, idempotencyKey: input.key },
  );
  const created = session.created ? session.created * 1000 : now().getTime();
  return { sessionUrl: session.url, expiresAt: new Date(created + SESSION_TTL_MS).toISOString() };
}

/** Pre-dunning's `/card/<token>` button: the same update flow for a customer with no failed payment, on a still-connected account. */
export async function customerCardUpdate(input: { accountId: string; customerId: string; returnUrl: string; key: string }): Promise<{ redirectTo: string }> {
  const account = await db().connectedStripeAccount.findUnique({ where: { stripeAccountId: input.accountId } });
  if (!account || account.disconnectedAt) throw new AppError("not_configured", "This card can no longer be updated online. Please contact the business directly.");
  const minute = Math.floor(now().getTime() / 60_000);
  return { redirectTo: (await updateFlowSession({ ...input, key: `${input.key}-${minute}` })).sessionUrl };
}
