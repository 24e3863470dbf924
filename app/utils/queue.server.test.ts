import pg from "pg";
import { describe, expect, it } from "vitest";
import { allQueueSpecs, queues } from "../../jobs/queues";
import { enqueue, getBoss, MAINTENANCE_INTERVAL_SECONDS, stopBoss, transactionSendingJobsAtCommit } from "./queue.server";

async function queueRows() {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  const { rows } = await client.query<{ name: string; expire_seconds: number; retry_limit: number }>("SELECT name, expire_seconds, retry_limit FROM pgboss.queue");
  await client.end();
  return new Map(rows.map((r) => [r.name, r]));
}

describe("the queues", () => {
  it("of an existing installation take the options of jobs/queues.ts at the next start (a 15-minute expiry becomes the queue's own)", async () => {
    const boss = await getBoss();
    // As deployed before: every queue expired its jobs after 15 minutes.
    await boss.updateQueue(queues.stripeEvent.name, { name: queues.stripeEvent.name, expireInSeconds: 900, retryLimit: 8 });
    expect((await queueRows()).get(queues.stripeEvent.name)).toMatchObject({ expire_seconds: 900 });
    await stopBoss({ graceful: false });

    await getBoss();
    const rows = await queueRows();
    for (const spec of allQueueSpecs()) {
      expect({ name: spec.name, expire: rows.get(spec.name)?.expire_seconds, retries: rows.get(spec.name)?.retry_limit }).toEqual({
        name: spec.name,
        expire: spec.options.expireInSeconds,
        retries: spec.options.retryLimit,
      });
    }
    // An event's run is seconds of work: a crashed worker's event waits its expiry plus one maintenance pass, minutes at most.
    expect(queues.stripeEvent.options.expireInSeconds + MAINTENANCE_INTERVAL_SECONDS).toBeLessThanOrEqual(150);
    expect(rows.get(queues.stripeEvent.later!.name)).toMatchObject({ retry_limit: 36 });
  });
});

describe("a transaction that sends its jobs at commit", () => {
  async function jobs(keys: string[]) {
    const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await client.connect();
    const { rows } = await client.query<{ name: string; key: string; data: object; state: string; retry_limit: number; delayed: boolean }>(
      "SELECT name, singleton_key AS key, data, state, retry_limit, start_after > now() + interval '1 hour' AS delayed FROM pgboss.job WHERE singleton_key = ANY($1) ORDER BY singleton_key",
      [keys],
    );
    await client.end();
    return rows;
  }

  it("inserts its jobs together, with their queue's options, once it commits; a second send of a key adds none", async () => {
    await getBoss();
    const [a, b] = [`held-a-${Date.now()}`, `held-b-${Date.now()}`];
    const later = new Date(Date.now() + 3 * 86_400_000);
    await transactionSendingJobsAtCommit(async (tx) => {
      await enqueue(queues.recoveryExpire, { recoveryId: a }, { tx, key: a, startAfter: later });
      await enqueue(queues.dunningSend, { messageId: b }, { tx, key: b });
      // Held until the transaction's end: nothing is in pgboss.job yet, even inside it.
      expect(await tx.$queryRawUnsafe<unknown[]>("SELECT 1 FROM pgboss.job WHERE singleton_key = ANY($1)", [a, b])).toEqual([]);
    });
    await transactionSendingJobsAtCommit(async (tx) => enqueue(queues.dunningSend, { messageId: "another" }, { tx, key: b }));
    expect(await jobs([a, b])).toEqual([
      { name: queues.recoveryExpire.name, key: a, data: { recoveryId: a }, state: "created", retry_limit: queues.recoveryExpire.options.retryLimit, delayed: true },
      { name: queues.dunningSend.name, key: b, data: { messageId: b }, state: "created", retry_limit: queues.dunningSend.options.retryLimit, delayed: false },
    ]);
  });

  it("sends nothing when it rolls back", async () => {
    await getBoss();
    const key = `held-rollback-${Date.now()}`;
    await expect(
      transactionSendingJobsAtCommit(async (tx) => {
        await enqueue(queues.dunningSend, { messageId: key }, { tx, key });
        throw new Error("the recovery could not be recorded");
      }),
    ).rejects.toThrow("could not be recorded");
    expect(await jobs([key])).toEqual([]);
  });
});
