import { runAnalyticsRollup } from "~/domain/analytics/rollup.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Every minute (jobs/worker.ts) without a workspace: one job per workspace with changes; with one: its rollup (ADR 0078). Idempotent. */
export const analyticsRollupJob = defineJob({
  queue: queues.analyticsRollup,
  concurrency: 1,
  handler: (data) => runAnalyticsRollup({ workspaceId: data.workspaceId }),
});
