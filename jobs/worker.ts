import type PgBoss from "pg-boss";
import { getBoss, stopBoss } from "~/utils/queue.server";
import { log } from "~/utils/logger.server";
import type { JobDefinition } from "./define";
import { DEAD_LETTER_QUEUE, queues } from "./queues";
import { jobDefinitions } from "./registry";

export async function runJob(def: JobDefinition, job: PgBoss.Job<object> & { retryCount?: number }) {
  const data = def.queue.schema.parse(job.data);
  await def.handler(data, { jobId: job.id, lastAttempt: (job.retryCount ?? 0) >= def.queue.options.retryLimit });
}

/** Starts the pg-boss work loops for every job definition, and the cron schedules. */
export async function startWorker(opts: { pollingIntervalSeconds?: number } = {}) {
  const boss = await getBoss({ worker: true });
  const pollingIntervalSeconds = opts.pollingIntervalSeconds ?? 1;
  for (const def of jobDefinitions) {
    for (let i = 0; i < (def.concurrency ?? 2); i++) {
      await boss.work<object>(def.queue.name, { batchSize: 1, pollingIntervalSeconds, includeMetadata: true }, async ([job]) => {
        try {
          await runJob(def as JobDefinition, job!);
        } catch (error) {
          log.warn("job failed; pg-boss will retry it", { queue: def.queue.name, jobId: job!.id, error });
          throw error;
        }
      });
    }
  }
  await boss.work(DEAD_LETTER_QUEUE, { batchSize: 10, pollingIntervalSeconds: 5 }, async (jobs) => {
    for (const job of jobs) log.error("job exhausted its retries", { jobId: job.id, data: job.data });
  });
  await boss.schedule(queues.metricSnapshots.name, "*/15 * * * *", {});
  return { stop: () => stopBoss({ graceful: true }) };
}
