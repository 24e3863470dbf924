import { runChargeRetry } from "~/domain/recovery/retry.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const chargeRetryJob = defineJob({
  queue: queues.chargeRetry,
  handler: (data) => runChargeRetry(data),
});
