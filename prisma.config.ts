// Prisma 6.19 migrates offline only through its wasm schema engine and a driver
// adapter (../shared/docs/OFFLINE.md). The adapter below carries three
// workarounds for upstream bugs; delete each one when its bug is fixed.
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { defineConfig } from "prisma/config";

// 1. The wasm engine cannot deserialize catalog columns of type `name`, `char`
//    and friends (https://github.com/prisma/prisma/issues/27403): report them
//    to the adapter as text (or text[]), for the migrate adapter only.
const AS_TEXT: Record<number, number> = {
  18: 25, 19: 25, 22: 25, 24: 25, 28: 25, 30: 25, 194: 25, 2205: 25, 2206: 25,
  1002: 1009, 1003: 1009,
};

function retypeFields(result: unknown) {
  for (const r of Array.isArray(result) ? result : [result]) {
    for (const field of (r as pg.QueryResult | undefined)?.fields ?? []) {
      const mapped = AS_TEXT[field.dataTypeID];
      if (mapped) field.dataTypeID = mapped;
    }
  }
  return result;
}

function migratePool(config: pg.PoolConfig) {
  const pool = new pg.Pool(config);
  pool.on("connect", (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      // pg.Pool#query passes a callback; direct callers get a promise.
      const last = args[args.length - 1];
      if (typeof last === "function") {
        args[args.length - 1] = (err: unknown, res: unknown) => last(err, err ? res : retypeFields(res));
      }
      const out = query(...args);
      return out instanceof Promise ? out.then(retypeFields) : out;
    };
  });
  return pool;
}

class MigrationAdapter extends PrismaPg {
  constructor(private readonly connection: pg.PoolConfig) {
    super(migratePool(connection), { disposeExternalPool: true });
  }

  // 2. Upstream builds the shadow pool from the main connection *string*, which
  //    overrides the database name, so shadow work hit the main database: use
  //    discrete parameters instead.
  // 3. Upstream drops the shadow database before closing its pool ("database …
  //    is being accessed by other users"): close the pool first, then drop.
  override async connectToShadowDb() {
    const admin = new pg.Client(this.connection);
    await admin.connect();
    const database = `prisma_migrate_shadow_db_${globalThis.crypto.randomUUID()}`;
    await admin.query(`CREATE DATABASE "${database}"`);
    const shadow = new PrismaPg(migratePool({ ...this.connection, database }), {
      disposeExternalPool: true,
    });
    const adapter = await shadow.connect();
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await admin.query(`DROP DATABASE IF EXISTS "${database}"`);
      await admin.end();
    };
    return adapter;
  }
}

function connectionFromUrl(url: string): pg.PoolConfig {
  const u = new URL(url);
  return {
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
    database: decodeURIComponent(u.pathname.slice(1)),
  };
}

export default defineConfig({
  schema: "prisma/schema.prisma",
  migrations: { path: "prisma/migrations" },
  experimental: { adapter: true },
  engine: "js",
  async adapter() {
    const url = process.env.DATABASE_URL;
    if (!url) throw new Error("DATABASE_URL is not set (app/utils/local-postgres.server.ts sets it)");
    return new MigrationAdapter(connectionFromUrl(url));
  },
});
