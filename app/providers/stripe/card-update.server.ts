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
  const session = await stripe().billingPortal.sessions.create(
    {
      customer: recovery.externalCustomerId,
      return_url: back,
      flow_data: { type: "payment_method_update", after_completion: { type: "redirect", redirect: { return_url: back } } },
    },
    { stripeAccount: account.stripeAccountId, idempotencyKey: `portal-${recovery.id}-${minute}` },
  );
  const created = session.created ? session.created * 1000 : now().getTime();
  return { sessionUrl: session.url, expiresAt: new Date(created + SESSION_TTL_MS).toISOString() };
}
