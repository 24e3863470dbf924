import { emailOwnerAboutFailedEvents } from "~/providers/stripe/failures.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const stripeEventsFailedEmailJob = defineJob({
  queue: queues.stripeEventsFailedEmail,
  concurrency: 1,
  handler: (data) => emailOwnerAboutFailedEvents(data),
});
