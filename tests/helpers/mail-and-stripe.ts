import { afterAll, afterEach, beforeAll } from "vitest";
import { testClock } from "~/utils/clock.server";
import { resetEnv } from "~/utils/env.server";
import type { FakeStripe } from "../fakes/stripe-server";
import { startSmtpServer, type FakeSmtp } from "../fakes/smtp-server";
import { setUpStripe } from "./stripe";

/**
 * For whole-story test files: the fake Stripe and a real SMTP server for the
 * file, Recoup configured for both, the virtual clock reset after each test.
 */
export function useStripeAndMail(opts: { stripeUserId?: string } = {}) {
  const ctx = {} as { stripe: FakeStripe; smtp: FakeSmtp };
  beforeAll(async () => {
    ctx.stripe = await setUpStripe(opts);
    ctx.smtp = await startSmtpServer();
    process.env.SMTP_URL = ctx.smtp.url;
    resetEnv();
  });
  afterAll(async () => {
    await ctx.stripe.close();
    await ctx.smtp.close();
  });
  afterEach(() => testClock.reset());
  return ctx;
}
