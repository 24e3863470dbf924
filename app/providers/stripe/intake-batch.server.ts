// Group commit for Stripe's webhook intake (ADR 0054). Events that arrive while a write is in flight
// wait and go together in the next one: one transaction on a node-postgres connection holds a
// multi-row insert into StripeEvent and pg-boss's own insert of their jobs, then every waiting
// request is answered. Stored before acknowledged, one job per event, and a transaction that fails
// acknowledges none of its events.
import { randomBytes } from "node:crypto";
import pg from "pg";
import type PgBoss from "pg-boss";
import { isDatabaseUnavailable } from "~/utils/db-errors.server";
import { log } from "~/utils/logger.server";
import { getBoss, jobInsert } from "~/utils/queue.server";
import { stripeEventColumns, stripeEvents, type ReceivedStripeEvent } from "./events.server";

/** Writes in flight at once: while one waits for its commit (the fsync), the next batch is sent. */
const MAX_WRITES_IN_FLIGHT = 2;
/** A batch's bounds: events up to 512 KB each travel in one JSON text. */
const MAX_BATCH_EVENTS = 500;
const MAX_BATCH_BYTES = 4 * 1024 * 1024;

const TABLE = '"StripeEvent"';
const KEY = stripeEvents.idColumn;
const QUEUE = stripeEvents.queue;

interface Waiting {
  event: ReceivedStripeEvent;
  bytes: number;
  resolve(duplicate: boolean): void;
  reject(error: unknown): void;
}

const g = globalThis as unknown as { __recoupIntake?: { url: string; pool: pg.Pool; batcher: Batcher } };

/** One pool and one batcher per process and database, like db() and getBoss(). */
function current(): { pool: pg.Pool; batcher: Batcher } {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: call prepareDatabase() first");
  if (g.__recoupIntake?.url === url) return g.__recoupIntake;
  // allowExitOnIdle: an idle intake pool never holds a process (a CLI, a test file) open.
  const pool = new pg.Pool({ connectionString: url, max: MAX_WRITES_IN_FLIGHT, connectionTimeoutMillis: 10_000, allowExitOnIdle: true });
  // A restarting PostgreSQL closes idle connections: the pool drops them and opens new ones on next use.
  pool.on("error", (error) => log.warn("intake: database connection lost; reconnecting on next use", { error: error.message }));
  g.__recoupIntake = { url, pool, batcher: new Batcher(pool) };
  return g.__recoupIntake;
}

/**
 * Stores a verified event and its job, together with the events that arrive meanwhile. Resolves
 * once committed: `duplicate` when the event was stored before (or by an earlier request in the
 * same batch). Rejects, storing nothing, when its transaction fails.
 */
export function storeStripeEvent(event: ReceivedStripeEvent, bytes: number): Promise<{ duplicate: boolean }> {
  return current().batcher.submit(event, bytes).then((duplicate) => ({ duplicate }));
}

/** Closes the intake's pool (tests and the bench stop what they start). */
export async function closeIntake(): Promise<void> {
  const intake = g.__recoupIntake;
  g.__recoupIntake = undefined;
  await intake?.pool.end();
}

class Batcher {
  private waiting: Waiting[] = [];
  private inFlight = 0;
  private scheduled = false;

  constructor(private readonly pool: pg.Pool) {}

  submit(event: ReceivedStripeEvent, bytes: number): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ event, bytes, resolve, reject });
      this.schedule();
    });
  }

  /** After the current turn of the event loop, so that requests read in the same turn share a batch. */
  private schedule() {
    if (this.scheduled || this.inFlight >= MAX_WRITES_IN_FLIGHT || this.waiting.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      while (this.inFlight < MAX_WRITES_IN_FLIGHT && this.waiting.length > 0) {
        this.inFlight += 1;
        void this.flush(this.take()).finally(() => {
          this.inFlight -= 1;
          this.schedule();
        });
      }
    });
  }

  private take(): Waiting[] {
    let bytes = 0;
    let n = 0;
    while (n < this.waiting.length && n < MAX_BATCH_EVENTS && (n === 0 || bytes + this.waiting[n]!.bytes <= MAX_BATCH_BYTES)) {
      bytes += this.waiting[n]!.bytes;
      n += 1;
    }
    return this.waiting.splice(0, n);
  }

  private async flush(batch: Waiting[]): Promise<void> {
    let stored: Set<string>;
    try {
      stored = await write(this.pool, batch.map((w) => w.event));
    } catch (error) {
      if (batch.length > 1 && !isDatabaseUnavailable(error)) {
        // One event the database refuses must not fail the others: each is written (and answered)
        // in a transaction of its own. A database that is away fails them all (503, Stripe retries).
        log.warn("intake: a batch failed; writing its events one at a time", { events: batch.length, error: (error as Error)?.message });
        for (const one of batch) await this.flush([one]);
        return;
      }
      for (const w of batch) w.reject(error);
      return;
    }
    // The first request for an event stored now is its delivery; any other is a redelivery.
    for (const w of batch) {
      const first = stored.delete(w.event.id);
      w.resolve(!first);
    }
  }
}

/** Row ids in Prisma's cuid shape (c + time + counter + random), as the table's other rows have. */
let counter = 0;
function rowId(): string {
  counter = (counter + 1) % 36 ** 4;
  return `c${Date.now().toString(36)}${counter.toString(36).padStart(4, "0")}${BigInt(`0x${randomBytes(8).toString("hex")}`).toString(36).slice(0, 12).padStart(12, "0")}`;
}

const insertSql = new Map<string, string>();

/**
 * The rows as one JSON text: PostgreSQL parses it once and casts each field to its column's
 * type. Dates travel as ISO text, read as UTC by a timestamp-without-time-zone column, as Prisma
 * writes them.
 */
function insertStatement(columns: string[]): string {
  const key = columns.join(",");
  let sql = insertSql.get(key);
  if (!sql) {
    const list = columns.map((c) => `"${c}"`).join(", ");
    sql = `INSERT INTO ${TABLE} (${list}) SELECT ${list} FROM jsonb_populate_recordset(NULL::${TABLE}, $1::jsonb) ON CONFLICT ("${KEY}") DO NOTHING RETURNING id, "${KEY}" AS key`;
    insertSql.set(key, sql);
  }
  return sql;
}

/** One transaction: the events not stored yet, and a job for each; returns the event ids it stored. */
async function write(pool: pg.Pool, events: ReceivedStripeEvent[]): Promise<Set<string>> {
  const boss = await getBoss();
  const receivedAt = new Date();
  const rows: Array<Record<string, unknown>> = [];
  const seen = new Set<string>();
  for (const event of events) {
    if (seen.has(event.id)) continue;
    seen.add(event.id);
    rows.push({ id: rowId(), receivedAt, ...stripeEventColumns(event) });
  }
  const client = await pool.connect();
  // A connection lost mid-transaction also fails the query in flight (which answers the batch); the
  // client's own 'error' event must not go unheard (an unhandled one ends the process).
  client.on("error", ignoreLost);
  let failed = false;
  try {
    const inserted = await beginAndInsert(client, rows);
    const statements: Statement[] = [];
    if (inserted.length > 0) {
      // As enqueue({ key }) names them: one job per queue and event, whoever sends it.
      const jobs = inserted.map((row) => jobInsert(QUEUE, { [stripeEvents.jobField]: row.id }, { key: row.key }));
      // pg-boss's own multi-job insert (its SQL and values: queue policy, retries, dead letter),
      // sent below on this transaction, with the COMMIT.
      await boss.insert(jobs, { db: collecting(statements) });
    }
    await runWithCommit(client, statements);
    return new Set(inserted.map((row) => row.key));
  } catch (error) {
    failed = true;
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  } finally {
    // A connection that saw an error is not trusted with the next batch.
    client.off("error", ignoreLost);
    client.release(failed);
  }
}

function ignoreLost() {}

// Each round trip to PostgreSQL costs a write system call and a wake-up on both sides, more than the
// statements' own work at these sizes: a batch takes two (BEGIN with the events' insert, the jobs'
// insert with COMMIT), its values written into the query text in dollar quotes (nothing in them
// needs escaping). A value holding the quote's tag goes as a parameter instead, in a round trip of its own.
const TAG = "$recoup_intake$";

interface Statement {
  text: string;
  values: unknown[];
}

/**
 * `text` with its `$n` parameters written in place, untyped as node-postgres sends them (text, or
 * NULL), or null when a value cannot be (not a string, number or boolean, or holding the tag).
 */
function inlined({ text, values }: Statement): string | null {
  const literals: string[] = [];
  for (const value of values) {
    if (value === null || value === undefined) literals.push("NULL");
    else if (!["string", "number", "boolean"].includes(typeof value) || String(value).includes(TAG)) return null;
    else literals.push(`${TAG}${String(value)}${TAG}`);
  }
  return text.replace(/\$(\d+)/g, (_, n: string) => literals[Number(n) - 1]!);
}

type Inserted = Array<{ id: string; key: string }>;

async function beginAndInsert(client: pg.PoolClient, rows: Array<Record<string, unknown>>): Promise<Inserted> {
  const insert = { text: insertStatement(Object.keys(rows[0]!)), values: [JSON.stringify(rows)] };
  const text = inlined(insert);
  if (text) return ((await client.query(`BEGIN;\n${text}`)) as unknown as Array<pg.QueryResult<Inserted[number]>>)[1]!.rows;
  await client.query("BEGIN");
  return (await client.query<Inserted[number]>(insert.text, insert.values)).rows;
}

async function runWithCommit(client: pg.PoolClient, statements: Statement[]): Promise<void> {
  const texts = statements.map(inlined);
  if (texts.every((text) => text !== null)) {
    await client.query([...texts, "COMMIT"].join(";\n"));
    return;
  }
  for (const statement of statements) await client.query(statement.text, statement.values);
  await client.query("COMMIT");
}

/** A pg-boss `db` that keeps the statements pg-boss would run, for runWithCommit to send. */
function collecting(statements: Statement[]): PgBoss.Db {
  return {
    executeSql: async (text, values) => {
      statements.push({ text, values });
      return { rows: [] };
    },
  };
}
