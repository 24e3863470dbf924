import PgBoss from "pg-boss";
import type { z } from "zod";
import { DEAD_LETTER_QUEUE, queues, type QueueSpec } from "../../jobs/queues";
import { now } from "./clock.server";
import { uuidFromKey } from "./crypto.server";
import type { Tx } from "./db.server";
import { log } from "./logger.server";

const g = globalThis as unknown as { __recoupBoss?: { url: string; boss: Promise<PgBoss> } };

/** One started pg-boss per process and database. Web processes only send; workers also supervise and schedule. */
export function getBoss(opts: { worker?: boolean } = {}): Promise<PgBoss> {
  const url = process.env.DATABASE_URL!;
  if (g.__recoupBoss?.url === url) return g.__recoupBoss.boss;
  const boss = (async () => {
    const instance = new PgBoss({
      connectionString: url,
      max: 5,
      supervise: opts.worker ?? false,
      schedule: opts.worker ?? false,
      archiveCompletedAfterSeconds: 7 * 24 * 3600,
    });
    instance.on("error", (error) => log.error("pg-boss error", { error }));
    await instance.start();
    await ensureQueues(instance);
    return instance;
  })();
  g.__recoupBoss = { url, boss };
  return boss;
}

export async function stopBoss(opts: { graceful?: boolean } = {}) {
  const current = g.__recoupBoss;
  g.__recoupBoss = undefined;
  if (current) await (await current.boss).stop({ graceful: opts.graceful ?? true, wait: true, timeout: 20_000 });
}

async function ensureQueues(boss: PgBoss) {
  const existing = new Set((await boss.getQueues()).map((q) => q.name));
  if (!existing.has(DEAD_LETTER_QUEUE)) await boss.createQueue(DEAD_LETTER_QUEUE).catch(ignoreDuplicate);
  for (const q of Object.values(queues)) {
    if (!existing.has(q.name)) {
      await boss.createQueue(q.name, { name: q.name, ...q.options, deadLetter: DEAD_LETTER_QUEUE }).catch(ignoreDuplicate);
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

export interface EnqueueOptions {
  /** Makes the send idempotent: one job per queue and key, whoever sends it. */
  key?: string;
  startAfter?: Date;
  tx?: Tx;
}

export async function enqueue<S extends z.ZodType>(
  spec: QueueSpec<S>,
  data: z.infer<S>,
  opts: EnqueueOptions = {},
): Promise<string | null> {
  const payload = spec.schema.parse(data) as object;
  const boss = await getBoss();
  return boss.send(spec.name, payload, {
    ...(opts.key ? { id: uuidFromKey(`${spec.name}:${opts.key}`), singletonKey: opts.key } : {}),
    // startAfter is on the engine's clock (virtual in tests); pg-boss compares with the database's.
    ...(opts.startAfter ? { startAfter: new Date(Date.now() + Math.max(0, opts.startAfter.getTime() - now().getTime())) } : {}),
    ...(opts.tx ? { db: inTransaction(opts.tx) } : {}),
  });
}
