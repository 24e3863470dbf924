// The drain bench (`npm run bench`, `--only=drain`): N failed payments (default 10,000) posted as
// signed `invoice.payment_failed` webhooks to one web process, worked by one worker process, then
// by two, as `npm run start:web` and `npm run start:worker` run them, on a durable PostgreSQL. It
// times each stage from the first request (intake answered, events processed, recoveries opened,
// first emails accepted by SMTP), each queue's drain rate next to pg-boss's own fetch-and-complete
// rate with a no-op handler (same settings, same database, same run), and checks that nothing was
// doubled. Writes the `bench-drain` section of docs/PERFORMANCE.md.
//
// bench/run.ts calls benchDrain(), which runs this file in a process of its own: the app's modules
// (Prisma, pg-boss) bind to the database they first see, and this part has a database of its own.
import { fork, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpus } from "node:os";
import path from "node:path";
import pg from "pg";
import PgBoss from "pg-boss";
import { z } from "zod";
import { makeEvent, signPayload, startFakeStripe, type FakeStripe } from "../tests/fakes/stripe-server";
import { startSmtpServer, type FakeSmtp } from "../tests/fakes/smtp-server";
import { parsePlanCacheSummary } from "../app/utils/prisma-plan-cache.server";
import { machineCpu, postgresCpu, processCpu } from "./cpu";
import { table, writeSection } from "./report";

export interface DrainJob {
  /** A PostgreSQL admin URL (database `postgres`): the bench creates its own database there. */
  adminUrl: string;
  /** The embedded server's postmaster, whose processes' CPU is reported; null for DATABASE_URL's server. */
  postmaster: number | null;
  machine: string;
  events: number;
  /** Each fake Stripe answer waits this long (Stripe's API answers in tens of ms over the internet). */
  stripeLatencyMs: number;
  /** Profile the worker processes (`--cpu-prof` into this directory) instead of reporting: one phase, one worker, no section written. */
  workerProfileDir?: string;
  /** Only the phase with this many workers, reported on the console, no section written (a quick look). */
  onlyWorkers?: number;
}

const DATABASE = "recoup_bench_drain";
/** The queues a failed payment goes through before its first email (a card-update request: no dunning-step), in order. */
const QUEUES = ["stripe-event", "dunning-send"];
/** HTTP requests in flight while the events are posted (as the intake bench's connections). */
const POSTERS = 10;
/** A stage that has not finished after this long is reported as unfinished. */
const STAGE_TIMEOUT_MS = 15 * 60_000;
const SECRET = `whsec_drain_${randomBytes(16).toString("hex")}`;

/** Runs the drain bench in its own process; resolves once it has written its section. */
export function benchDrain(job: DrainJob): Promise<void> {
  const child = fork(path.resolve("bench/drain.ts"), ["--child"], { execArgv: ["--import", "tsx"] });
  return new Promise((resolve, reject) => {
    child.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`the drain bench failed (exit ${code})`))));
    child.send(job);
  });
}

interface Stage {
  name: string;
  /** ms from the first request, null if it did not finish. */
  ms: number | null;
}

interface QueueRate {
  queue: string;
  jobs: number;
  perSecond: number;
  /** Mean ms a job waited from its creation to its start, and ran from its start to its completion. */
  waitMs: number;
  runMs: number;
}

interface Phase {
  workers: number;
  stages: Stage[];
  firstEmailMs: number | null;
  queues: QueueRate[];
  non2xx: number;
  /**
   * CPU ms per event of the web process, of the worker processes (together), of PostgreSQL, of this
   * bench process (the fake Stripe, the SMTP server, the posting), of the whole machine; and
   * PostgreSQL transactions committed per event.
   */
  perEvent: { webCpuMs: number; workerCpuMs: number; postgresCpuMs: number | null; benchCpuMs: number; machineCpuMs: number; transactions: number };
  /** The workers' query plans: served from the plan cache, compiled for a new shape, compiled outside it (ADR 0063). */
  plans: { cached: number; compiled: number; outside: number };
  checks: { ignored: number; recoveries: number; invoicesWithTwoRecoveries: number; emails: number; messageIdsTwice: number; chargesTwice: number };
}

type Env = NodeJS.ProcessEnv;

/** One of Recoup's processes (app/bin/start.ts), as `npm run start:web` / `start:worker` start it. */
async function startRecoupProcess(flag: "--web" | "--worker", env: Env, ready: RegExp, nodeFlags: string[] = []): Promise<{ child: ChildProcess; match: RegExpExecArray; output: () => string }> {
  const child = spawn(process.execPath, [...nodeFlags, "--import", "tsx", "app/bin/start.ts", flag], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${flag} not ready in 3 minutes:\n${output}`)), 180_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      // Errors are the bench's business: printed as they come.
      if (/"level":"error"/.test(chunk.toString())) process.stderr.write(`[${flag}] ${chunk.toString()}`);
      const match = ready.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve({ child, match, output: () => output });
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => reject(new Error(`${flag} exited (${code}):\n${output}`)));
  });
}

async function stopProcess(child: ChildProcess) {
  if (child.exitCode !== null) return;
  child.removeAllListeners("exit");
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
  await exited;
  clearTimeout(timer);
}

async function waitUntil(probe: () => Promise<boolean>, since: number, timeoutMs = STAGE_TIMEOUT_MS): Promise<number | null> {
  for (;;) {
    if (await probe()) return Date.now() - since;
    if (Date.now() - since > timeoutMs) return null;
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A workspace whose failed payments lead at once to a first email, with `count` open invoices on the fake Stripe. */
async function merchantWithFailedInvoices(stripe: FakeStripe, count: number, tag: string) {
  const { makeWorkspace, connectStripeAccount } = await import("../tests/factories");
  const { zoneWhereItIsNoon } = await import("../tests/helpers/daytime");
  const { db } = await import("../app/utils/db.server");
  const { workspace } = await makeWorkspace({ name: `Drain ${tag}` });
  // Recoup emails in the customer's daytime (app/domain/recovery/email-plan.ts): it is noon there now.
  await db().workspace.update({ where: { id: workspace.id }, data: { timezone: zoneWhereItIsNoon(new Date()) } });
  const account = `acct_drain${tag}${randomBytes(4).toString("hex")}`;
  await connectStripeAccount(workspace.id, account);
  const events: Array<{ rawBody: string; signature: string }> = [];
  for (let i = 0; i < count; i++) {
    const customerId = `cus_${tag}_${i}`;
    const invoiceId = `in_${tag}_${i}`;
    const pmId = `pm_${tag}_${i}`;
    stripe.putPaymentMethod(account, { id: pmId, card: { brand: "visa", fingerprint: `fp_${customerId}`, last4: "4242" } as never });
    stripe.putCustomer(account, { id: customerId, email: `${customerId}@example.com`, name: "Grace Hopper", invoice_settings: { default_payment_method: pmId } as never });
    stripe.putInvoice(account, {
      id: invoiceId,
      customer: customerId,
      customer_email: `${customerId}@example.com`,
      customer_name: "Grace Hopper",
      amount_due: 2500,
      amount_remaining: 2500,
      currency: "usd",
      status: "open",
      collection_method: "charge_automatically",
    });
    // A card that can no longer be charged: the customer is asked for a new one at once.
    const failed = stripe.failInvoice(account, invoiceId, { declineCode: "expired_card", nextPaymentAttempt: null });
    const rawBody = JSON.stringify(makeEvent("invoice.payment_failed", failed, { account }));
    events.push({ rawBody, signature: signPayload(rawBody, SECRET) });
  }
  return { workspaceId: workspace.id, account, events };
}

/** Posts every event with POSTERS requests in flight; returns when the last answer came, and the non-2xx count. */
async function post(base: string, events: Array<{ rawBody: string; signature: string }>) {
  let next = 0;
  let non2xx = 0;
  const poster = async () => {
    while (next < events.length) {
      const { rawBody, signature } = events[next++]!;
      const res = await fetch(`${base}/api/webhooks/stripe`, { method: "POST", body: rawBody, headers: { "content-type": "application/json", "stripe-signature": signature } });
      await res.arrayBuffer();
      if (res.status < 200 || res.status > 299) non2xx++;
    }
  };
  await Promise.all(Array.from({ length: POSTERS }, poster));
  return { non2xx };
}

/** Completed jobs per second of each queue since `since`: from the first job started to the last completed. */
async function queueRates(sql: pg.Client, names: string[], since: Date): Promise<QueueRate[]> {
  const { rows } = await sql.query<{ name: string; jobs: number; seconds: number; wait: number; run: number }>(
    `SELECT name, count(*)::int AS jobs, extract(epoch FROM max(completed_on) - min(started_on))::float AS seconds,
            (avg(extract(epoch FROM started_on - created_on)) * 1000)::float AS wait, (avg(extract(epoch FROM completed_on - started_on)) * 1000)::float AS run
       FROM pgboss.job WHERE name = ANY($1::text[]) AND created_on >= $2 AND state = 'completed' GROUP BY name`,
    [names, since],
  );
  return names.map((queue) => {
    const row = rows.find((r) => r.name === queue);
    return { queue, jobs: row?.jobs ?? 0, perSecond: row && row.seconds > 0 ? row.jobs / row.seconds : 0, waitMs: row?.wait ?? 0, runMs: row?.run ?? 0 };
  });
}

async function runPhase(ctx: { workers: number; count: number; stripe: FakeStripe; smtp: FakeSmtp; sql: pg.Client; env: Env; web: string; webPid: number | undefined; postmaster: number | null; profileDir?: string }): Promise<Phase> {
  const { workers, count, stripe, smtp, sql, env, web, webPid, postmaster, profileDir } = ctx;
  const tag = `w${workers}`;
  const merchant = await merchantWithFailedInvoices(stripe, count, tag);
  // Phases run one after the other: this phase's emails are those received from here on (counted
  // by position, as the sink holds tens of thousands by the end).
  const first = smtp.messages.length;
  const received = () => smtp.messages.length - first;
  const processes = await Promise.all(Array.from({ length: workers }, () => startRecoupProcess("--worker", env, /Worker started/, profileDir ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`] : [])));
  const payBefore = stripe.requestsTo("POST", /\/pay$/).length;
  const since = new Date(Date.now() - 1000);
  console.log(`drain, ${workers} worker(s): posting ${count} events…`);

  const workerCpu = () => processes.reduce((sum, p) => sum + processCpu(p.child.pid), 0);
  const commits = async () => Number((await sql.query<{ n: string }>("SELECT xact_commit AS n FROM pg_stat_database WHERE datname = current_database()")).rows[0]!.n);
  const cpuNow = () => ({ web: processCpu(webPid), worker: workerCpu(), postgres: postgresCpu(postmaster) ?? 0, bench: processCpu(process.pid), machine: machineCpu() });
  const [cpu0, commits0] = [cpuNow(), await commits()];
  const t0 = Date.now();
  const firstEmail = waitUntil(async () => received() > 0, t0);
  const { non2xx } = await post(web, merchant.events);
  const stages: Stage[] = [{ name: "intake answered (last 2xx)", ms: Date.now() - t0 }];
  const count1 = async (query: string, value: string) => (await sql.query<{ n: number }>(query, [value])).rows[0]!.n;
  const done = () => count1(`SELECT count(*)::int AS n FROM "StripeEvent" WHERE "stripeAccountId" = $1 AND status IN ('processed', 'ignored')`, merchant.account);
  stages.push({ name: "events processed", ms: await waitUntil(async () => (await done()) >= count, t0) });
  const opened = () => count1(`SELECT count(*)::int AS n FROM "RecoveryAttempt" WHERE "workspaceId" = $1`, merchant.workspaceId);
  stages.push({ name: "recoveries opened", ms: await waitUntil(async () => (await opened()) >= count, t0) });
  stages.push({ name: "first emails accepted by SMTP", ms: await waitUntil(async () => received() >= count, t0) });
  for (const s of stages) console.log(`  ${s.name}: ${s.ms === null ? "not finished" : `${(s.ms / 1000).toFixed(1)} s`}`);
  const cpu1 = cpuNow();
  const msPerEvent = (key: keyof typeof cpu1) => ((cpu1[key] - cpu0[key]) * 1000) / count;
  const perEvent = {
    webCpuMs: msPerEvent("web"),
    workerCpuMs: msPerEvent("worker"),
    postgresCpuMs: postmaster === null ? null : msPerEvent("postgres"),
    benchCpuMs: msPerEvent("bench"),
    machineCpuMs: msPerEvent("machine"),
    transactions: ((await commits()) - commits0) / count,
  };
  console.log(
    `  per event, ms CPU: web ${perEvent.webCpuMs.toFixed(1)}, worker(s) ${perEvent.workerCpuMs.toFixed(1)}, PostgreSQL ${perEvent.postgresCpuMs?.toFixed(1) ?? "n/a"}, ` +
      `this bench (fake Stripe, SMTP server) ${perEvent.benchCpuMs.toFixed(1)}, machine ${perEvent.machineCpuMs.toFixed(1)}; ${perEvent.transactions.toFixed(1)} PostgreSQL transactions`,
  );
  const queues = await queueRates(sql, QUEUES, since);
  for (const q of queues) console.log(`  ${q.queue}: ${q.jobs} jobs, ${q.perSecond.toFixed(0)}/s, waited ${q.waitMs.toFixed(0)} ms, ran ${q.runMs.toFixed(0)} ms (means)`);
  await Promise.all(processes.map((p) => stopProcess(p.child)));
  // Each worker says at exit how its query plans were made (ADR 0063).
  const plans = { cached: 0, compiled: 0, outside: 0 };
  for (const p of processes) {
    const stats = parsePlanCacheSummary(p.output());
    if (stats) [plans.cached, plans.compiled, plans.outside] = [plans.cached + stats.hits, plans.compiled + stats.misses, plans.outside + stats.uncached];
  }
  console.log(`  query plans: ${plans.cached} from the cache, ${plans.compiled} compiled for a new shape, ${plans.outside} compiled outside the cache`);

  // Checks: one recovery per invoice, one email per Message-ID, no invoice charged twice.
  const { rows: recoveries } = await sql.query<{ n: number; doubled: number }>(
    `SELECT count(*)::int AS n, (count(*) - count(DISTINCT "stripeInvoiceId"))::int AS doubled FROM "RecoveryAttempt" WHERE "workspaceId" = $1`,
    [merchant.workspaceId],
  );
  const ids = smtp.messages.slice(first).filter((m) => JSON.stringify(m.to ?? "").includes(`cus_${tag}_`)).map((m) => m.messageId);
  const pays = stripe.requestsTo("POST", /\/pay$/).slice(payBefore).map((r) => r.path);
  return {
    workers,
    stages,
    firstEmailMs: await firstEmail,
    queues,
    non2xx,
    perEvent,
    plans,
    checks: {
      ignored: await count1(`SELECT count(*)::int AS n FROM "StripeEvent" WHERE "stripeAccountId" = $1 AND status = 'ignored'`, merchant.account),
      recoveries: recoveries[0]!.n,
      invoicesWithTwoRecoveries: recoveries[0]!.doubled,
      emails: ids.length,
      messageIdsTwice: ids.length - new Set(ids).size,
      chargesTwice: pays.length - new Set(pays).size,
    },
  };
}

/** pg-boss's own rate on this database: `count` no-op jobs worked with the worker's settings for a queue of `concurrency`. */
async function noopRate(url: string, concurrency: number, count: number): Promise<number> {
  const { workJobs } = await import("../jobs/worker");
  const { defineJob } = await import("../jobs/define");
  const name = `bench-noop-${concurrency}`;
  const spec = { name, schema: z.object({ n: z.number() }), options: { retryLimit: 0, retryDelay: 1, retryBackoff: false, expireInSeconds: 60 } };
  const boss = new PgBoss({ connectionString: url, max: 10, supervise: false, schedule: false });
  boss.on("error", (error) => console.error("pg-boss (no-op):", error.message));
  await boss.start();
  await boss.createQueue(name, { name, ...spec.options });
  await boss.insert(Array.from({ length: count }, (_, n) => ({ name, data: { n } })));
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  const start = Date.now();
  const stopListening = await workJobs(boss, [defineJob({ queue: spec, concurrency, handler: async () => {} }) as never], { pollingIntervalSeconds: 1 });
  const done = await waitUntil(
    async () => (await sql.query<{ n: number }>("SELECT count(*)::int AS n FROM pgboss.job WHERE name = $1 AND state = 'completed'", [name])).rows[0]!.n >= count,
    start,
    5 * 60_000,
  );
  stopListening();
  await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
  await sql.end();
  return done === null ? 0 : count / (done / 1000);
}

const seconds = (ms: number | null) => (ms === null ? "not finished" : (ms / 1000).toFixed(1));
const rate = (count: number, ms: number | null) => (ms === null ? "–" : (count / (ms / 1000)).toFixed(0));

function render(job: DrainJob, phases: Phase[], noop: Map<string, number>): string {
  const [one, two] = phases as [Phase, Phase];
  const total = (p: Phase) => p.stages[p.stages.length - 1]!.ms;
  const ratio = total(one) !== null && total(two) !== null ? total(one)! / total(two)! : null;
  const checkLine = (p: Phase) =>
    `${p.workers} worker(s): ${p.checks.ignored} events ignored, ${p.checks.recoveries} recoveries for ${job.events} invoices (${p.checks.invoicesWithTwoRecoveries} invoices with two), ` +
    `${p.checks.emails} first emails at the SMTP server (${p.checks.messageIdsTwice} Message-IDs received twice), ${p.checks.chargesTwice} invoices charged twice, ${p.non2xx} non-2xx answers to the webhooks.`;
  return `## Worker drain (${new Date().toISOString().slice(0, 10)})

Machine: ${job.machine}.

Method: ${job.events} failed payments on one connected account of one workspace (a new customer and invoice each, an expired card: the customer is asked for a new one at once, in their daytime), posted as signed \`invoice.payment_failed\` webhooks by ${POSTERS} concurrent requests to one web process (\`app/bin/start.ts --web\`, the production build), worked by one worker process (\`--worker\`), then, with new payments, by two. The fake Stripe (two reads per event) answers after ${job.stripeLatencyMs} ms; a local SMTP server (smtp-server) accepts the emails. Times are from the first request; a stage is done when its last event is.

${table(
  ["stage", ...phases.map((p) => `${p.workers} worker(s): s`), ...phases.map((p) => `${p.workers} worker(s): events/s`)],
  one.stages.map((s, i) => [s.name, ...phases.map((p) => seconds(p.stages[i]!.ms)), ...phases.map((p) => rate(job.events, p.stages[i]!.ms))]),
)}

CPU per event (ms), from the first request to the last first email: the machine's ${cpus().length} cores give ${cpus().length} ms of CPU per ms, so ${job.events} events in 120 s allow ${((cpus().length * 120_000) / job.events).toFixed(1)} ms per event for everything on it, the bench's own fakes included.

${table(
  ["process", ...phases.map((p) => `${p.workers} worker(s)`)],
  [
    ["web", ...phases.map((p) => p.perEvent.webCpuMs.toFixed(1))],
    ["worker(s)", ...phases.map((p) => p.perEvent.workerCpuMs.toFixed(1))],
    ["PostgreSQL (server and backends; n/a: DATABASE_URL's server)", ...phases.map((p) => p.perEvent.postgresCpuMs?.toFixed(1) ?? "n/a")],
    ["this bench (fake Stripe, SMTP server, the posting)", ...phases.map((p) => p.perEvent.benchCpuMs.toFixed(1))],
    ["the whole machine", ...phases.map((p) => p.perEvent.machineCpuMs.toFixed(1))],
    ["PostgreSQL transactions committed (pg-boss's included)", ...phases.map((p) => p.perEvent.transactions.toFixed(1))],
  ],
)}

The workers' Prisma query plans (ADR 0063): ${phases.map((p) => `${p.workers} worker(s): ${p.plans.cached} from the plan cache, ${p.plans.compiled} compiled for a new shape, ${p.plans.outside} compiled outside the cache (${(((p.plans.compiled + p.plans.outside) / Math.max(1, p.plans.cached + p.plans.compiled + p.plans.outside)) * 100).toFixed(1)} % compiled)`).join("; ")}.

First email accepted after ${phases.map((p) => `${seconds(p.firstEmailMs)} s (${p.workers} worker${p.workers > 1 ? "s" : ""})`).join(", ")}.

Each queue's drain rate (completed jobs per second, first start to last completion) next to pg-boss's own rate on the same database: ${job.events} jobs with a no-op handler, worked with the same settings (batch size, loops, polling) as that queue:

${table(
  ["queue", "jobs", ...phases.map((p) => `${p.workers} worker(s): jobs/s`), "no-op handler, 1 process: jobs/s", "1 worker / no-op", "1 worker: mean wait ms", "1 worker: mean run ms"],
  one.queues.map((q, i) => {
    const base = noop.get(q.queue) ?? 0;
    const share = base > 0 ? `${((q.perSecond / base) * 100).toFixed(0)} %` : "–";
    return [q.queue, q.jobs, ...phases.map((p) => p.queues[i]!.perSecond.toFixed(0)), base.toFixed(0), share, q.waitMs.toFixed(0), q.runMs.toFixed(0)];
  }),
)}

Two workers: first request to the last first email in ${seconds(total(two))} s against ${seconds(total(one))} s with one${ratio === null ? "" : `: **${ratio.toFixed(2)}×** as fast`}.

Checks: ${phases.map(checkLine).join(" ")}
`;
}

async function child(job: DrainJob) {
  const { migrate, withDatabase } = await import("../app/utils/local-postgres.server");
  const admin = new pg.Client({ connectionString: job.adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  await admin.end();
  const url = withDatabase(job.adminUrl, DATABASE);
  await migrate(url, (line) => console.log(line));

  const stripe = await startFakeStripe({ latencyMs: job.stripeLatencyMs });
  const smtp = await startSmtpServer();
  const env: Env = {
    ...process.env,
    NODE_ENV: "production",
    DATABASE_URL: url,
    RECOUP_ENV_FILE: "",
    PORT: "0",
    SEED_DEMO: "false",
    LOG_LEVEL: "warn",
    STRIPE_SECRET_KEY: "sk_test_drain_platform",
    STRIPE_CLIENT_ID: "ca_drain",
    STRIPE_API_BASE: stripe.url,
    STRIPE_WEBHOOK_SECRET: SECRET,
    SMTP_URL: smtp.url,
    ENCRYPTION_KEY: randomBytes(32).toString("base64"),
    SESSION_SECRET: randomBytes(32).toString("hex"),
  };
  // This process writes the workspaces (tests/factories.ts) with the same configuration.
  Object.assign(process.env, env);
  const sql = new pg.Client({ connectionString: url });
  await sql.connect();
  const web = await startRecoupProcess("--web", env, /Recoup is running at (http:\/\/\S+)/);
  try {
    const on = { count: job.events, stripe, smtp, sql, env, web: web.match[1]!, webPid: web.child.pid, postmaster: job.postmaster };
    // A quick look (one phase) or a profile (one worker): on the console only.
    const single = job.workerProfileDir ? 1 : job.onlyWorkers;
    if (single) {
      await runPhase({ ...on, workers: single, profileDir: job.workerProfileDir });
      console.log(job.workerProfileDir ? `The worker's CPU profile is in ${job.workerProfileDir} (docs/PERFORMANCE.md untouched)` : "(one phase only: docs/PERFORMANCE.md untouched)");
      return;
    }
    const phases: Phase[] = [];
    for (const workers of [1, 2]) phases.push(await runPhase({ ...on, workers }));
    const { jobDefinitions } = await import("../jobs/registry");
    const noop = new Map<string, number>();
    for (const queue of QUEUES) {
      const concurrency = jobDefinitions.find((d) => d.queue.name === queue)?.concurrency ?? 2;
      const known = [...noop.entries()].find(([q]) => (jobDefinitions.find((d) => d.queue.name === q)?.concurrency ?? 2) === concurrency);
      noop.set(queue, known ? known[1] : await noopRate(url, concurrency, job.events));
    }
    const section = render(job, phases, noop);
    writeSection("bench-drain", section);
    console.log(`\n${section}\nWritten to docs/PERFORMANCE.md`);
    const doubled = phases.some((p) => p.checks.ignored + p.checks.invoicesWithTwoRecoveries + p.checks.messageIdsTwice + p.checks.chargesTwice > 0);
    if (doubled) throw new Error("the drain ignored an event or doubled an effect: see Checks");
  } finally {
    await stopProcess(web.child);
    await sql.end();
    await smtp.close();
    await stripe.close();
    const { disconnectDb } = await import("../app/utils/db.server");
    await disconnectDb();
  }
}

if (process.argv.includes("--child")) {
  process.once("message", (job: DrainJob) => {
    child(job).then(
      () => process.exit(0),
      (error: unknown) => {
        console.error("drain bench failed:", error);
        process.exit(1);
      },
    );
  });
}
