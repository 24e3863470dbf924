// The /api/v1 payments and recoveries endpoints at scale: one workspace with N (default 1 M)
// recovery attempts, seeded with generate_series, then list and get requests through the real HTTP
// server with a real API key, one at a time, and EXPLAIN for the list queries.
import type pg from "pg";
import { table } from "./report";

export interface ApiBenchResult {
  rows: number;
  seeded: { attempts: number; customers: number; retries: number; messages: number; seconds: number };
  scenarios: Array<{ name: string; path: string; p50: number; p95: number; p99: number; max: number; n: number; items: number }>;
  plans: Array<{ name: string; sql: string; plan: string; ms: number }>;
}

const WARMUP = 20;
const SAMPLES = 300;

/**
 * One workspace, N attempts over the last ~year (one every 30 s), a customer per five attempts,
 * a platform failure on every attempt and one Recoup retry on a third, a sequence email on half.
 * Shares: 20 % open (1 in 20 of those paused), 45 % recovered, 20 % given up, 15 % closed;
 * decline categories 60 % soft_retry, 25 % hard_customer, 10 % terminal, 5 % unknown, independent of the status;
 * 90 % follow the default sequence, 10 % a second one.
 */
export async function seed(sql: pg.Client, workspaceId: string, sequences: [string, string], rows: number) {
  const started = performance.now();
  const customers = Math.max(1, Math.floor(rows / 5));
  await sql.query("SET synchronous_commit = off");
  await sql.query(
    `INSERT INTO "Customer" (id, "workspaceId", provider, "externalId", email, name, "createdAt", "updatedAt")
     SELECT 'bcus' || g, $1, 'stripe', 'cus_bench_' || g, 'customer' || g || '@example.com', 'Customer ' || g, now(), now()
     FROM generate_series(1, $2::int) g`,
    [workspaceId, customers],
  );
  await sql.query(
    `INSERT INTO "RecoveryAttempt" (id, "workspaceId", provider, "stripeAccountId", "stripeInvoiceId", "stripeCustomerId", "customerId",
        "declineType", "declineCategory", "declineCode", status, "amountDueCents", currency, "recoveredAmountCents", "startedAt", "endedAt",
        paused, "pausedAt", "lastFailureAt", "recoupRetryCount", "sequenceId", "nextActionKind", "nextActionAt", "nextActionReason", "createdAt", "updatedAt")
     SELECT 'bra' || lpad(g::text, 8, '0'), $1, 'stripe', 'acct_bench', 'in_bench_' || g, 'cus_bench_' || (g % $3 + 1), 'bcus' || (g % $3 + 1),
        CASE WHEN c.k < 12 THEN 'soft' ELSE 'hard' END::"DeclineType",
        CASE WHEN c.k < 12 THEN 'soft_retry' WHEN c.k < 17 THEN 'hard_customer' WHEN c.k < 19 THEN 'terminal' ELSE 'unknown' END,
        CASE WHEN c.k < 12 THEN 'insufficient_funds' WHEN c.k < 17 THEN 'expired_card' WHEN c.k < 19 THEN 'stolen_card' ELSE 'generic_decline' END,
        s.status::"RecoveryStatus", 500 + (g * 37) % 20000, 'usd',
        CASE WHEN s.status = 'recovered' THEN 500 + (g * 37) % 20000 END,
        t.at, CASE WHEN s.status <> 'pending' THEN t.at + interval '5 days' END,
        s.status = 'pending' AND g % 50 = 0, CASE WHEN s.status = 'pending' AND g % 50 = 0 THEN t.at + interval '1 hour' END,
        t.at, (g % 3 = 0)::int,
        CASE WHEN g % 10 = 0 THEN $5 ELSE $4 END,
        CASE WHEN s.status = 'pending' THEN 'retry' END, CASE WHEN s.status = 'pending' THEN t.at + interval '2 days' END,
        CASE WHEN s.status = 'pending' THEN 'Retrying on the customer''s payday.' END,
        t.at, t.at
     FROM generate_series(1, $2::int) g,
        LATERAL (SELECT now() - make_interval(secs => g * 30) AS at) t,
        LATERAL (SELECT CASE WHEN g % 20 < 4 THEN 'pending' WHEN g % 20 < 13 THEN 'recovered' WHEN g % 20 < 17 THEN 'failed' ELSE 'abandoned' END AS status) s,
        -- The category from other digits than the status: the two are independent.
        LATERAL (SELECT (g / 20) % 20 AS k) c`,
    [workspaceId, rows, customers, sequences[0], sequences[1]],
  );
  await sql.query(
    `INSERT INTO "RetryAttempt" (id, "workspaceId", "recoveryAttemptId", "attemptNumber", source, "idempotencyKey", status, "declineCode", "amountCents", currency, "attemptedAt", "createdAt")
     SELECT 'brp' || g, a."workspaceId", a.id, 1, 'platform', 'platform:evt_bench_' || g, 'failed', a."declineCode", a."amountDueCents", 'usd', a."startedAt", a."startedAt"
     FROM "RecoveryAttempt" a, LATERAL (SELECT substr(a.id, 4)::int AS g) n WHERE a."workspaceId" = $1
     UNION ALL
     SELECT 'brr' || g, a."workspaceId", a.id, 1, 'recoup', 'recoup:' || a.id || ':1', CASE WHEN a.status = 'recovered' THEN 'succeeded' ELSE 'failed' END,
        CASE WHEN a.status = 'recovered' THEN NULL ELSE a."declineCode" END, a."amountDueCents", 'usd', a."startedAt" + interval '2 days', a."startedAt"
     FROM "RecoveryAttempt" a, LATERAL (SELECT substr(a.id, 4)::int AS g) n WHERE a."workspaceId" = $1 AND g % 3 = 0`,
    [workspaceId],
  );
  await sql.query(
    `INSERT INTO "DunningMessage" (id, "workspaceId", "recoveryAttemptId", "stepId", kind, "dedupeKey", "toEmail", subject, "bodyText", "bodyHtml",
        status, "scheduledFor", "sentAt", "openedAt", transport, "trackingId", "createdAt", "updatedAt")
     SELECT 'bdm' || g, a."workspaceId", a.id, st.id, 'sequence', 'step:' || st.id, 'customer@example.com', 'Your payment didn''t go through',
        'Hi, we could not take your payment.', '<p>Hi, we could not take your payment.</p>',
        CASE WHEN g % 8 = 0 THEN 'opened' ELSE 'sent' END::"MessageStatus", a."startedAt" + interval '1 hour', a."startedAt" + interval '1 hour',
        CASE WHEN g % 8 = 0 THEN a."startedAt" + interval '3 hours' END, 'outbox', 'btrk' || g, a."startedAt", a."startedAt"
     FROM "RecoveryAttempt" a
     CROSS JOIN LATERAL (SELECT substr(a.id, 4)::int AS g) n
     JOIN LATERAL (SELECT id FROM "DunningStep" WHERE "sequenceId" = a."sequenceId" ORDER BY position LIMIT 1) st ON true
     WHERE a."workspaceId" = $1 AND g % 2 = 0`,
    [workspaceId],
  );
  await sql.query(`ANALYZE "Customer", "RecoveryAttempt", "RetryAttempt", "DunningMessage"`);
  const count = async (t: string) => Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}" WHERE "workspaceId" = $1`, [workspaceId])).rows[0]!.n);
  return {
    attempts: await count("RecoveryAttempt"),
    customers: await count("Customer"),
    retries: await count("RetryAttempt"),
    messages: await count("DunningMessage"),
    seconds: (performance.now() - started) / 1000,
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Sequential requests (no concurrency): what one client waits for each answer. */
export async function timeRequests(base: string, key: string, paths: string[]) {
  const times: number[] = [];
  let items = 0;
  for (let i = 0; i < WARMUP + SAMPLES; i++) {
    const path = paths[i % paths.length]!;
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { headers: { authorization: `Bearer ${key}` } });
    const body = (await res.json()) as { items?: unknown[] };
    const elapsed = performance.now() - t0;
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
    if (i >= WARMUP) {
      times.push(elapsed);
      items = body.items?.length ?? 1;
    }
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: times[times.length - 1]!, n: times.length, items };
}

/** The plan's first lines and the indexes it reads, for the document. */
export async function explain(sql: pg.Client, name: string, text: string, params: unknown[]) {
  const res = await sql.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, SUMMARY ON) ${text}`, params);
  const lines = res.rows.map((r) => r["QUERY PLAN"]);
  const ms = Number(/Execution Time: ([\d.]+) ms/.exec(lines.join("\n"))?.[1] ?? NaN);
  const plan = lines
    .filter((l) => !/^(Planning|Execution)/.test(l.trim()))
    .slice(0, 6)
    .join("\n");
  return { name, sql: text, plan, ms };
}

const f = (n: number) => n.toFixed(1);

export function renderApi(r: ApiBenchResult & { date: string; machine: string }): string {
  return `## API v1 lists and gets at ${(r.rows / 1e6).toFixed(r.rows >= 1e6 ? 0 : 1)} M recovery attempts (${r.date})

Machine: ${r.machine}.

Data: one workspace with ${r.seeded.attempts.toLocaleString("en")} recovery attempts (= payments = recoveries), ${r.seeded.customers.toLocaleString("en")} customers, ${r.seeded.retries.toLocaleString("en")} charge attempts and ${r.seeded.messages.toLocaleString("en")} dunning emails, inserted with \`generate_series\` in ${r.seeded.seconds.toFixed(0)} s (bench/api.ts says the shares: 20 % open, 45 % recovered, 35 % closed; 60 % soft declines).

Method: the production build served by \`startWeb\` on 127.0.0.1, a real API key (\`API_RATE_LIMIT_*\` raised for the run), one request at a time from the same process (Node's \`fetch\`, keep-alive); ${WARMUP} warm-up then ${SAMPLES} timed requests per row; gets cycle through 300 random rows. Times are whole round trips in ms: authentication, rate limit, validation, queries, JSON.

${table(
  ["request", "p50 ms", "p95 ms", "p99 ms", "max ms", "items"],
  r.scenarios.map((s) => [`${s.name} \`${s.path.length > 70 ? `${s.path.slice(0, 67)}…` : s.path}\``, f(s.p50), f(s.p95), f(s.p99), f(s.max), String(s.items)]),
)}

Query plans of the list queries (the SQL Prisma sends, with the first page's or the deep cursor's values; \`EXPLAIN (ANALYZE, BUFFERS)\`): each one reads an index in the keyset order and stops after the page, so its time does not grow with the table.

${r.plans.map((p) => `**${p.name}** (${p.ms.toFixed(2)} ms in PostgreSQL)\n\n\`\`\`\n${p.plan}\n\`\`\``).join("\n\n")}
`;
}

/** Seeds, measures and explains; the app's modules are loaded by the caller's environment. */
export async function runApiBench(input: { sql: pg.Client; base: string; rows: number }): Promise<ApiBenchResult> {
  const { sql, base, rows } = input;
  const { createWorkspace } = await import("../app/domain/workspaces/workspaces.server");
  const { createApiKey } = await import("../app/domain/auth/api-keys.server");
  const { createSequence } = await import("../app/domain/campaigns/sequences.server");
  const { encodeCursor } = await import("../app/domain/pagination.server");
  const { workspace } = await createWorkspace({ name: "Bench at scale", ownerEmail: `bench-${Date.now()}@example.com` });
  const main = (await sql.query<{ id: string }>(`SELECT id FROM "DunningSequence" WHERE "workspaceId" = $1`, [workspace.id])).rows[0]!.id;
  const second = await createSequence({
    workspaceId: workspace.id,
    name: "Win-back",
    isEnabled: false,
    steps: [{ delayHours: 24, subjectTemplate: "About your payment", bodyTemplate: "Hi {{customer_name}}, {{update_payment_url}}" }],
  });
  console.log(`seeding ${rows.toLocaleString("en")} recovery attempts…`);
  const seeded = await seed(sql, workspace.id, [main, second.id], rows);
  console.log(`seeded in ${seeded.seconds.toFixed(1)} s: ${JSON.stringify(seeded)}`);
  const { key } = await createApiKey({ workspaceId: workspace.id, scopes: ["read"], name: "bench" });

  const sample = await sql.query<{ id: string; inv: string }>(
    `SELECT id, "stripeInvoiceId" AS inv FROM "RecoveryAttempt" WHERE "workspaceId" = $1 ORDER BY md5(id) LIMIT 300`,
    [workspace.id],
  );
  const deepRow = (
    await sql.query<{ id: string; startedAt: Date }>(
      `SELECT id, "startedAt" FROM "RecoveryAttempt" WHERE "workspaceId" = $1 ORDER BY "startedAt" DESC, id DESC OFFSET $2 LIMIT 1`,
      [workspace.id, Math.floor(rows * 0.9)],
    )
  ).rows[0]!;
  const deep = encodeCursor({ createdAt: deepRow.startedAt, id: deepRow.id });
  const month = new Date(Date.now() - 180 * 86_400_000).toISOString().slice(0, 10);
  const monthEnd = new Date(Date.now() - 150 * 86_400_000).toISOString().slice(0, 10);

  const lists: Array<[string, string]> = [
    ["payments, first page", "/api/v1/payments?limit=25"],
    ["payments, page at 90 % depth (cursor)", `/api/v1/payments?limit=25&cursor=${deep}`],
    ["payments, status=failed", "/api/v1/payments?status=failed"],
    ["payments, status=pending", "/api/v1/payments?status=pending"],
    ["payments, status=terminal", "/api/v1/payments?status=terminal"],
    ["payments, decline_category=terminal", "/api/v1/payments?decline_category=terminal"],
    ["payments, status + decline_category", "/api/v1/payments?status=failed&decline_category=hard_customer"],
    ["payments, terminal + decline_category (two statuses, merged)", "/api/v1/payments?status=terminal&decline_category=terminal"],
    ["payments, a rare pair (2 %): pending + terminal decline", "/api/v1/payments?status=pending&decline_category=terminal"],
    ["payments, created_after + created_before (a month, 6 months back)", `/api/v1/payments?created_after=${month}&created_before=${monthEnd}`],
    ["payments, filter + deep cursor", `/api/v1/payments?status=recovered&cursor=${deep}`],
    ["payments, page=2&per_page=25 (counts the total)", "/api/v1/payments?page=2&per_page=25"],
    ["recoveries, first page", "/api/v1/recoveries"],
    ["recoveries, status=active", "/api/v1/recoveries?status=active"],
    ["recoveries, status=paused", "/api/v1/recoveries?status=paused"],
    ["recoveries, campaign_id (the 10 % one)", `/api/v1/recoveries?campaign_id=${second.id}`],
  ];
  const scenarios: ApiBenchResult["scenarios"] = [];
  for (const [name, path] of lists) {
    const r = await timeRequests(base, key, [path]);
    console.log(`${name}: p50 ${f(r.p50)} ms, p95 ${f(r.p95)} ms, p99 ${f(r.p99)} ms`);
    scenarios.push({ name, path, ...r });
  }
  const gets: Array<[string, string, string[]]> = [
    ["payment by id", "/api/v1/payments/{id}", sample.rows.map((r) => `/api/v1/payments/${r.id}`)],
    ["payment by external id", "/api/v1/payments/{in_…}", sample.rows.map((r) => `/api/v1/payments/${r.inv}`)],
    ["payment timeline", "/api/v1/payments/{id}/timeline", sample.rows.map((r) => `/api/v1/payments/${r.id}/timeline`)],
    ["recovery with steps and timeline", "/api/v1/recoveries/{id}", sample.rows.map((r) => `/api/v1/recoveries/${r.id}`)],
  ];
  for (const [name, path, paths] of gets) {
    const r = await timeRequests(base, key, paths);
    console.log(`${name}: p50 ${f(r.p50)} ms, p95 ${f(r.p95)} ms, p99 ${f(r.p99)} ms`);
    scenarios.push({ name, path, ...r });
  }

  const cols = `"id", "startedAt", "status", "paused", "declineCategory"`;
  const order = `ORDER BY "startedAt" DESC, "id" DESC LIMIT 26`;
  const after = `AND "startedAt" <= $2 AND ("startedAt" < $2 OR ("startedAt" = $2 AND "id" < $3))`;
  const ws = workspace.id;
  const plans = [
    await explain(sql, "first page", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true ${order}`, [ws]),
    await explain(sql, "deep cursor (90 %)", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true ${after} ${order}`, [ws, deepRow.startedAt, deepRow.id]),
    await explain(sql, "status=terminal: one of its two queries (the other is alike, status = 'abandoned')", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true AND "status" = 'failed' ${order}`, [ws]),
    await explain(sql, "status=pending (open, not paused)", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true AND "status" = 'pending' AND "paused" = false ${order}`, [ws]),
    await explain(sql, "recoveries status=paused", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true AND "status" = 'pending' AND "paused" = true ${order}`, [ws]),
    await explain(sql, "status=failed + decline_category=hard_customer", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true AND "status" = 'pending' AND "declineCategory" = 'hard_customer' ${order}`, [ws]),
    await explain(sql, "decline_category=terminal", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true AND "declineCategory" = 'terminal' ${order}`, [ws]),
    await explain(sql, "campaign_id", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true AND "sequenceId" = $2 ${order}`, [ws, second.id]),
    await explain(sql, "created_after + created_before", `SELECT ${cols} FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true AND "startedAt" >= $2 AND "startedAt" < $3 ${order}`, [ws, month, monthEnd]),
    await explain(sql, "get by external id", `SELECT "id" FROM "RecoveryAttempt" WHERE "workspaceId" = $1 AND "livemode" = true AND ("id" = $2 OR "stripeInvoiceId" = $2) LIMIT 2`, [ws, sample.rows[0]!.inv]),
  ];
  for (const p of plans) console.log(`EXPLAIN ${p.name}: ${f(p.ms)} ms\n${p.plan}`);
  return { rows, seeded, scenarios, plans };
}
