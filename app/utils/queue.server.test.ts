import pg from "pg";
import { describe, expect, it } from "vitest";
import { allQueueSpecs, queues } from "../../jobs/queues";
import { getBoss, MAINTENANCE_INTERVAL_SECONDS, stopBoss } from "./queue.server";

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
