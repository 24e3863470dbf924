import { processInbox } from "~/domain/inbox/inbox.server";
import { stripeEvents } from "~/providers/stripe/events.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const stripeEventJob = defineJob({
  queue: queues.stripeEvent,
  // Each waits on the network (the provider's API, an endpoint): many at once, not one per core.
  concurrency: 64,
  handler: (data, ctx) => processInbox(stripeEvents, data, ctx),
});
