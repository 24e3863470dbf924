// A PostgreSQL cluster of the test file's own, which the file may stop and start (the shared test
// cluster must never go down under other files), and `npm start`'s processes on it.
import { rmSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { buildIfStale } from "~/utils/build.server";
import { disconnectDb } from "~/utils/db.server";
import { DATA_DIR } from "~/utils/dev-secrets.server";
import { ensureDatabaseExists, migrate, startLocalPostgres, withDatabase, type LocalPostgres } from "~/utils/local-postgres.server";
import { freePort } from "./net";
import { startRecoup, type RunningRecoup } from "./processes";

export interface OwnCluster {
  /** The migrated `recoup` database on the cluster (this process's DATABASE_URL once started). */
  url: string;
  /** `npm start` (or one half of it) on the cluster; killed after the file. */
  start(flags: string[], ready: RegExp, opts?: { env?: Record<string, string>; timeoutMs?: number }): RunningRecoup;
  /** Every process `start` started, in order. */
  children: RunningRecoup[];
  /** One statement on the cluster, outside the app (pg-boss's tables, counts). */
  sql<R extends pg.QueryResultRow>(text: string, params?: unknown[]): Promise<R[]>;
  /** pg_ctl stop -m fast: every session terminated (57P01). */
  stop(): Promise<void>;
  /** The same cluster, on the same port, started again. */
  restart(): Promise<void>;
}

/**
 * Starts the cluster for the file (beforeAll, before any hook registered after this call) and
 * removes it after the file, its processes killed first. Started through local-postgres.server.ts,
 * as npm start starts its own: as root in a folder the postgres user cannot reach (CI's clone under
 * /root) only that path works (ADR 0023). The web half serves the built app: built once here.
 */
export function useOwnCluster(name: string): OwnCluster {
  const clusterName = `${name}-${process.pid}`;
  let cluster: LocalPostgres | undefined;
  let port = 0;
  const own: OwnCluster = {
    url: "",
    children: [],
    start(flags, ready, opts = {}) {
      // Without APP_URL (setUpStripe's recoup.test) the web process prints the address it listens on.
      const { APP_URL: _appUrl, ...inherited } = process.env;
      const handle = startRecoup(flags, ready, { env: { ...inherited, DATABASE_URL: own.url, ...opts.env }, timeoutMs: opts.timeoutMs ?? 120_000 });
      own.children.push(handle);
      return handle;
    },
    async sql(text, params) {
      const client = new pg.Client({ connectionString: own.url });
      await client.connect();
      try {
        return (await client.query(text, params)).rows;
      } finally {
        await client.end();
      }
    },
    async stop() {
      await disconnectDb();
      await cluster!.stop();
    },
    async restart() {
      cluster = await startLocalPostgres(clusterName, { durable: false, port });
    },
  };

  beforeAll(async () => {
    buildIfStale(() => {});
    port = await freePort();
    await own.restart();
    await ensureDatabaseExists(cluster!.adminUrl, "recoup");
    own.url = withDatabase(cluster!.adminUrl, "recoup");
    await migrate(own.url);
    // This file's own rows (factories, assertions) live on that cluster too.
    await disconnectDb();
    process.env.DATABASE_URL = own.url;
  }, 600_000);

  afterAll(async () => {
    for (const c of own.children) if (c.alive()) c.child.kill("SIGKILL");
    await Promise.all(own.children.map((c) => c.exited));
    await disconnectDb();
    await cluster?.stop().catch(() => {});
    // The cluster (perhaps under /var/lib/recoup), the .data/ link to it, and its password.
    if (cluster) rmSync(cluster.dataDir, { recursive: true, force: true });
    rmSync(path.join(DATA_DIR, clusterName), { recursive: true, force: true });
    rmSync(path.join(DATA_DIR, "secrets", `postgres-${clusterName}-password`), { force: true });
  }, 120_000);

  return own;
}
