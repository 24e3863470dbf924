import { processInbox } from "~/domain/inbox/inbox.server";
import { stripeEvents } from "~/providers/stripe/events.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const stripeEventJob = defineJob({
  queue: queues.stripeEvent,
  concurrency: 4,
  handler: (data, ctx) => processInbox(stripeEvents, data, ctx),
});
