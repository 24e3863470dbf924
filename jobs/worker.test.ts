import { randomBytes } from "node:crypto";
import pg from "pg";
import PgBoss from "pg-boss";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { requestCustomerAction } from "~/domain/dunning/messages.server";
import { db } from "~/utils/db.server";
import { getBoss } from "~/utils/queue.server";
import { makeWorkspace } from "../tests/factories";
import { zoneWhereItIsNoon } from "../tests/helpers/daytime";
import { useFakeSmtp } from "../tests/helpers/smtp";
import { dunningSendJob } from "./definitions/dunning-send";
import { defineJob, type JobContext, type JobDefinition } from "./define";
import { DEAD_LETTER_QUEUE, type QueueOptions, type QueueSpec } from "./queues";
import { workJobs } from "./worker";

// The worker's loops (jobs/worker.ts) on real pg-boss and PostgreSQL, with queues of this file's own:
// batches, failures inside a batch, the long-horizon hand-over, and two workers on the same queues.

const schema = z.object({ n: z.number().int() });
const smtp = useFakeSmtp();
type Spec = QueueSpec<typeof schema>;
let sql: pg.Client;
const started: PgBoss[] = [];
const unsubscribes: Array<() => void> = [];

beforeAll(async () => {
  await getBoss(); // the pgboss schema and the dead-letter queue exist
  sql = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await sql.connect();
});

afterEach(async () => {
  for (const unsubscribe of unsubscribes.splice(0)) unsubscribe();
  for (const boss of started.splice(0)) await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
});

afterAll(async () => {
  await sql.end();
});

/** A worker process's pg-boss: its own pool, working `defs`. */
async function worker(defs: JobDefinition[]): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: process.env.DATABASE_URL!, supervise: false, schedule: false });
  boss.on("error", () => {});
  await boss.start();
  started.push(boss);
  unsubscribes.push(await workJobs(boss, defs, { pollingIntervalSeconds: 0.5 }));
  return boss;
}

async function queueOf(options: Partial<QueueOptions>, withLater?: Partial<QueueOptions>): Promise<Spec> {
  const name = `t-${randomBytes(4).toString("hex")}`;
  const full = (o: Partial<QueueOptions>): QueueOptions => ({ retryLimit: 2, retryDelay: 1, retryBackoff: false, expireInSeconds: 60, ...o });
  const spec: Spec = { name, schema, options: full(options), ...(withLater ? { later: { name: `${name}-later`, schema, options: full(withLater) } } : {}) };
  const boss = await getBoss();
  for (const q of spec.later ? [spec, spec.later] : [spec]) await boss.createQueue(q.name, { name: q.name, ...q.options, deadLetter: DEAD_LETTER_QUEUE });
  return spec;
}

async function send(spec: Spec, count: number): Promise<string[]> {
  const boss = await getBoss();
  const ids: string[] = [];
  for (let n = 1; n <= count; n++) ids.push((await boss.send(spec.name, { n }))!);
  return ids;
}

async function waitFor(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function jobsOf(name: string) {
  const { rows } = await sql.query<{ n: number; state: string; retry_count: number; output: { handedOverTo?: string } | null; completed_on: Date | null }>(
    "SELECT (data->>'n')::int AS n, state, retry_count, output, completed_on FROM pgboss.job WHERE name = $1 ORDER BY (data->>'n')::int",
    [name],
  );
  return rows;
}

/** Resolves once `count` callers wait on it: jobs that all reach it ran at the same time. */
function barrier(count: number) {
  let waiting = 0;
  let open!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  return () => {
    waiting += 1;
    if (waiting === count) open();
    return opened;
  };
}

describe("a batch", () => {
  it("runs its jobs at once; the one that fails is retried alone while its batch mates complete", async () => {
    const spec = await queueOf({ retryLimit: 2 });
    await send(spec, 4);
    const runs: number[] = [];
    const together = barrier(4);
    const def = defineJob({
      queue: spec,
      concurrency: 8, // two loops of 4: one fetch takes the four jobs
      handler: async ({ n }) => {
        runs.push(n);
        if (runs.length <= 4) await together();
        if (n === 3 && runs.filter((r) => r === 3).length === 1) throw new Error("card network timeout");
      },
    });
    await worker([def as unknown as JobDefinition]);
    await waitFor("every job completed", async () => (await jobsOf(spec.name)).every((j) => j.state === "completed"));

    expect((await jobsOf(spec.name)).map((j) => ({ n: j.n, state: j.state, retries: j.retry_count }))).toEqual([
      { n: 1, state: "completed", retries: 0 },
      { n: 2, state: "completed", retries: 0 },
      { n: 3, state: "completed", retries: 1 },
      { n: 4, state: "completed", retries: 0 },
    ]);
    expect(runs.slice(0, 4).sort()).toEqual([1, 2, 3, 4]);
    expect(runs.slice(4)).toEqual([3]);
    // The batch's successes are completed together, in one statement (one transaction: same now()).
    const done = (await jobsOf(spec.name)).filter((j) => j.n !== 3).map((j) => j.completed_on?.getTime());
    expect(new Set(done).size).toBe(1);
  });

  it("hands a job whose short-horizon retries are spent to the long horizon, and completes its batch mates", async () => {
    const spec = await queueOf({ retryLimit: 0 }, { retryLimit: 0 });
    const [, secondId] = await send(spec, 3);
    const calls: Array<{ n: number; lastAttempt: boolean }> = [];
    let failed = false;
    const def = defineJob({
      queue: spec,
      concurrency: 6,
      handler: async ({ n }, ctx: JobContext) => {
        calls.push({ n, lastAttempt: ctx.lastAttempt });
        if (n === 2 && !failed) {
          failed = true;
          throw new Error("Stripe is down");
        }
      },
    });
    await worker([def as unknown as JobDefinition]);
    await waitFor("the long-horizon copy completed", async () => (await jobsOf(spec.later!.name)).some((j) => j.state === "completed"));

    const short = await jobsOf(spec.name);
    expect(short.map((j) => ({ n: j.n, state: j.state }))).toEqual([
      { n: 1, state: "completed" },
      { n: 2, state: "failed" },
      { n: 3, state: "completed" },
    ]);
    expect(short[1]!.output).toMatchObject({ handedOverTo: spec.later!.name, message: "Stripe is down" });
    const { rows: copies } = await sql.query("SELECT singleton_key FROM pgboss.job WHERE name = $1", [spec.later!.name]);
    expect(copies).toEqual([{ singleton_key: secondId }]);
    // Run twice: in its queue (not the last attempt, a long horizon follows), then as the long-horizon
    // copy, whose own last retry this is.
    expect(calls.filter((c) => c.n === 2)).toEqual([
      { n: 2, lastAttempt: false },
      { n: 2, lastAttempt: true },
    ]);
    expect(calls.filter((c) => c.n !== 2).map((c) => c.n).sort()).toEqual([1, 3]);
  });
});

describe("two workers on the same queues", () => {
  it("share the jobs and never run one twice", async () => {
    const spec = await queueOf({});
    const ids = await send(spec, 300);
    const ranBy = new Map<number, string[]>();
    const defFor = (who: string) =>
      defineJob({
        queue: spec,
        concurrency: 8,
        handler: async ({ n }) => {
          ranBy.set(n, [...(ranBy.get(n) ?? []), who]);
          await new Promise((r) => setTimeout(r, 5)); // a round trip's worth: the two workers interleave
        },
      }) as unknown as JobDefinition;
    await Promise.all([worker([defFor("a")]), worker([defFor("b")])]);
    await waitFor("every job completed", async () => (await jobsOf(spec.name)).filter((j) => j.state === "completed").length === ids.length, 60_000);

    expect(ranBy.size).toBe(300);
    expect([...ranBy.values()].filter((who) => who.length !== 1)).toEqual([]);
    const share = (who: string) => [...ranBy.values()].filter((w) => w[0] === who).length;
    expect(share("a")).toBeGreaterThan(0);
    expect(share("b")).toBeGreaterThan(0);
  });

  it("send each email once, whichever of them takes its job", async () => {
    const { workspace } = await makeWorkspace();
    // Recoup emails in the customer's daytime: it is noon in the workspace's zone.
    await db().workspace.update({ where: { id: workspace.id }, data: { timezone: zoneWhereItIsNoon() } });
    const count = 40;
    for (let i = 0; i < count; i++) {
      const customer = await db().customer.create({ data: { workspaceId: workspace.id, externalId: `cus_two_${i}`, email: `two${i}@example.com`, name: "Ada" } });
      const at = new Date();
      const recovery = await db().recovery.create({
        data: { workspaceId: workspace.id, externalId: `in_two_${i}`, externalCustomerId: customer.externalId, customerId: customer.id, declineType: "hard", amountDueMinor: 2500, currency: "usd", startedAt: at, lastFailureAt: at },
      });
      await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "card_update_request:test" });
    }
    await Promise.all([worker([dunningSendJob as unknown as JobDefinition]), worker([dunningSendJob as unknown as JobDefinition])]);
    await waitFor(
      "every dunning-send job completed",
      async () => (await sql.query("SELECT 1 FROM pgboss.job WHERE name = 'dunning-send' AND state <> 'completed'")).rowCount === 0,
      60_000,
    );

    const ids = smtp.messages.filter((m) => JSON.stringify(m.to).includes("@example.com")).map((m) => m.messageId);
    expect(ids).toHaveLength(count);
    expect(new Set(ids).size).toBe(count);
    expect(await db().dunningMessage.count({ where: { workspaceId: workspace.id, status: "sent" } })).toBe(count);
  });
});
