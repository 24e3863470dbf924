import type PgBoss from "pg-boss";
import { enqueue, getBoss, stopBoss } from "~/utils/queue.server";
import { log } from "~/utils/logger.server";
import type { JobDefinition } from "./define";
import { DEAD_LETTER_QUEUE, queues, stagesOf } from "./queues";
import { jobDefinitions } from "./registry";

/**
 * What a short-horizon run throws once its job moved to the long-horizon stage: the handler's error
 * (same message), marked so the dead-letter worker, which receives the serialized error as the copy's
 * `output`, can tell a hand-over from work that exhausted its retries.
 */
class HandedOver extends Error {
  readonly handedOverTo: string;
  constructor(later: string, cause: unknown) {
    super(String((cause as Error)?.message ?? cause), { cause });
    this.handedOverTo = later;
  }
}

/** Every 10 minutes: recoveries whose planned action is overdue, and Stripe events whose job was lost, are picked up again. */
const SWEEP_CRON = "*/10 * * * *";

/**
 * Runs one job of `def`, from its queue or from its long-horizon stage (`queue.later`, ADR 0025).
 * When the short horizon's last retry fails, the job moves to the long-horizon stage; only that
 * stage's last retry is the handler's `lastAttempt`.
 */
export async function runJob(def: JobDefinition, job: PgBoss.Job<object> & { retryCount?: number }) {
  const data = def.queue.schema.parse(job.data);
  const later = def.queue.later;
  const inLater = later !== undefined && job.name === later.name;
  const spec = inLater ? later : def.queue;
  const retriesSpent = (job.retryCount ?? 0) >= spec.options.retryLimit;
  try {
    await def.handler(data, { jobId: job.id, lastAttempt: retriesSpent && (inLater || !later) });
  } catch (error) {
    if (later && !inLater && retriesSpent) {
      // Keyed by this job: a retried hand-over sends one long-horizon job.
      await enqueue(later, data, { key: job.id });
      log.warn("job exhausted its short-horizon retries; retrying it on the long horizon", { queue: def.queue.name, jobId: job.id });
      throw new HandedOver(later.name, error);
    }
    throw error;
  }
}

/** Starts the pg-boss work loops for every job definition, and the cron schedules. */
export async function startWorker(opts: { pollingIntervalSeconds?: number } = {}) {
  const boss = await getBoss({ worker: true });
  const pollingIntervalSeconds = opts.pollingIntervalSeconds ?? 1;
  for (const def of jobDefinitions) {
    for (const { name } of stagesOf(def.queue)) {
      const loops = name === def.queue.name ? (def.concurrency ?? 2) : 1;
      for (let i = 0; i < loops; i++) {
        await boss.work<object>(name, { batchSize: 1, pollingIntervalSeconds, includeMetadata: true }, async ([job]) => {
          try {
            await runJob(def as JobDefinition, job!);
          } catch (error) {
            log.warn("job failed; pg-boss will retry it", { queue: name, jobId: job!.id, error });
            throw error;
          }
        });
      }
    }
  }
  await boss.work(DEAD_LETTER_QUEUE, { batchSize: 10, pollingIntervalSeconds: 5, includeMetadata: true }, async (jobs) => {
    for (const job of jobs) {
      const handedOverTo = (job.output as { handedOverTo?: string } | undefined)?.handedOverTo;
      if (handedOverTo) log.info("job moved to its long-horizon stage", { jobId: job.id, queue: handedOverTo, data: job.data });
      else log.error("job exhausted its retries", { jobId: job.id, data: job.data });
    }
  });
  await boss.schedule(queues.metricSnapshots.name, "*/15 * * * *", {});
  await boss.schedule(queues.recoverySweep.name, SWEEP_CRON, {});
  await boss.schedule(queues.stripeEventSweep.name, SWEEP_CRON, {});
  // Nightly, at a quiet hour for the database: what each workspace's retries teach (ADR 0051).
  await boss.schedule(queues.workspaceLearning.name, "40 3 * * *", {});
  return { stop: () => stopBoss({ graceful: true }) };
}
