import { emailOwnerAboutDisabledEndpoint } from "~/domain/webhooks/delivery.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const webhookDisabledEmailJob = defineJob({
  queue: queues.webhookDisabledEmail,
  handler: (data) => emailOwnerAboutDisabledEndpoint(data),
});
