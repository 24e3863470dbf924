import { emailOwnerAboutEvent } from "~/domain/webhooks/events.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const webhookOwnerEmailJob = defineJob({
  queue: queues.webhookOwnerEmail,
  handler: (data) => emailOwnerAboutEvent(data),
});
