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
  const external = process.env.DATABASE_URL;
  const local = external ? null : await startLocalPostgres("test-pg");
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

  return async () => {
    const c = new pg.Client({ connectionString: adminUrl });
    await c.connect();
    const dbs = await c.query("SELECT datname FROM pg_database WHERE datname LIKE $1", [`recoup\\_t\\_${runId}\\_%`]);
    for (const row of dbs.rows) await c.query(`DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`);
    await c.end();
    await local?.stop();
  };
}
