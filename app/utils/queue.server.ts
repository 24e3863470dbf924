import { randomUUID } from "node:crypto";
import PgBoss from "pg-boss";
import type { z } from "zod";
import { allQueueSpecs, DEAD_LETTER_QUEUE, type QueueSpec } from "../../jobs/queues";
import { now } from "./clock.server";
import { uuidFromKey } from "./crypto.server";
import { isDatabaseUnavailable } from "./db-errors.server";
import { db, type Tx } from "./db.server";
import { log } from "./logger.server";

const g = globalThis as unknown as { __recoupBoss?: { url: string; boss: Promise<PgBoss> } };

/**
 * How often a supervising pg-boss fails jobs whose run outlived their queue's expireInSeconds (a
 * crashed worker's jobs) and hands them to the next worker: a crash costs expireInSeconds plus this.
 * pg-boss's default is 120 s; the query is cheap and runs under an advisory lock in one process.
 */
export const MAINTENANCE_INTERVAL_SECONDS = 20;

/** One started pg-boss per process and database. Web processes only send; workers also supervise and schedule. */
export function getBoss(opts: { worker?: boolean } = {}): Promise<PgBoss> {
  const url = process.env.DATABASE_URL!;
  if (g.__recoupBoss?.url === url) return g.__recoupBoss.boss;
  const boss = (async () => {
    const instance = new PgBoss({
      connectionString: url,
      // A worker fetches, completes and fails each job on its own (jobs/worker.ts): more round trips than a sender's.
      max: opts.worker ? 10 : 5,
      supervise: opts.worker ?? false,
      schedule: opts.worker ?? false,
      maintenanceIntervalSeconds: MAINTENANCE_INTERVAL_SECONDS,
      archiveCompletedAfterSeconds: 7 * 24 * 3600,
    });
    // pg-boss reports its pool's and loops' failures here and keeps polling: a restarting database is
    // a warning, and its work loops pick up again once it answers.
    instance.on("error", (error) =>
      isDatabaseUnavailable(error) ? log.warn("pg-boss: database unavailable, retrying", { error: error.message }) : log.error("pg-boss error", { error }),
    );
    await instance.start();
    await ensureQueues(instance);
    return instance;
  })();
  g.__recoupBoss = { url, boss };
  // A start that failed (the database was away) is forgotten, so the next send starts pg-boss again.
  boss.catch(() => {
    if (g.__recoupBoss?.boss === boss) g.__recoupBoss = undefined;
  });
  return boss;
}

export async function stopBoss(opts: { graceful?: boolean } = {}) {
  const current = g.__recoupBoss;
  g.__recoupBoss = undefined;
  if (current) await (await current.boss).stop({ graceful: opts.graceful ?? true, wait: true, timeout: 20_000 });
}

/** Creates every queue, and brings an existing queue's options up to date with jobs/queues.ts. */
async function ensureQueues(boss: PgBoss) {
  const existing = new Map((await boss.getQueues()).map((q) => [q.name, q]));
  if (!existing.has(DEAD_LETTER_QUEUE)) await boss.createQueue(DEAD_LETTER_QUEUE).catch(ignoreDuplicate);
  for (const q of allQueueSpecs()) {
    const options = { name: q.name, ...q.options, deadLetter: DEAD_LETTER_QUEUE };
    const current = existing.get(q.name);
    if (!current) {
      await boss.createQueue(q.name, options).catch(ignoreDuplicate);
    } else if (
      current.retryLimit !== q.options.retryLimit ||
      current.retryDelay !== q.options.retryDelay ||
      current.retryBackoff !== q.options.retryBackoff ||
      current.expireInSeconds !== q.options.expireInSeconds
    ) {
      await boss.updateQueue(q.name, options);
    }
  }
}

function ignoreDuplicate(error: unknown) {
  // Two processes may create the same queue at once.
  if (!/duplicate key|already exists/i.test(String((error as Error)?.message))) throw error;
}

/** pg-boss runs its SQL inside our Prisma transaction: a job never exists without its row. */
function inTransaction(tx: Tx): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({ rows: await tx.$queryRawUnsafe<unknown[]>(text, ...values) }),
  };
}

const sentListeners = new Set<(queueName: string) => void>();

/**
 * Calls `listener` with the queue of every job this process sends that is due now: a worker wakes
 * its own loops for that queue instead of waiting for their next poll. Returns the unsubscribe.
 */
export function onJobSent(listener: (queueName: string) => void): () => void {
  sentListeners.add(listener);
  return () => sentListeners.delete(listener);
}

export interface EnqueueOptions {
  /** Makes the send idempotent: one job per queue and key, whoever sends it. */
  key?: string;
  startAfter?: Date;
  tx?: Tx;
}

/** The jobs sent in a transaction opened by `transactionSendingJobsAtCommit`, inserted together at its end. */
const heldJobs = new WeakMap<Tx, PgBoss.JobInsert[]>();

/**
 * A Prisma transaction whose jobs (sent with `enqueue(…, { tx })`) go to pg-boss in one statement at
 * its end, before it commits, instead of one statement each (ADR 0066): a failed payment sends three.
 * Their rows still commit or roll back with the transaction's own.
 */
export async function transactionSendingJobsAtCommit<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  return db().$transaction(async (tx) => {
    const jobs: PgBoss.JobInsert[] = [];
    heldJobs.set(tx, jobs);
    try {
      const result = await work(tx);
      if (jobs.length > 0) await (await getBoss()).insert(jobs, { db: inTransaction(tx) });
      return result;
    } finally {
      heldJobs.delete(tx);
    }
  });
}

/**
 * A job as pg-boss inserts it: with a key, its id is the key's (one job per queue and key, whoever
 * sends it, `enqueue` or the Stripe intake's batch); without one, a new id.
 */
export function jobInsert<S extends z.ZodType>(spec: QueueSpec<S>, data: z.infer<S>, opts: Pick<EnqueueOptions, "key" | "startAfter"> = {}) {
  // startAfter is on the engine's clock (virtual in tests); pg-boss compares with the database's.
  const delayMs = opts.startAfter ? Math.max(0, opts.startAfter.getTime() - now().getTime()) : 0;
  return {
    id: opts.key ? uuidFromKey(`${spec.name}:${opts.key}`) : randomUUID(),
    name: spec.name,
    data: spec.schema.parse(data) as object,
    ...(opts.key ? { singletonKey: opts.key } : {}),
    ...(opts.startAfter ? { startAfter: new Date(Date.now() + delayMs) } : {}),
  };
}

/**
 * Sends a job: at once, or with `tx` inside that transaction (at its end when the transaction holds
 * its jobs). Answers the job's id; null when a job with this key existed already (known only when
 * sent at once).
 */
export async function enqueue<S extends z.ZodType>(
  spec: QueueSpec<S>,
  data: z.infer<S>,
  opts: EnqueueOptions = {},
): Promise<string | null> {
  const job = jobInsert(spec, data, opts);
  const held = opts.tx && heldJobs.get(opts.tx);
  let id: string | null = job.id;
  if (held) held.push(job);
  else {
    const { name, data: payload, ...options } = job;
    id = await (await getBoss()).send(name, payload, { ...options, ...(opts.tx ? { db: inTransaction(opts.tx) } : {}) });
  }
  if (!opts.startAfter || opts.startAfter.getTime() <= now().getTime()) for (const listener of sentListeners) listener(spec.name);
  return id;
}

/**
 * Of `values`, those that a job of `queueNames` still holds (waiting, retrying or running) in its
 * payload's `field`: what a sweeper asks before it re-sends work that may have lost its job.
 */
export async function withLiveJobs(queueNames: string[], field: string, values: string[]): Promise<Set<string>> {
  if (values.length === 0) return new Set();
  await getBoss(); // the pgboss schema exists
  const rows = await db().$queryRawUnsafe<Array<{ v: string }>>(
    "SELECT DISTINCT data->>$2 AS v FROM pgboss.job WHERE name = ANY($1::text[]) AND state < 'completed' AND data->>$2 = ANY($3::text[])",
    queueNames,
    field,
    values,
  );
  return new Set(rows.map((r) => r.v));
}
