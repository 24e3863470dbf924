import { processInbox } from "~/domain/inbox/inbox.server";
import { shopifyWebhooks } from "~/providers/shopify/webhooks.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const shopifyWebhookJob = defineJob({
  queue: queues.shopifyWebhook,
  handler: (data, ctx) => processInbox(shopifyWebhooks, data, ctx),
});
