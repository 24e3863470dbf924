import { emailOwnerAboutFailedEvents } from "~/domain/stripe-events/failures.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const stripeEventsFailedEmailJob = defineJob({
  queue: queues.stripeEventsFailedEmail,
  concurrency: 1,
  handler: (data) => emailOwnerAboutFailedEvents(data),
});
