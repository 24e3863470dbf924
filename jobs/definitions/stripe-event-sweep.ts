import { requeueOrphans } from "~/domain/inbox/inbox.server";
import { inboxSources } from "~/wiring.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Every 10 minutes (jobs/worker.ts): inbox events (every source's) that lost their job continue on the long horizon. */
export const stripeEventSweepJob = defineJob({
  queue: queues.stripeEventSweep,
  concurrency: 1,
  handler: () => requeueOrphans(Object.values(inboxSources)),
});
