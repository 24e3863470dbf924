import { AppError } from "~/domain/errors";
import { env } from "~/utils/env.server";
import { Stripe, STRIPE_API_VERSION } from "./client.server";

/** Seconds a signature from fetchStripeSignature() stays valid. */
export const STRIPE_APP_SIGNATURE_TOLERANCE = 300;

// Signature checks need no API key (as for webhooks in client.server.ts).
const verifier = new Stripe("sk_test_signature_verification_only", { apiVersion: STRIPE_API_VERSION, telemetry: false });

/** The app signing secret, or 503 in plain words when it is not configured. */
export function stripeAppSecret(): string {
  const secret = env().STRIPE_APP_SECRET;
  if (!secret) {
    throw new AppError("not_configured", "The Stripe Dashboard app is not configured: set STRIPE_APP_SECRET (see README).");
  }
  return secret;
}

/**
 * Checks the `Stripe-Signature` a Dashboard view got from fetchStripeSignature().
 * Stripe signs `JSON.stringify({user_id, account_id})` in that key order, so the
 * payload is rebuilt here, never taken from the body as sent. The tolerance is
 * passed explicitly: a signature is a 5-minute credential, never an open-ended one.
 * https://docs.stripe.com/stripe-apps/build-backend#authenticate-ui-to-backend
 */
export function verifyStripeAppSignature(input: { userId: string; accountId: string; header: string | null }): void {
  const secret = stripeAppSecret();
  if (!input.header) {
    throw new AppError("invalid_signature", "Send the Stripe-Signature header from fetchStripeSignature().");
  }
  const signature = verifier.webhooks.signature;
  if (!signature) throw new Error("stripe-node has no signature helper");
  const payload = JSON.stringify({ user_id: input.userId, account_id: input.accountId });
  try {
    signature.verifyHeader(payload, input.header, secret, STRIPE_APP_SIGNATURE_TOLERANCE);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      const stale = /tolerance/i.test(error.message);
      throw new AppError(
        "invalid_signature",
        stale
          ? "This signature has expired (older than 5 minutes). Reload the app and try again."
          : "This signature does not match this user and account.",
      );
    }
    throw error;
  }
}
