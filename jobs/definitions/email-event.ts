import { emailEvents } from "~/domain/deliverability/events.server";
import { processInbox } from "~/domain/inbox/inbox.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** A verified bounce or complaint: its addresses suppressed (or an SNS subscription confirmed). */
export const emailEventJob = defineJob({
  queue: queues.emailEvent,
  concurrency: 4,
  handler: (data, ctx) => processInbox(emailEvents, data, ctx),
});
