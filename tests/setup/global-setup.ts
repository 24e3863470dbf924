import { randomBytes } from "node:crypto";
import pg from "pg";
import PgBoss from "pg-boss";
import type { TestProject } from "vitest/node";
import {
  migrate,
  migrationsHash,
  startLocalPostgres,
  withDatabase,
} from "../../app/utils/local-postgres.server";

const TEMPLATE = "recoup_test_template";

declare module "vitest" {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgTemplate: string;
    pgRunId: string;
  }
}

/**
 * One PostgreSQL for the whole run (embedded, or DATABASE_URL's server), and a
 * template database migrated only when the migrations change. Each test file
 * clones the template (tests/setup/per-file.ts).
 */
export default async function setup(project: TestProject) {
  try {
    return await prepare(project);
  } catch (error) {
    // Vitest prints a failed global setup as "No test files found", and nothing at all for a
    // rejection without an Error: say plainly why the run cannot start.
    const reason = error instanceof Error ? (error.stack ?? error.message) : String(error);
    const message = `The test database could not be prepared: ${reason}`;
    console.error(`\n${message}\n`);
    throw error instanceof Error ? error : new Error(message);
  }
}

async function prepare(project: TestProject) {
  const external = process.env.DATABASE_URL;
  const local = external ? null : await startLocalPostgres("test-pg", { durable: false });
  const adminUrl = external ? withDatabase(external, "postgres") : local!.adminUrl;
  const hash = `${migrationsHash()}-pgboss-${PgBoss.getConstructionPlans().length}`;

  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const current = await admin.query(
    "SELECT shobj_description(oid, 'pg_database') AS hash FROM pg_database WHERE datname = $1",
    [TEMPLATE],
  );
  if (current.rows[0]?.hash !== hash) {
    if (current.rowCount) {
      await admin.query(`ALTER DATABASE "${TEMPLATE}" WITH IS_TEMPLATE false`);
      await admin.query(`DROP DATABASE "${TEMPLATE}" WITH (FORCE)`);
    }
    await admin.query(`CREATE DATABASE "${TEMPLATE}"`);
    const url = withDatabase(adminUrl, TEMPLATE);
    await migrate(url);
    // pg-boss installs its own schema on first start: do it once, here.
    const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
    await boss.start();
    await boss.stop({ graceful: false, wait: true });
    await admin.query(`COMMENT ON DATABASE "${TEMPLATE}" IS '${hash}'`);
    await admin.query(`ALTER DATABASE "${TEMPLATE}" WITH IS_TEMPLATE true`);
  }
  await admin.end();

  project.provide("pgAdminUrl", adminUrl);
  project.provide("pgTemplate", TEMPLATE);
  // Test databases are named after the run, so that concurrent runs never drop each other's.
  const runId = randomBytes(3).toString("hex");
  project.provide("pgRunId", runId);

  // Runs that share this server (two `vitest` at once on one checkout) each hold a marker
  // database named after the run, commented with its pid: whichever run started the server stops
  // it only when no other live run still uses it.
  await withAdmin(adminUrl, async (c) => {
    await c.query(`CREATE DATABASE "${RUN_MARKER}${runId}"`);
    await c.query(`COMMENT ON DATABASE "${RUN_MARKER}${runId}" IS '${process.pid}'`);
  });

  return async () => {
    const othersRunning = await withAdmin(adminUrl, async (c) => {
      const dbs = await c.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [`recoup\\_t\\_${runId}\\_%`]);
      for (const row of dbs.rows) await c.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
      await c.query(`DROP DATABASE IF EXISTS "${RUN_MARKER}${runId}"`);
      const markers = await c.query<{ datname: string; pid: string | null }>(
        "SELECT datname, shobj_description(oid, 'pg_database') AS pid FROM pg_database WHERE datname LIKE 'recoup\\_run\\_%'",
      );
      let alive = 0;
      for (const marker of markers.rows) {
        if (isAlive(Number(marker.pid))) alive += 1;
        else await c.query(`DROP DATABASE IF EXISTS "${marker.datname}"`); // a run that crashed
      }
      return alive > 0;
    });
    if (!othersRunning) await local?.stop();
  };
}

const RUN_MARKER = "recoup_run_";

async function withAdmin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: adminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
