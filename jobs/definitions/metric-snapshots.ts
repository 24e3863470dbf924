import { writeMetricSnapshots } from "~/domain/analytics/snapshots.server";
import { now } from "~/utils/clock.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Every 15 minutes (jobs/worker.ts): rewrites recent daily snapshots of one workspace or all. Upserts, so safe to repeat. */
export const metricSnapshotsJob = defineJob({
  queue: queues.metricSnapshots,
  concurrency: 1,
  handler: (data) => writeMetricSnapshots({ workspaceId: data.workspaceId, now: now() }),
});
