import { runAlertDigests } from "~/domain/alerts/digests.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Every 15 minutes (jobs/worker.ts): each digest rule's due period, once (ADR 0077). */
export const alertDigestsJob = defineJob({
  queue: queues.alertDigests,
  concurrency: 1,
  handler: () => runAlertDigests(),
});
