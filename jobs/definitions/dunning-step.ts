import { runDunningStep } from "~/domain/dunning/messages.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** One step of a recovery's dunning sequence: its message, its send, the next step's job. */
export const dunningStepJob = defineJob({
  queue: queues.dunningStep,
  // Database work and one send each: many at once keep a backlog of failed payments moving.
  concurrency: 16,
  handler: (data) => runDunningStep(data),
});
