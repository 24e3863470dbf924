// LostChurn's analytics endpoints at scale (ADR 0078): bench/api.ts's seeding (N recoveries over
// ~a year, default 1 M) spread over three currencies, the rollups built once, then each endpoint
// timed through the real HTTP server with a real API key, one request at a time; reads right after
// recoveries changed (answered from the rollups, ADR 0081); and the job's catch-up after changes.
import os from "node:os";
import type pg from "pg";
import { table } from "./report";
import { seed, timeRequests } from "./api";

export interface AnalyticsBenchResult {
  rows: number;
  seeded: Awaited<ReturnType<typeof seed>>;
  rollup: { seconds: number; recoveryRows: number; dailyRows: number; atRiskCustomers: number; emailRows: number };
  scenarios: Array<{ name: string; path: string; p50: number; p95: number; p99: number; max: number; n: number }>;
  catchUp: Array<{ changed: number; p50: number; max: number; n: number }>;
  load: string;
}

const f = (n: number) => n.toFixed(1);

export async function runAnalyticsBench(input: { sql: pg.Client; base: string; rows: number }): Promise<AnalyticsBenchResult> {
  const { sql, base, rows } = input;
  const { createWorkspace } = await import("../app/domain/workspaces/workspaces.server");
  const { createApiKey } = await import("../app/domain/auth/api-keys.server");
  const { createSequence } = await import("../app/domain/campaigns/sequences.server");
  const { rollUpWorkspace } = await import("../app/domain/analytics/rollup.server");
  const { workspace } = await createWorkspace({ name: "Analytics bench", ownerEmail: `bench-analytics-${Date.now()}@example.com` });
  await sql.query(`UPDATE "Workspace" SET timezone = 'America/New_York' WHERE id = $1`, [workspace.id]);
  const main = (await sql.query<{ id: string }>(`SELECT id FROM "DunningSequence" WHERE "workspaceId" = $1`, [workspace.id])).rows[0]!.id;
  const second = await createSequence({
    workspaceId: workspace.id,
    name: "Win-back",
    isEnabled: false,
    steps: [{ delayHours: 24, subjectTemplate: "About your payment", bodyTemplate: "Hi {{customer_name}}, {{update_payment_url}}" }],
  });
  console.log(`analytics: seeding ${rows.toLocaleString("en")} recoveries…`);
  const seeded = await seed(sql, workspace.id, [main, second.id], rows);
  // Three currencies (70 % usd, 20 % eur, 10 % gbp), as a merchant selling abroad has.
  await sql.query(
    `UPDATE "RecoveryAttempt" SET currency = CASE WHEN substr(id, 4)::int % 10 < 7 THEN 'usd' WHEN substr(id, 4)::int % 10 < 9 THEN 'eur' ELSE 'gbp' END WHERE "workspaceId" = $1`,
    [workspace.id],
  );
  const t0 = performance.now();
  await rollUpWorkspace({ workspaceId: workspace.id });
  const rollupSeconds = (performance.now() - t0) / 1000;
  const count = async (t: string) => Number((await sql.query<{ n: string }>(`SELECT count(*) AS n FROM "${t}" WHERE "workspaceId" = $1`, [workspace.id])).rows[0]!.n);
  const rollup = { seconds: rollupSeconds, recoveryRows: await count("RecoveryRollup"), dailyRows: 0, atRiskCustomers: 0, emailRows: await count("EmailRollup") };
  console.log(`analytics: rolled up in ${rollupSeconds.toFixed(1)} s: ${JSON.stringify(rollup)}`);
  // As autovacuum would after a bulk load: statistics, and the visibility map index-only scans need.
  // RecoveryAttempt too: the currency UPDATE above left a dead version of every row, and the reads' freshness probes go through its updatedAt index.
  for (const t of ["RecoveryAttempt", "RecoveryRollup", "RecoveryDailyRollup", "RecoveryTotal", "AtRiskCustomer", "EmailRollup", "EmailDailyRollup"]) await sql.query(`VACUUM ANALYZE "${t}"`);
  const atRiskRows = await count("AtRiskCustomer");
  const dailyRows = await count("RecoveryDailyRollup");
  rollup.dailyRows = dailyRows;
  rollup.atRiskCustomers = atRiskRows;
  console.log(`analytics: ${dailyRows} daily rows, ${atRiskRows} at-risk customers`);
  const { key } = await createApiKey({ workspaceId: workspace.id, scopes: ["analytics"], name: "bench" });

  const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const paths: Array<[string, string]> = [
    ["recovery (default: 30 days by day)", "/api/v1/analytics/recovery"],
    ["summary (the alias)", "/api/v1/analytics/summary"],
    ["recovery, 90 days by week, psp + category", `/api/v1/analytics/recovery?start_date=${day(90)}&group_by=week&psp=stripe&decline_category=soft_retry`],
    ["revenue (30 days)", "/api/v1/analytics/revenue"],
    ["revenue, a year in eur", `/api/v1/analytics/revenue?start_date=${day(365)}&currency=eur`],
    ["at-risk (every open recovery)", "/api/v1/analytics/at-risk"],
    ["decline-codes (30 days)", "/api/v1/analytics/decline-codes"],
    ["recovery-breakdown, 30 days by day × category", "/api/v1/analytics/recovery-breakdown"],
    ["recovery-breakdown, 7 days by hour × campaign", `/api/v1/analytics/recovery-breakdown?start_date=${day(7)}&group_by=hour&segment_by=campaign`],
    ["recovery-breakdown, a year by month × psp", `/api/v1/analytics/recovery-breakdown?start_date=${day(365)}&group_by=month&segment_by=psp`],
    ["campaigns (cursor page)", "/api/v1/analytics/campaigns"],
    ["at-risk-customers (all, page 1)", "/api/v1/analytics/at-risk-customers"],
    ["at-risk-customers, high_value", "/api/v1/analytics/at-risk-customers?cohort=high_value"],
    ["at-risk-customers, repeat_failure", "/api/v1/analytics/at-risk-customers?cohort=repeat_failure"],
    ["at-risk-customers, expiring_card, page 20", "/api/v1/analytics/at-risk-customers?cohort=expiring_card&page=20&per_page=100"],
    ["email-health (30 days by day)", "/api/v1/analytics/email-health"],
    ["email-health, a year by month", `/api/v1/analytics/email-health?start_date=${day(365)}&group_by=month`],
    ["email-engagement (30 days)", "/api/v1/analytics/email-engagement"],
    ["email-engagement, a year, one campaign", `/api/v1/analytics/email-engagement?start_date=${day(365)}&campaign_id=${main}`],
  ];
  const scenarios: AnalyticsBenchResult["scenarios"] = [];
  const load = os.loadavg().map((l) => l.toFixed(2)).join(" / ");
  console.log(`analytics: load average ${load}`);
  for (const [name, path] of paths) {
    const r = await timeRequests(base, key, [path]);
    console.log(`${name}: p50 ${f(r.p50)} ms, p95 ${f(r.p95)} ms, p99 ${f(r.p99)} ms`);
    scenarios.push({ name, path, ...r });
  }
  const changeRecoveries = (changed: number, offset: number) =>
    sql.query(`UPDATE "RecoveryAttempt" SET "updatedAt" = now() WHERE "workspaceId" = $1 AND id IN (SELECT 'bra' || lpad((g * 997 % $2 + 1)::text, 8, '0') FROM generate_series($3::int, $3::int + $4::int - 1) g)`, [workspace.id, rows, offset, changed]);
  const percentile = (times: number[], p: number) => [...times].sort((a, b) => a - b)[Math.min(times.length - 1, Math.ceil((p / 100) * times.length) - 1)]!;
  // Reads while changes wait: `changed` recoveries (scattered over the year) changed before each of
  // 30 requests; the read answers from the rollups as they are (as_of says how fresh) and asks for the job.
  const changedReads = async (changed: number, offset: number, name: string) => {
    const times: number[] = [];
    for (let i = 0; i < 30; i++) {
      await changeRecoveries(changed, offset + i * changed);
      const t = performance.now();
      const res = await fetch(`${base}/api/v1/analytics/recovery`, { headers: { authorization: `Bearer ${key}` } });
      await res.json();
      times.push(performance.now() - t);
    }
    scenarios.push({ name, path: "/api/v1/analytics/recovery", p50: percentile(times, 50), p95: percentile(times, 95), p99: percentile(times, 99), max: Math.max(...times), n: times.length });
    console.log(`${name}: p50 ${f(percentile(times, 50))} ms, p95 ${f(percentile(times, 95))} ms`);
  };
  await changedReads(20, 0, "recovery after 20 changed recoveries (as_of: the last rollup)");
  await changedReads(200, 100_000, "recovery after 200 changed recoveries (as_of: the last rollup)");
  // The job's incremental run with `changed` recoveries (scattered over the year) changed in its
  // window: how long a change waits beyond the minute's schedule. Each run re-reads the 2 minutes
  // before its watermark, so the rows changed by the earlier rounds are first dated a day back (they
  // are rolled up already) and each round's run sees its own changes only.
  const catchUp: AnalyticsBenchResult["catchUp"] = [];
  const ageChanges = () => sql.query(`UPDATE "RecoveryAttempt" SET "updatedAt" = "updatedAt" - interval '1 day' WHERE "workspaceId" = $1 AND "updatedAt" > now() - interval '1 hour'`, [workspace.id]);
  await rollUpWorkspace({ workspaceId: workspace.id });
  for (const changed of [1, 20, 200, 2000]) {
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      await ageChanges();
      await changeRecoveries(changed, 300_000 + changed * 100 + i * changed);
      const t = performance.now();
      const run = await rollUpWorkspace({ workspaceId: workspace.id });
      times.push(performance.now() - t);
      if (run.rebuilt) throw new Error("the catch-up rebuilt everything: not an incremental run");
    }
    catchUp.push({ changed, p50: percentile(times, 50), max: Math.max(...times), n: times.length });
    console.log(`catch-up with ${changed} changes in the window: p50 ${f(percentile(times, 50))} ms, max ${f(Math.max(...times))} ms`);
  }
  return { rows, seeded, rollup, scenarios, catchUp, load };
}

export function renderAnalytics(r: AnalyticsBenchResult & { date: string; machine: string }): string {
  return `## Analytics at ${(r.rows / 1e6).toFixed(r.rows >= 1e6 ? 0 : 2)} M recoveries (${r.date})

Machine: ${r.machine}. Load average (1/5/15 min) when the timed requests began: ${r.load}; the machine is shared with other work.

Data: one workspace (America/New_York) with ${r.seeded.attempts.toLocaleString("en")} recoveries over about a year (bench/api.ts's seeding: 20 % open, 45 % recovered, 35 % closed; four decline categories; two campaigns), in usd, eur and gbp (70/20/10 %), and ${r.seeded.messages.toLocaleString("en")} emails. The rollups built from nothing in ${r.rollup.seconds.toFixed(1)} s: ${r.rollup.recoveryRows.toLocaleString("en")} RecoveryRollup rows (hourly), ${r.rollup.dailyRows.toLocaleString("en")} RecoveryDailyRollup rows, ${r.rollup.atRiskCustomers.toLocaleString("en")} AtRiskCustomer rows, ${r.rollup.emailRows.toLocaleString("en")} EmailRollup rows (ADR 0078).

Method: as the API section above (production build, real API key with the \`analytics\` scope, one request at a time, 20 warm-up then 300 timed requests per row; whole round trips in ms). Every request first checks for changes after the rollup's watermarks (three index probes) and reads the rollups as they are (ADR 0081): the last two rows change 20 (then 200) recoveries, scattered over the year, before each of 30 requests; the answer does not wait for them, \`as_of\` says how fresh it is and the job is asked for (not running during the bench).

${table(
  ["request", "p50 ms", "p95 ms", "p99 ms", "max ms", "n"],
  r.scenarios.map((s) => [`${s.name} \`${s.path.length > 60 ? `${s.path.slice(0, 57)}…` : s.path}\``, f(s.p50), f(s.p95), f(s.p99), f(s.max), String(s.n)]),
)}

The job's incremental run (\`rollUpWorkspace\`, in-process, one transaction) with N recoveries, scattered over the year, changed in its window (10 runs each; in production a run's window is the minute since the last run plus the 2 minutes it re-reads): a change is in the figures within the minute's schedule plus this.

${table(
  ["changed recoveries", "p50 ms", "max ms", "n"],
  r.catchUp.map((c) => [c.changed.toLocaleString("en"), f(c.p50), f(c.max), String(c.n)]),
)}
`;
}
