import { enqueueWorkspaceLearning, refreshWorkspaceLearning } from "~/domain/recovery/learning.server";
import { defineJob } from "../define";
import { queues } from "../queues";

/** Nightly (jobs/worker.ts): without a workspace, sends one job per workspace; with one, recomputes what its retries teach. */
export const workspaceLearningJob = defineJob({
  queue: queues.workspaceLearning,
  concurrency: 1,
  handler: (data) => (data.workspaceId ? refreshWorkspaceLearning({ workspaceId: data.workspaceId }) : enqueueWorkspaceLearning()),
});
