import { processInbox } from "~/domain/inbox/inbox.server";
import { shopifyWebhooks } from "~/providers/shopify/webhooks.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const shopifyWebhookJob = defineJob({
  queue: queues.shopifyWebhook,
  // Each waits on Shopify's Admin API.
  concurrency: 8,
  handler: (data, ctx) => processInbox(shopifyWebhooks, data, ctx),
});
