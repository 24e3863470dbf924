import pg from "pg";
import { runJob } from "../../jobs/worker";
import { stagesOf } from "../../jobs/queues";
import { jobDefinitions } from "../../jobs/registry";
import { testClock } from "~/utils/clock.server";
import { getBoss } from "~/utils/queue.server";

/**
 * Runs every due job (in every queue) until none is left, the way the worker
 * would, but synchronously: tests stay deterministic. Failures are reported to
 * pg-boss, which schedules the retry as it would in production.
 */
export async function runDueJobs(opts: { maxRounds?: number } = {}): Promise<{ ran: number; failed: number }> {
  const boss = await getBoss();
  let ran = 0;
  let failed = 0;
  for (let round = 0; round < (opts.maxRounds ?? 50); round++) {
    let progressed = false;
    for (const def of jobDefinitions) {
      // A job's queue and, for acknowledged work, its long-horizon stage (jobs/queues.ts).
      for (const { name } of stagesOf(def.queue)) {
        const jobs = await boss.fetch<object>(name, { batchSize: 20, includeMetadata: true });
        for (const job of jobs) {
          progressed = true;
          ran += 1;
          try {
            await runJob(def, job);
            await boss.complete(name, job.id);
          } catch (error) {
            failed += 1;
            await boss.fail(name, job.id, { message: String((error as Error).message) });
          }
        }
      }
    }
    if (!progressed) break;
  }
  return { ran, failed };
}

/** Moves both the engine's clock and pg-boss's schedule forward. */
export async function advanceTime(ms: number) {
  testClock.advance(ms);
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  await client.query(
    "UPDATE pgboss.job SET start_after = start_after - make_interval(secs => $1) WHERE state IN ('created', 'retry')",
    [ms / 1000],
  );
  await client.end();
}

export async function pendingJobs(queue?: string): Promise<Array<{ name: string; data: unknown; start_after: Date; state: string }>> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const res = await client.query(
    `SELECT name, data, start_after, state FROM pgboss.job WHERE state IN ('created', 'retry', 'active') ${queue ? "AND name = $1" : ""} ORDER BY start_after`,
    queue ? [queue] : [],
  );
  await client.end();
  return res.rows;
}
