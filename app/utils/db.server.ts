import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../generated/prisma/client";
import { log } from "./logger.server";
import { withPlanCache } from "./prisma-plan-cache.server";
import { preparedStatementOptions } from "./prepared-statements.server";

export type { Prisma } from "../../generated/prisma/client";
export type Db = PrismaClient;
export type Tx = Parameters<Parameters<PrismaClient["$transaction"]>[0]>[0];

const globalForDb = globalThis as unknown as { __recoupDb?: { url: string; client: PrismaClient } };

function create(url: string) {
  // A restarting PostgreSQL closes idle pooled connections: pg drops them and opens new ones on the
  // next query, so these are logged, never thrown (an unhandled pool 'error' would kill the process).
  const onError = (error: Error) => log.warn("database connection lost; reconnecting on next use", { error: error.message });
  return new PrismaClient({
    // Each statement text prepared once per connection (ADR 0065).
    adapter: new PrismaPg({ connectionString: url, max: 10, connectionTimeoutMillis: 10_000, ...preparedStatementOptions(url) }, { onPoolError: onError, onConnectionError: onError }),
    // Plans compiled once per query shape (ADR 0063); the tests check each against the compiler's own.
    __internal: { configOverride: withPlanCache(process.env.RECOUP_PLAN_CACHE_CHECK === "1") },
  } as ConstructorParameters<typeof PrismaClient>[0]);
}

/** The Prisma singleton, bound to DATABASE_URL as it is when first used. */
export function db(): PrismaClient {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: call prepareDatabase() first");
  const cached = globalForDb.__recoupDb;
  if (cached && cached.url === url) return cached.client;
  const client = create(url);
  globalForDb.__recoupDb = { url, client };
  return client;
}

export async function disconnectDb() {
  const cached = globalForDb.__recoupDb;
  globalForDb.__recoupDb = undefined;
  await cached?.client.$disconnect();
}
