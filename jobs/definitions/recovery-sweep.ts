import { replanOverdueRecoveries } from "~/domain/recovery/engine.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Every 10 minutes (jobs/worker.ts): recoveries whose planned action is long overdue are planned again. */
export const recoverySweepJob = defineJob({
  queue: queues.recoverySweep,
  concurrency: 1,
  handler: () => replanOverdueRecoveries(),
});
