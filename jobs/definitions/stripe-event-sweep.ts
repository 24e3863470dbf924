import { requeueOrphanedStripeEvents } from "~/domain/stripe-events/failures.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Every 10 minutes (jobs/worker.ts): Stripe events that lost their job continue on the long horizon. */
export const stripeEventSweepJob = defineJob({
  queue: queues.stripeEventSweep,
  concurrency: 1,
  handler: () => requeueOrphanedStripeEvents(),
});
