import { afterAll, afterEach, beforeAll } from "vitest";
import { testClock } from "~/utils/clock.server";
import type { FakeStripe } from "../fakes/stripe-server";
import { useFakeSmtp } from "./smtp";
import { setUpStripe } from "./stripe";

/**
 * For whole-story test files: the fake Stripe and a real SMTP server for the
 * file, Recoup configured for both, the virtual clock reset after each test.
 */
export function useStripeAndMail(opts: { stripeUserId?: string } = {}) {
  const ctx = { smtp: useFakeSmtp() } as { stripe: FakeStripe; smtp: ReturnType<typeof useFakeSmtp> };
  beforeAll(async () => {
    ctx.stripe = await setUpStripe(opts);
  });
  afterAll(async () => {
    await ctx.stripe.close();
  });
  afterEach(() => testClock.reset());
  return ctx;
}
