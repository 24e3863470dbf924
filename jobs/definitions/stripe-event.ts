import { processStripeEvent } from "~/domain/stripe-events/process.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const stripeEventJob = defineJob({
  queue: queues.stripeEvent,
  concurrency: 4,
  handler: (data, ctx) => processStripeEvent({ ...data, lastAttempt: ctx.lastAttempt }),
});
