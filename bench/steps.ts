// Where the time of one intake goes: its steps alone, one request at a time, in the bench's process.
import type pg from "pg";
import { signedEvents, type Signed } from "./events";

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
  intake: number;
  prisma: number;
  redelivered: number;
  signature: number;
  unstorable: number;
  emptyTransaction: number;
  roundTrip: number;
}

export async function timeSteps({ secret, post, sql, redelivered }: StepsInput, runs = 200): Promise<Steps> {
  const { db } = await import("../app/utils/db.server");
  const { receive } = await import("../app/domain/inbox/inbox.server");
  const { stripeEvents } = await import("../app/providers/stripe/events.server");
  const { receiveStripeEvent } = await import("../app/providers/stripe/intake.server");
  const { verifyStripeSignature } = await import("../app/integrations/stripe/client.server");
  const { findUnstorable } = await import("../app/utils/storable-text");

  // The path before ADR 0054, for comparison: the same checks, then the inbox's Prisma transaction.
  const throughPrisma = async ({ rawBody, signature }: Signed) => {
    const event = verifyStripeSignature(rawBody, signature, [secret]) as { id: string; type: string; livemode: boolean; created: number };
    if (findUnstorable(event)) throw new Error("unstorable");
    await receive(stripeEvents, { id: event.id, type: event.type, account: null, livemode: event.livemode, createdAt: new Date(event.created * 1000), payload: event as never });
  };

  const next = signedEvents(secret);
  const events = Array.from({ length: 4 * runs }, () => next());
  const nth = (batch: number) => (i: number) => events[batch * runs + i]!;
  const [http, intake, prisma, check] = [nth(0), nth(1), nth(2), nth(3)];
  const parsed = JSON.parse(redelivered.rawBody) as unknown;
  return {
    http: await meanMs(runs, (i) => post(http(i))),
    intake: await meanMs(runs, (i) => receiveStripeEvent(intake(i))),
    prisma: await meanMs(runs, (i) => throughPrisma(prisma(i))),
    redelivered: await meanMs(runs, () => receiveStripeEvent(redelivered)),
    signature: await meanMs(runs, (i) => verifyStripeSignature(check(i).rawBody, check(i).signature, [secret])),
    unstorable: await meanMs(runs, () => findUnstorable(parsed)),
    emptyTransaction: await meanMs(runs, () => db().$transaction((tx) => tx.$queryRaw`SELECT 1`)),
    roundTrip: await meanMs(runs, () => sql.query("SELECT 1")),
  };
}
