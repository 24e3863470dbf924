// The inbox (ADR 0042): every inbound event source (Stripe events, Shopify webhooks, ingested PSP
// events, the next one) is stored once by its key and its job is sent in the same transaction; the
// job then runs the source's handler through one lifecycle. A source is a descriptor (InboxSource)
// and a handler; its table keeps its own columns, the lifecycle columns are the same everywhere.
import type { z } from "zod";
import { now } from "~/utils/clock.server";
import { isRecordNotFound } from "~/utils/db-errors.server";
import { db, type Db, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { enqueue, withLiveJobs } from "~/utils/queue.server";
import { stagesOf, type QueueSpec } from "../../../jobs/queues";

/**
 * `pending` (stored, its job waits), `processed`, `ignored` (done, lastError says why), `retrying`
 * (a run failed, pg-boss runs it again), `failed` (given up after the long horizon; for a source
 * whose `retryingStatus` is `failed`, also a failed run that is retried).
 */
export type InboxStatus = "pending" | "processed" | "ignored" | "retrying" | "failed";

const DONE: ReadonlySet<string> = new Set<InboxStatus>(["processed", "ignored"]);
/** What a replay runs again: failed runs, given up or still retried. */
const REPLAYABLE: InboxStatus[] = ["failed", "retrying"];
/** What waits for a job: the sweeper checks that one still holds it. */
const WAITING: InboxStatus[] = ["pending", "retrying"];

/** The lifecycle columns, the same in every source's table. */
export interface InboxRow {
  id: string;
  status: string;
  attempts: number;
  workspaceId: string | null;
  receivedAt: Date;
}

type Where = Record<string, unknown>;

/** The part of a source table's Prisma delegate the inbox uses (Data: the table's create-many input). */
export interface InboxTable<Row extends InboxRow, Data = Where> {
  createManyAndReturn(args: { data: Data; select: Record<string, true>; skipDuplicates: true }): Promise<Array<Record<string, unknown>>>;
  findFirstOrThrow(args: { where: Where; select: { id: true } }): Promise<{ id: string }>;
  findUnique(args: { where: { id: string } }): Promise<Row | null>;
  findMany(args: { where: Where; select: Record<string, true>; orderBy: Where | Where[]; take?: number }): Promise<Array<Record<string, unknown>>>;
  updateMany(args: { where: { id: string }; data: Where }): Promise<unknown>;
  update(args: { where: { id: string }; data: Where; select: { id: true } }): Promise<unknown>;
}

/** A job's payload: the row's id under the source's own field name (jobs in flight carry it). */
type JobOf<Field extends string> = Record<Field, string>;

export interface InboxSource<Row extends InboxRow = InboxRow, Stored = never, Field extends string = string, Data = Where> {
  /** `events replay --source <name>`, and the logs. */
  name: string;
  /** Its job's queue, with the long-horizon stage that keeps an acknowledged event alive for days (ADR 0025). */
  queue: QueueSpec<z.ZodType<JobOf<Field>>> & { later: QueueSpec<z.ZodType<JobOf<Field>>> };
  jobField: Field;
  table(client: Db | Tx): InboxTable<Row, Data>;
  /**
   * The column holding the id the outside knows an event by (Stripe's event id, Shopify's webhook
   * id, the row id /api/v1 answered): `events replay --event` takes it, and job keys start with it.
   */
  idColumn: string;
  /** A received event's row (the inbox stores it unless its key is stored already). */
  columns(tx: Tx, stored: Stored): Data | Promise<Data>;
  /** The event's unique key's columns, as a `where`: a redelivery's row is found by it. */
  key(stored: Stored): Where;
  /** Events stored only for the record, never run (Shopify topics Recoup does not handle). */
  runs?: { stored(stored: Stored): boolean; where: Where };
  /** The status a failed run leaves while it is retried (`failed` where operators and tests read that word). */
  retryingStatus: "retrying" | "failed";
  handle(row: Row, run: InboxRun): Promise<InboxOutcome>;
  /** The last retry failed: told in the transaction that records it. */
  onGivenUp?(tx: Tx, input: { workspaceId: string; at: Date }): Promise<void>;
}

export interface InboxRun {
  /** No retry follows if this run fails. */
  lastAttempt: boolean;
  /** The workspace the event turned out to be about (a Stripe event arrives without one): stored with the outcome or the failure. */
  workspaceId?: string;
}

export interface InboxOutcome {
  status: "processed" | "ignored";
  /** Why it was ignored: kept in lastError, where the dashboard and operators read it. */
  note?: string | null;
  /** Source columns the handler fills (an ingested event's recovery). */
  columns?: Where;
}

// The descriptors are generic over their own row and stored shapes; these functions only read the
// lifecycle columns, so any source goes.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnySource = InboxSource<any, any, string, any>;

const jobOf = (source: AnySource, rowId: string) => ({ [source.jobField]: rowId });

/** Errors are stored for people to read, one way for every source. */
export function errorText(error: unknown): string {
  return String((error as Error)?.message ?? error).slice(0, 2000);
}

/**
 * Store (unique by the source's key) and send the job, in one transaction: an acknowledged event
 * always has its row and its job, and a redelivery changes nothing.
 */
export async function receive<Stored, Data>(source: InboxSource<InboxRow, Stored, string, Data>, stored: Stored): Promise<{ id: string; duplicate: boolean }> {
  return db().$transaction(async (tx) => {
    const table = source.table(tx);
    const data = await source.columns(tx, stored);
    const [row] = await table.createManyAndReturn({ data, select: { id: true, [source.idColumn]: true }, skipDuplicates: true });
    if (!row) return { id: (await table.findFirstOrThrow({ where: source.key(stored), select: { id: true } })).id, duplicate: true };
    const id = row.id as string;
    if (source.runs?.stored(stored) ?? true) await enqueue(source.queue, jobOf(source, id), { tx, key: row[source.idColumn] as string });
    return { id, duplicate: false };
  });
}

/**
 * A source's job: load → skip if done → the handler → finish (processed / ignored with its note),
 * or record the failure and rethrow so pg-boss retries. Every run that ends counts an attempt.
 */
export async function processInbox<Field extends string>(
  source: InboxSource<any, any, Field, any>, // eslint-disable-line @typescript-eslint/no-explicit-any
  job: JobOf<Field>,
  opts: { lastAttempt?: boolean } = {},
): Promise<InboxOutcome | undefined> {
  const table = source.table(db());
  const row = await table.findUnique({ where: { id: job[source.jobField] } });
  if (!row || DONE.has(row.status)) return;
  const run: InboxRun = { lastAttempt: opts.lastAttempt ?? false };
  let outcome: InboxOutcome;
  try {
    outcome = await source.handle(row, run);
  } catch (error) {
    await recordFailure(source, row, run, error);
    log.warn("inbox event failed", { source: source.name, id: (row as Record<string, unknown>)[source.idColumn], rowId: row.id, error });
    throw error;
  }
  // `update`, not `updateMany`: Prisma sends an updateMany outside a transaction as BEGIN, UPDATE,
  // COMMIT, and this runs once per event (ADR 0062). A handler may delete its own row (Shopify's
  // shop/redact erases the shop's webhooks): then there is nothing left to finish.
  await table
    .update({
      where: { id: row.id },
      data: {
        ...outcome.columns,
        status: outcome.status,
        lastError: outcome.note ?? null,
        attempts: { increment: 1 },
        processedAt: new Date(),
        workspaceId: run.workspaceId,
      },
      select: { id: true },
    })
    .catch((error: unknown) => {
      if (!isRecordNotFound(error)) throw error;
    });
  return outcome;
}

async function recordFailure(source: AnySource, row: InboxRow, run: InboxRun, error: unknown) {
  await db().$transaction(async (tx) => {
    await source.table(tx).updateMany({
      where: { id: row.id },
      data: {
        attempts: { increment: 1 },
        lastError: errorText(error),
        status: run.lastAttempt ? "failed" : source.retryingStatus,
        workspaceId: run.workspaceId,
      },
    });
    const workspaceId = run.workspaceId ?? row.workspaceId;
    if (run.lastAttempt && workspaceId && source.onGivenUp) await source.onGivenUp(tx, { workspaceId, at: now() });
  });
}

/**
 * Runs failed events again now, each once more: the merchant's "Retry now" (their workspace) or the
 * operator's `events replay` (one workspace, one event, or every one). One job per event and
 * failure count: pressing twice before it ran sends one job.
 */
export async function replayInbox(source: AnySource, input: { workspaceId?: string; id?: string }): Promise<{ replayed: string[] }> {
  const rows = await source.table(db()).findMany({
    where: {
      ...(input.workspaceId ? { workspaceId: input.workspaceId } : {}),
      ...(input.id ? { [source.idColumn]: input.id } : {}),
      status: { in: REPLAYABLE },
      ...source.runs?.where,
    },
    select: { id: true, [source.idColumn]: true, attempts: true },
    orderBy: { receivedAt: "asc" },
  });
  for (const row of rows) {
    await db().$transaction(async (tx) => {
      await source.table(tx).updateMany({ where: { id: row.id as string }, data: { status: "pending" } });
      await enqueue(source.queue, jobOf(source, row.id as string), { tx, key: `${row[source.idColumn]}:replay:${row.attempts}` });
    });
  }
  if (rows.length) log.info("inbox events replayed", { source: source.name, count: rows.length, workspaceId: input.workspaceId });
  return { replayed: rows.map((r) => r[source.idColumn] as string) };
}

/** Older than this, an event waiting with no job lost it (its job's creation is in the row's transaction). */
const ORPHANED_AFTER_MS = 10 * 60_000;

/**
 * The sweeper (every 10 minutes): an event still waiting that no job holds any more (a worker
 * crashed during its last short-horizon run, so the run expired into the dead-letter queue instead
 * of handing over) continues on its source's long horizon.
 */
export async function requeueOrphans(sources: AnySource[]): Promise<{ requeued: string[] }> {
  // Real time, not the engine's (virtual in tests) clock: what is late is a job's creation.
  const cutoff = new Date(Date.now() - ORPHANED_AFTER_MS);
  const requeued: string[] = [];
  for (const source of sources) {
    const later = source.queue.later;
    let after: { receivedAt: Date; id: string } | null = null;
    for (let page = 0; page < 20; page++) {
      const rows = (await source.table(db()).findMany({
        where: {
          status: { in: WAITING },
          receivedAt: { lt: cutoff },
          ...source.runs?.where,
          ...(after ? { OR: [{ receivedAt: { gt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { gt: after.id } }] } : {}),
        },
        select: { id: true, [source.idColumn]: true, attempts: true, receivedAt: true },
        orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
        take: 500,
      })) as Array<{ id: string; attempts: number; receivedAt: Date } & Record<string, unknown>>;
      if (rows.length === 0) break;
      const live = await withLiveJobs(stagesOf(source.queue).map((q) => q.name), source.jobField, rows.map((r) => r.id));
      for (const row of rows.filter((r) => !live.has(r.id))) {
        await enqueue(later, jobOf(source, row.id), { key: `${row[source.idColumn]}:orphan:${row.attempts}` });
        requeued.push(row[source.idColumn] as string);
      }
      after = rows[rows.length - 1]!;
    }
  }
  if (requeued.length) log.warn("inbox events without a job sent to the long horizon", { count: requeued.length });
  return { requeued };
}
