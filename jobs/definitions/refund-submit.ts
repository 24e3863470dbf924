import { submitRefund } from "~/domain/collect/refunds.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** A refund not yet accepted by its processor: sent (again) under its own idempotency key. */
export const refundSubmitJob = defineJob({
  queue: queues.refundSubmit,
  concurrency: 4,
  handler: (data) => submitRefund({ refundId: data.refundId }),
});
