// `npm run bench`: signed Stripe webhook intake (verify → store → enqueue → 200) next to an empty
// node:http handler on the same machine, with the same client; then the /api/v1 payments and
// recoveries endpoints over 1 M seeded recovery attempts (bench/api.ts). Writes docs/PERFORMANCE.md.
//   --only=webhooks | --only=api | --only=drain | --only=analytics   one part (drain: the worker, bench/drain.ts; analytics: bench/analytics.ts)
//   --events=N --stripe-latency=MS   the drain's failed payments (default 10000) and fake Stripe latency (default 100)
//   --worker-profile=DIR           the drain with one worker run under --cpu-prof (profile in DIR), nothing reported
//   --workers=N                    the drain's phase with N workers only, on the console, nothing reported
//   --rows=N                       attempts to seed for the API part (default 1000000)
// First: reads .env before anything reads the environment.
import "../app/utils/env-file.server";
import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { buildIfStale } from "../app/utils/build.server";
import { migrate, startLocalPostgres, withDatabase } from "../app/utils/local-postgres.server";
import { machineCpu, mainThreadCpu, postgresCpu } from "./cpu";
import { signedEvent, type Signed } from "./events";
import type { LoadJob, LoadResult } from "./load";
import { renderApi, runApiBench } from "./api";
import { renderAnalytics, runAnalyticsBench } from "./analytics";
import { benchDrain } from "./drain";
import { ms, render, STEP_NAMES, writeDoc, writeSection, type Scenario } from "./report";
import { timeSteps } from "./steps";

const SETTINGS = { connections: 10, duration: 15, warmup: 3 };
const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1];
const ONLY = arg("only");
const ROWS = Number(arg("rows") ?? 1_000_000);
if (ONLY !== undefined && ONLY !== "api" && ONLY !== "webhooks" && ONLY !== "drain" && ONLY !== "analytics") throw new Error("--only=api, --only=webhooks, --only=drain or --only=analytics");
const DRAIN = { events: Number(arg("events") ?? 10_000), stripeLatencyMs: Number(arg("stripe-latency") ?? 100), workerProfileDir: arg("worker-profile"), onlyWorkers: arg("workers") === undefined ? undefined : Number(arg("workers")) };
if (!Number.isInteger(ROWS) || ROWS < 1000) throw new Error("--rows: an integer of at least 1000");
const DATABASE = "recoup_bench";
const SECRET = `whsec_bench_${randomBytes(24).toString("base64url")}`;
const INSERT_TABLE = "bench_insert";
type Stops = Array<() => Promise<unknown>>;

/**
 * A database of our own, new each run: on the embedded server under .data/bench-pg, configured as
 * `npm start`'s (durable: fsync on, PostgreSQL's defaults), or on DATABASE_URL's.
 */
async function benchDatabase(stops: Stops) {
  const local = process.env.DATABASE_URL ? null : await startLocalPostgres("bench-pg");
  if (local) stops.push(local.stop);
  const adminUrl = local?.adminUrl ?? withDatabase(process.env.DATABASE_URL!, "postgres");
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, DATABASE);
  await migrate(url, (line) => console.log(line));
  return { url, postmaster: local?.pid ?? null };
}

/** Runs one scenario in a forked bench/load.ts, killed if it overruns by a minute. */
function load(url: string, send: LoadJob["send"]): Promise<LoadResult> {
  const child = fork(path.resolve("bench/load.ts"), { execArgv: ["--import", "tsx"] });
  return new Promise((resolve, reject) => {
    const limit = setTimeout(() => child.kill(), (SETTINGS.warmup + SETTINGS.duration + 60) * 1000);
    child.once("message", (result) => resolve(result as unknown as LoadResult));
    child.once("exit", (code) => {
      clearTimeout(limit);
      reject(new Error(`the load generator stopped (exit ${code}) without a result`));
    });
    child.send({ url, ...SETTINGS, send } satisfies LoadJob);
  });
}

async function measure(name: string, url: string, send: LoadJob["send"], postmaster: number | null): Promise<Scenario> {
  const [app0, main0, postgres0, machine0, start] = [process.cpuUsage(), mainThreadCpu(), postgresCpu(postmaster), machineCpu(), performance.now()];
  const result = await load(url, send);
  const [app, main, postgres, machine] = [process.cpuUsage(app0), mainThreadCpu() - main0, postgresCpu(postmaster), machineCpu() - machine0];
  const appSeconds = (app.user + app.system) / 1e6;
  const pgSeconds = postgres === null || postgres0 === null ? null : postgres - postgres0;
  const others = (machine - appSeconds - (pgSeconds ?? 0) - result.cpuSeconds) / ((performance.now() - start) / 1000);
  const perRequest = (seconds: number) => (seconds * 1000) / result.answers;
  console.log(`${name}: ${result.reqPerSec.toFixed(0)} req/s, p50 ${result.p50} ms, p99 ${result.p99} ms, ${result.non2xx} non-2xx`);
  return {
    name,
    load: result,
    cpu: { app: perRequest(appSeconds), appMainThread: perRequest(main), postgres: pgSeconds === null ? null : perRequest(pgSeconds), client: perRequest(result.cpuSeconds), others: Math.max(0, others) },
  };
}

async function bench(stops: Stops) {
  const database = await benchDatabase(stops);
  buildIfStale();
  Object.assign(process.env, {
    NODE_ENV: "production",
    DATABASE_URL: database.url,
    STRIPE_WEBHOOK_SECRET: SECRET,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SESSION_SECRET: randomBytes(32).toString("hex"),
    LOG_LEVEL: "warn",
    // The API part sends thousands of requests with one key in a few minutes.
    API_RATE_LIMIT_READ_PER_MINUTE: "1000000",
    API_RATE_LIMIT_PER_HOUR: "1000000",
  });
  const { disconnectDb } = await import("../app/utils/db.server");
  const { stopBoss } = await import("../app/utils/queue.server");
  const { startWeb } = await import("../app/server/web.server");
  const { closeIntake } = await import("../app/providers/stripe/intake-batch.server");
  stops.push(disconnectDb, stopBoss, closeIntake);
  const sql = new pg.Client({ connectionString: database.url });
  await sql.connect();
  stops.push(() => sql.end());
  const empty = http.createServer((req, res) => req.resume().on("end", () => res.writeHead(200, { "content-type": "application/json" }).end('{"received":true}')));
  await new Promise<void>((resolve) => empty.listen(0, "127.0.0.1", resolve));
  stops.push(() => new Promise((resolve) => empty.close(resolve)));
  const web = await startWeb({ port: 0, host: "127.0.0.1" });
  stops.push(web.close);

  const cpus = os.cpus();
  const { server_version: version } = (await sql.query<{ server_version: string }>("SHOW server_version")).rows[0];
  const machine =
    `${cpus.length} cores (${cpus[0]?.model.trim()}), ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}, ` +
    `PostgreSQL ${version} (${database.postmaster ? "embedded, durable: fsync on, PostgreSQL's defaults as npm start runs it" : "DATABASE_URL's server"}); app, database and load generator share the machine`;
  if (ONLY === undefined || ONLY === "webhooks") await benchWebhooks({ web, empty, sql, database, machine });
  if (ONLY === undefined || ONLY === "api") {
    const base = `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`;
    const result = await runApiBench({ sql, base, rows: ROWS });
    const section = renderApi({ ...result, date: new Date().toISOString().slice(0, 10), machine });
    writeSection("bench-api", section);
    console.log(`\n${section}\nWritten to docs/PERFORMANCE.md`);
  }
  if (ONLY === undefined || ONLY === "analytics") {
    const base = `http://127.0.0.1:${(web.server.address() as AddressInfo).port}`;
    const section = renderAnalytics({ ...(await runAnalyticsBench({ sql, base, rows: ROWS })), date: new Date().toISOString().slice(0, 10), machine });
    writeSection("bench-analytics", section);
    console.log(`\n${section}\nWritten to docs/PERFORMANCE.md`);
  }
  if (ONLY === undefined || ONLY === "drain") await benchDrain({ adminUrl: withDatabase(database.url, "postgres"), postmaster: database.postmaster, machine, ...DRAIN });
}

async function benchWebhooks(ctx: {
  web: { server: http.Server };
  empty: http.Server;
  sql: pg.Client;
  database: { url: string; postmaster: number | null };
  machine: string;
}) {
  const { web, empty, sql, database, machine } = ctx;
  const webhookUrl = (server: http.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/webhooks/stripe`;
  const post = ({ rawBody, signature }: Signed) =>
    fetch(webhookUrl(web.server), { method: "POST", body: rawBody, headers: { "content-type": "application/json", "stripe-signature": signature } }).then(
      async (r) => `${r.status} ${await r.text()}`,
    );
  const fresh = { fresh: { secret: SECRET } };
  const baseline = await measure("empty handler (node:http)", webhookUrl(empty), fresh, database.postmaster);
  // PostgreSQL's own durable commit rate, on a table of its own: one event-sized row per transaction.
  await sql.query(`CREATE TABLE ${INSERT_TABLE} (id text PRIMARY KEY, payload jsonb NOT NULL)`);
  const payload = signedEvent(SECRET).rawBody;
  const insert = await measure("durable single-row insert (node-postgres, no HTTP)", database.url, { insert: { table: INSERT_TABLE, payload } }, database.postmaster);
  const intake = await measure("intake, new event", webhookUrl(web.server), fresh, database.postmaster);
  const redelivered = signedEvent(SECRET, "in_bench_redelivered");
  const first = await post(redelivered);
  if (!first.startsWith("200")) throw new Error(`the first delivery of the event to redeliver got ${first}`);
  const redelivery = await measure("intake, redelivered event", webhookUrl(web.server), { fixed: redelivered }, database.postmaster);

  // Nothing lost, nothing twice. A request in flight when the client stopped may be stored without its
  // answer being read: such rows must belong to events that were sent and never answered.
  const stored = await sql.query<{ id: string }>(`SELECT "eventId" AS id FROM "StripeEvent" WHERE "eventId" <> $1`, [redelivered.id]);
  const jobs = await sql.query<{ key: string; n: number }>("SELECT singleton_key AS key, count(*)::int AS n FROM pgboss.job WHERE name = 'stripe-event' GROUP BY 1");
  const rows = new Set(stored.rows.map((r) => r.id));
  const jobsPerEvent = new Map(jobs.rows.map((j) => [j.key, j.n]));
  const [acked, answered, sent] = [new Set(intake.load.stored), new Set(intake.load.answered), new Set(intake.load.sent)];
  const lost = [...acked].filter((id) => !rows.has(id)).length;
  const cutOff = [...rows].filter((id) => !acked.has(id));
  const unexplained = cutOff.filter((id) => answered.has(id) || !sent.has(id)).length;
  const jobless = [...rows, redelivered.id].filter((id) => jobsPerEvent.get(id) !== 1).length;
  const check =
    `the intake run (warm-up included) stored ${rows.size} events = ${acked.size} answered 2xx + ${cutOff.length} in flight when the client stopped (stored, answer never read). ` +
    `${jobs.rows.reduce((n, j) => n + j.n, 0)} stripe-event jobs for ${rows.size + 1} events (with the redelivered one). ` +
    `Answered 2xx but not stored: ${lost}; stored but answered otherwise or never sent: ${unexplained}; events without exactly one job: ${jobless}; intake requests answered as duplicates: ${intake.load.duplicates}.`;
  console.log(`Check: ${check}`);

  const steps = await timeSteps({ secret: SECRET, post, sql, redelivered });
  for (const [key, name] of Object.entries(STEP_NAMES)) console.log(`${ms(steps[key as keyof typeof steps]).padStart(6)} ms  ${name}`);
  const section = render({
    cores: os.cpus().length,
    machine,
    method:
      `one load generator for every scenario, in its own process (bench/load.ts: keep-alive HTTP/1.1 on raw sockets, one request in flight per connection), ` +
      `${SETTINGS.connections} connections, ${SETTINGS.warmup} s warm-up then ${SETTINGS.duration} s measured per scenario, against 127.0.0.1. ` +
      `In the empty handler's and the new events' scenarios every request is a new \`invoice.payment_failed\` event (${(redelivered.rawBody.length / 1024).toFixed(1)} KB, unique \`evt_\` id) ` +
      `with a valid \`Stripe-Signature\`, built by the client from one template (ids swapped, one HMAC); the redelivery posts one stored event again and again. ` +
      `The durable insert: ${SETTINGS.connections} node-postgres clients in the same process, each inserting one row (the same event as jsonb) per transaction into a table of its own, on the same database. ` +
      `The app is the production build started in-process with \`startWeb\`, as \`npm run start:web\` runs it (no worker).`,
    baseline,
    insert,
    intake,
    redelivery,
    steps,
    check,
  });
  writeDoc(section);
  console.log(`\n${section}\nWritten to docs/PERFORMANCE.md`);
  if (lost + unexplained + jobless > 0) throw new Error("the intake lost or doubled events: see Check");
}

async function main() {
  const watchdog = setTimeout(() => {
    console.error("bench: still running after 30 minutes; giving up");
    process.exit(1);
  }, 30 * 60_000).unref();
  const stops: Stops = [];
  try {
    await bench(stops);
  } finally {
    for (const stop of stops.reverse()) await stop().catch((error: unknown) => console.error("bench: stopping failed:", error));
    clearTimeout(watchdog);
  }
}

main().catch((error: unknown) => {
  console.error("bench failed:", error);
  process.exit(1);
});
