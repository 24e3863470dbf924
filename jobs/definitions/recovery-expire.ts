import { closeExpiredRecovery } from "~/domain/recovery/engine.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const recoveryExpireJob = defineJob({
  queue: queues.recoveryExpire,
  concurrency: 1,
  handler: (data) => closeExpiredRecovery(data),
});
