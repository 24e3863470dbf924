import { checkBillingAttempt } from "~/providers/shopify/reconcile.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** One of our Shopify billing attempts, unanswered an hour on: Shopify is asked how it went. */
export const shopifyBillingAttemptCheckJob = defineJob({
  queue: queues.shopifyBillingAttemptCheck,
  handler: (data) => checkBillingAttempt(data),
});
