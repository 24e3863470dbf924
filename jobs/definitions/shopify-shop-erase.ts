import { eraseShop } from "~/providers/shopify/webhooks.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const shopifyShopEraseJob = defineJob({
  queue: queues.shopifyShopErase,
  concurrency: 1,
  handler: (data) => eraseShop(data.shopDomain, { onlyIfUninstalled: true }),
});
