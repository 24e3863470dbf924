import { deliverWebhook } from "~/domain/webhooks/delivery.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const webhookDeliverJob = defineJob({
  queue: queues.webhookDeliver,
  // Each waits on the network (the provider's API, an endpoint): many at once, not one per core.
  concurrency: 16,
  handler: (data, ctx) => deliverWebhook({ deliveryId: data.deliveryId, attempt: data.attempt, replay: data.replay, finalAttempt: ctx.lastAttempt }),
});
