import type Stripe from "stripe";
import * as webhookRoute from "~/routes/api.webhooks.stripe";
import { now } from "~/utils/clock.server";
import { resetEnv } from "~/utils/env.server";
import { makeEvent, signPayload, startFakeStripe, type FakeStripe } from "../fakes/stripe-server";
import { callRoute } from "./http";

export const WEBHOOK_SECRET = "whsec_test_platform_endpoint";
export const CONNECT_WEBHOOK_SECRET = "whsec_test_connect_endpoint";

/** Starts the fake Stripe and points Recoup's configuration at it. */
export async function setUpStripe(opts: { stripeUserId?: string } = {}): Promise<FakeStripe> {
  const fake = await startFakeStripe({ oauth: { stripeUserId: opts.stripeUserId } });
  process.env.STRIPE_SECRET_KEY = "sk_test_platform_key";
  process.env.STRIPE_CLIENT_ID = "ca_test_client";
  process.env.STRIPE_API_BASE = fake.url;
  process.env.STRIPE_WEBHOOK_SECRET = `${WEBHOOK_SECRET},${CONNECT_WEBHOOK_SECRET}`;
  process.env.APP_URL = "http://recoup.test";
  resetEnv();
  return fake;
}

/** An event stamped on the engine's clock (virtual in tests). */
export function eventOf<T>(type: string, object: T, opts: { account?: string; id?: string; previousAttributes?: object; created?: number; livemode?: boolean } = {}) {
  return makeEvent(type, object, { created: Math.floor(now().getTime() / 1000), ...opts });
}

/** POSTs a signed event to the webhook route, exactly as Stripe would. */
export async function deliver(event: Stripe.Event, secret = CONNECT_WEBHOOK_SECRET) {
  const payload = JSON.stringify(event);
  return callRoute(webhookRoute, "/api/webhooks/stripe", {
    method: "POST",
    body: payload,
    headers: { "stripe-signature": signPayload(payload, secret) },
  });
}
