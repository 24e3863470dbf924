import { processShopifyWebhook } from "~/domain/shopify/webhooks.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const shopifyWebhookJob = defineJob({
  queue: queues.shopifyWebhook,
  handler: (data) => processShopifyWebhook(data),
});
