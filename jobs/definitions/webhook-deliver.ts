import { deliverWebhook } from "~/domain/webhooks/events.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const webhookDeliverJob = defineJob({
  queue: queues.webhookDeliver,
  concurrency: 4,
  handler: (data, ctx) => deliverWebhook({ deliveryId: data.deliveryId, finalAttempt: ctx.lastAttempt }),
});
