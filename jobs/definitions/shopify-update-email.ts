import { sendShopifyUpdateEmail } from "~/providers/shopify/update-email.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Asks Shopify to send its payment-method update email; pg-boss retries throttling and outages. */
export const shopifyUpdateEmailJob = defineJob({
  queue: queues.shopifyUpdateEmail,
  handler: (data, ctx) => sendShopifyUpdateEmail({ messageId: data.messageId, lastAttempt: ctx.lastAttempt }),
});
