import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { withDatabase } from "../../app/utils/local-postgres.server";

// Every test file gets its own database, cloned from the migrated template.
const adminUrl = inject("pgAdminUrl");
const name = `recoup_t_${inject("pgRunId")}_${randomBytes(4).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject("pgTemplate")}"`);
await admin.end();

process.env.DATABASE_URL = withDatabase(adminUrl, name);
process.env.NODE_ENV = "test";
// Every cached query plan is compared with the compiler's own plan for the literal query (ADR 0063).
process.env.RECOUP_PLAN_CACHE_CHECK ??= "1";
// Test receivers listen on loopback; production never sets this (ADR 0031).
process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE ??= "127.0.0.0/8,::1";
process.env.RECOUP_DATA_DIR ??= ".data/test";
// The processes tests start never read a developer's .env (its SMTP_URL, Stripe keys…).
process.env.RECOUP_ENV_FILE ??= "";
// What every entry point plugs into the engine (providers, listeners), once the environment is set.
await import("../../app/wiring.server");

afterAll(async () => {
  const { stopBoss } = await import("../../app/utils/queue.server");
  await stopBoss({ graceful: false });
  const { disconnectDb } = await import("../../app/utils/db.server");
  await disconnectDb();
});
