import { runPreDunningStep, sweepPreDunning } from "~/domain/campaigns/pre-dunning.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Enrolls cards expiring this month or next in the first active pre-dunning campaign. */
export const preDunningSweepJob = defineJob({
  queue: queues.preDunningSweep,
  concurrency: 1,
  handler: (data) => sweepPreDunning(data),
});

/** One pre-dunning email, then the next step's job. */
export const preDunningStepJob = defineJob({
  queue: queues.preDunningStep,
  concurrency: 8,
  handler: (data) => runPreDunningStep(data),
});
