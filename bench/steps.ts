// Where the time of one intake goes: its steps alone, one request at a time, in the bench's process.
import { randomUUID } from "node:crypto";
import type pg from "pg";
import { signedEvent, type Signed } from "./events";

export interface StepsInput {
  secret: string;
  /** POSTs the event to the running app's webhook route. */
  post: (event: Signed) => Promise<unknown>;
  sql: pg.Client;
  redelivered: Signed;
}

async function meanMs(runs: number, step: (i: number) => unknown): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < runs; i++) await step(i);
  return (performance.now() - start) / runs;
}

/** Mean ms of each step; report.ts says what each one is. */
export interface Steps {
  http: number;
  prisma: number;
  pg: number;
  redelivered: number;
  signature: number;
  emptyTransaction: number;
  roundTrip: number;
}

export async function timeSteps({ secret, post, sql, redelivered }: StepsInput, runs = 200): Promise<Steps> {
  const { db } = await import("../app/utils/db.server");
  const { getBoss } = await import("../app/utils/queue.server");
  const { uuidFromKey } = await import("../app/utils/crypto.server");
  const { receiveStripeEvent } = await import("../app/providers/stripe/intake.server");
  const { verifyStripeSignature } = await import("../app/integrations/stripe/client.server");
  const { queues } = await import("../jobs/queues");
  const boss = await getBoss();
  const onSql = { executeSql: (text: string, values: unknown[]) => sql.query(text, values) };

  // The intake's own statements sent with node-postgres instead of Prisma: what the database part costs.
  const withPg = async ({ id, rawBody, signature }: Signed) => {
    verifyStripeSignature(rawBody, signature, [secret]);
    const event = JSON.parse(rawBody) as { type: string; livemode: boolean; created: number };
    await sql.query("BEGIN");
    const { rows } = await sql.query<{ id: string }>(
      `INSERT INTO "StripeEvent" (id, "eventId", type, livemode, "eventCreatedAt", payload)
       VALUES ($1, $2, $3, $4, to_timestamp($5), $6) ON CONFLICT ("eventId") DO NOTHING RETURNING id`,
      [randomUUID(), id, event.type, event.livemode, event.created, rawBody],
    );
    const job = { id: uuidFromKey(`${queues.stripeEvent.name}:${id}`), singletonKey: id, db: onSql };
    await boss.send(queues.stripeEvent.name, { stripeEventId: rows[0].id }, job);
    await sql.query("COMMIT");
  };

  const events = Array.from({ length: 4 * runs }, () => signedEvent(secret));
  const nth = (batch: number) => (i: number) => events[batch * runs + i];
  const [http, prisma, pgOnly, check] = [nth(0), nth(1), nth(2), nth(3)];
  return {
    http: await meanMs(runs, (i) => post(http(i))),
    prisma: await meanMs(runs, (i) => receiveStripeEvent(prisma(i))),
    pg: await meanMs(runs, (i) => withPg(pgOnly(i))),
    redelivered: await meanMs(runs, () => receiveStripeEvent(redelivered)),
    signature: await meanMs(runs, (i) => verifyStripeSignature(check(i).rawBody, check(i).signature, [secret])),
    emptyTransaction: await meanMs(runs, () => db().$transaction((tx) => tx.$queryRaw`SELECT 1`)),
    roundTrip: await meanMs(runs, () => sql.query("SELECT 1")),
  };
}
