import Stripe from "stripe";
import { AppError } from "~/domain/errors";
import { env } from "~/utils/env.server";

/** The one place the Stripe API version is pinned; fixtures in tests/ follow it. */
export const STRIPE_API_VERSION = "2026-10-28.endive" as const;

const clients = new Map<string, Stripe>();

function options(): Stripe.StripeConfig {
  const base = env().STRIPE_API_BASE;
  const config: Stripe.StripeConfig = {
    apiVersion: STRIPE_API_VERSION,
    telemetry: false,
    // pg-boss retries failed jobs with backoff; the SDK adds quick retries (same idempotency key) for blips.
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: "Recoup", url: "https://github.com/recoup" },
  };
  if (base) {
    // stripe-node ≥ 22 also sends Connect OAuth calls to this host (../shared/docs/PLATFORMS.md).
    const u = new URL(base);
    config.host = u.hostname;
    config.port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
    config.protocol = u.protocol.replace(":", "") as "http" | "https";
  }
  return config;
}

/** The platform client; calls for a merchant pass `{ stripeAccount }`. */
export function stripe(): Stripe {
  const key = env().STRIPE_SECRET_KEY;
  if (!key) throw new AppError("not_configured", "Stripe is not configured: set STRIPE_SECRET_KEY (see README).");
  const cacheKey = `${key}|${env().STRIPE_API_BASE ?? ""}`;
  let client = clients.get(cacheKey);
  if (!client) {
    client = new Stripe(key, options());
    clients.set(cacheKey, client);
  }
  return client;
}

export function stripeConfigured(): boolean {
  return Boolean(env().STRIPE_SECRET_KEY);
}

// Signature checks need no API key.
const verifier = new Stripe("sk_test_signature_verification_only", { apiVersion: STRIPE_API_VERSION, telemetry: false });

export class SignatureError extends Error {}

/**
 * Verifies `Stripe-Signature` on the raw body against every configured secret
 * (platform and Connect endpoints each have one), 300 s tolerance. Returns the body, parsed
 * (the SDK parses it once verified; a body that is not JSON throws a SyntaxError).
 */
export function verifyStripeSignature(rawBody: string, header: string, secrets: string[]): unknown {
  for (const secret of secrets) {
    try {
      return verifier.webhooks.constructEvent(rawBody, header, secret, 300);
    } catch (error) {
      if (!(error instanceof Stripe.errors.StripeSignatureVerificationError)) throw error;
    }
  }
  throw new SignatureError("No signatures found matching the expected signature for payload.");
}

export { Stripe };
