import { AsyncLocalStorage } from "node:async_hooks";
import type PgBoss from "pg-boss";
import { enqueue, getBoss, onJobSent, stopBoss } from "~/utils/queue.server";
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

/**
 * Fetch loops of a busy queue: while one loop's batch finishes its slowest job, the other's jobs run.
 * A queue of fewer jobs at once has one loop: every loop polls its queue each interval, busy or not.
 */
const LOOPS_PER_BUSY_QUEUE = 2;
const BUSY_QUEUE_CONCURRENCY = 8;
/** A loop waits for its batch's slowest job before fetching again: a wide queue gets more, smaller batches. */
const JOBS_PER_LOOP = 16;

/**
 * Runs one fetched batch: every job at once, a failed job failed on its own (retried alone), and the
 * jobs that succeeded completed together once the batch is over, by pg-boss's own completion of the
 * batch (one statement and one commit per batch, not per job: ADR 0066; it skips the jobs no longer
 * active, the failed ones). Never throws: pg-boss would then fail the whole batch. A crash before
 * the batch ends runs its done jobs again once they expire: every handler is idempotent, and an
 * email is claimed once (ADR 0058).
 */
async function runBatch(boss: PgBoss, name: string, jobs: Array<PgBoss.JobWithMetadata<object>>, run: (job: PgBoss.JobWithMetadata<object>) => Promise<void>) {
  await Promise.all(
    jobs.map(async (job) => {
      // Past its expiry, pg-boss has failed the run and may have handed the job to another worker:
      // a late failure would then land on that run. (pg-boss completes the batch only when it ended
      // within the queue's expiry: a late success is never recorded either.)
      const deadline = Date.now() + job.expireInSeconds * 1000;
      try {
        await run(job);
      } catch (error) {
        log.warn("job failed; pg-boss will retry it", { queue: name, jobId: job.id, error });
        if (Date.now() >= deadline) return;
        // Unrecorded (the database is away), the job stays active and runs again once it expires.
        await boss
          .fail(name, job.id, error as object)
          .catch((e: unknown) => log.warn("could not record the job's failure; it runs again once it expires", { queue: name, jobId: job.id, error: e }));
      }
    }),
  );
}

/**
 * Works the queues of `defs` (each stage, ADR 0025) on `boss`: per queue, one or two fetch loops
 * share its `concurrency` in batches. Returns what stops listening for the jobs this process sends.
 */
export async function workJobs(boss: PgBoss, defs: JobDefinition[], opts: { pollingIntervalSeconds: number }): Promise<() => void> {
  const loopsOf = new Map<string, string[]>();
  // A job this process sends (the next step of the one it runs) wakes its queue's loops once the job
  // that sent it is over (its transaction committed), instead of waiting for their next poll. Each
  // run keeps its own list: the end of another job running beside it would wake them too early.
  const sentByRun = new AsyncLocalStorage<Set<string>>();
  const unsubscribe = onJobSent((queueName) => sentByRun.getStore()?.add(queueName));
  const run = async (def: JobDefinition, job: PgBoss.JobWithMetadata<object>) => {
    const sent = new Set<string>();
    try {
      await sentByRun.run(sent, () => runJob(def, job));
    } finally {
      for (const queueName of sent) for (const id of loopsOf.get(queueName) ?? []) boss.notifyWorker(id);
    }
  };
  for (const def of defs) {
    const concurrency = def.concurrency ?? 2;
    for (const { name } of stagesOf(def.queue)) {
      // The long-horizon stage holds rare, spread-out retries: one job at a time is enough.
      const atOnce = name === def.queue.name ? concurrency : 1;
      const loops = atOnce >= BUSY_QUEUE_CONCURRENCY ? Math.max(LOOPS_PER_BUSY_QUEUE, Math.ceil(atOnce / JOBS_PER_LOOP)) : 1;
      const batchSize = Math.ceil(atOnce / loops);
      const ids: string[] = [];
      loopsOf.set(name, ids);
      for (let i = 0; i < loops; i++) {
        const id: string = await boss.work<object>(name, { batchSize, pollingIntervalSeconds: opts.pollingIntervalSeconds, includeMetadata: true }, async (jobs) => {
          await runBatch(boss, name, jobs, (job) => run(def, job));
          // A full batch says more are waiting: fetch again at once rather than after the polling interval.
          if (jobs.length === batchSize) boss.notifyWorker(id);
        });
        ids.push(id);
      }
    }
  }
  return unsubscribe;
}

/** Starts the pg-boss work loops for every job definition, and the cron schedules. */
export async function startWorker(opts: { pollingIntervalSeconds?: number } = {}) {
  const boss = await getBoss({ worker: true });
  const unsubscribe = await workJobs(boss, jobDefinitions, { pollingIntervalSeconds: opts.pollingIntervalSeconds ?? 1 });
  await boss.work(DEAD_LETTER_QUEUE, { batchSize: 10, pollingIntervalSeconds: 5, includeMetadata: true }, async (jobs) => {
    for (const job of jobs) {
      const handedOverTo = (job.output as { handedOverTo?: string } | undefined)?.handedOverTo;
      if (handedOverTo) log.info("job moved to its long-horizon stage", { jobId: job.id, queue: handedOverTo, data: job.data });
      else log.error("job exhausted its retries", { jobId: job.id, data: job.data });
    }
  });
  await boss.schedule(queues.metricSnapshots.name, "*/15 * * * *", {});
  // Analytics rollups (ADR 0078): every minute, one job per workspace with changes.
  await boss.schedule(queues.analyticsRollup.name, "* * * * *", {});
  // Alert digests are due at 08:00 in each workspace's zone: a quarter-hourly run finds them within 15 minutes (ADR 0077).
  await boss.schedule(queues.alertDigests.name, "*/15 * * * *", {});
  await boss.schedule(queues.recoverySweep.name, SWEEP_CRON, {});
  await boss.schedule(queues.stripeEventSweep.name, SWEEP_CRON, {});
  // Nightly, at a quiet hour for the database: what each workspace's retries teach (ADR 0051).
  await boss.schedule(queues.workspaceLearning.name, "40 3 * * *", {});
  // Cards expiring this month or next: once a day, in the morning (UTC), for every workspace.
  await boss.schedule(queues.preDunningSweep.name, "10 8 * * *", {});
  return {
    stop: async () => {
      unsubscribe();
      await stopBoss({ graceful: true });
    },
  };
}
