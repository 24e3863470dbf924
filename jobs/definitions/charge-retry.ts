import { runChargeRetry } from "~/domain/recovery/retry.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const chargeRetryJob = defineJob({
  queue: queues.chargeRetry,
  // Each waits on one Stripe charge.
  concurrency: 8,
  handler: (data) => runChargeRetry(data),
});
