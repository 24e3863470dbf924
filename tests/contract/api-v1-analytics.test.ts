// LostChurn 33–38 and 43 (seed 002, "Analytics"): recovery metrics and its /summary alias, revenue,
// at-risk revenue, decline codes, the recovery breakdown and campaign metrics, read from the rollups
// (ADR 0078). Figures are worked out by hand from a handful of recoveries in Asia/Kolkata.
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { rollUpWorkspace } from "~/domain/analytics/rollup.server";
import * as recoveryRoute from "~/routes/api.v1.analytics.recovery";
import * as summaryRoute from "~/routes/api.v1.analytics.summary";
import * as revenueRoute from "~/routes/api.v1.analytics.revenue";
import * as atRiskRoute from "~/routes/api.v1.analytics.at-risk";
import * as declineRoute from "~/routes/api.v1.analytics.decline-codes";
import * as breakdownRoute from "~/routes/api.v1.analytics.recovery-breakdown";
import * as campaignsRoute from "~/routes/api.v1.analytics.campaigns";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { insertAttempt } from "../helpers/attempts";
import { useV1Caller } from "../helpers/openapi";
import { pendingJobs, runDueJobs } from "../helpers/jobs";
import { queues } from "../../jobs/queues";

const RECOVERY = "/api/v1/analytics/recovery";
const SUMMARY = "/api/v1/analytics/summary";
const REVENUE = "/api/v1/analytics/revenue";
const AT_RISK = "/api/v1/analytics/at-risk";
const DECLINES = "/api/v1/analytics/decline-codes";
const BREAKDOWN = "/api/v1/analytics/recovery-breakdown";
const CAMPAIGNS = "/api/v1/analytics/campaigns";
const v1 = useV1Caller({
  [RECOVERY]: recoveryRoute,
  [SUMMARY]: summaryRoute,
  [REVENUE]: revenueRoute,
  [AT_RISK]: atRiskRoute,
  [DECLINES]: declineRoute,
  [BREAKDOWN]: breakdownRoute,
  [CAMPAIGNS]: campaignsRoute,
});
afterAll(() => testClock.reset());

const get = (path: string, token: string, query = "", expect = 200) => v1.call("GET", path, query ? `${path}?${query}` : path, { token, expect });

/**
 * A workspace in Asia/Kolkata (UTC+05:30) reporting in usd, now 2026-03-20:
 * A 03-09 23:30 UTC = 03-10 05:00 local, soft_retry, recovered, usd 1000
 * B 03-10 10:00 UTC, soft_retry, open, usd 2000
 * C 03-10 12:00 UTC, hard_customer, failed (terminal), usd 3000
 * D 03-10 13:00 UTC, soft_retry, recovered, eur 5000
 * E 03-09 18:00 UTC = 03-09 23:30 local, terminal, abandoned, usd 700
 * F a test-mode recovery on 03-10 (not seen by a live key); G another workspace's on 03-10.
 */
async function kolkata() {
  testClock.set(new Date("2026-03-20T06:00:00Z"));
  const ws = await makeWorkspace();
  const id = ws.workspace.id;
  await db().workspace.update({ where: { id }, data: { timezone: "Asia/Kolkata", currency: "usd" } });
  const at = (iso: string) => new Date(iso);
  const campaign = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: id } });
  const a = await insertAttempt(id, { startedAt: at("2026-03-09T23:30:00Z"), declineCategory: "soft_retry", status: "recovered", amountDueMinor: 1000, recoveredAmountMinor: 1000, sequenceId: campaign.id });
  const b = await insertAttempt(id, { startedAt: at("2026-03-10T10:00:00Z"), declineCategory: "soft_retry", amountDueMinor: 2000, sequenceId: campaign.id });
  await insertAttempt(id, { startedAt: at("2026-03-10T12:00:00Z"), declineCategory: "hard_customer", declineCode: "expired_card", status: "failed", amountDueMinor: 3000 });
  await insertAttempt(id, { startedAt: at("2026-03-10T13:00:00Z"), declineCategory: "soft_retry", status: "recovered", amountDueMinor: 5000, recoveredAmountMinor: 5000, currency: "eur" });
  await insertAttempt(id, { startedAt: at("2026-03-09T18:00:00Z"), declineCategory: "terminal", declineCode: "stolen_card", status: "abandoned", amountDueMinor: 700 });
  await insertAttempt(id, { startedAt: at("2026-03-10T10:00:00Z"), declineCategory: "soft_retry", livemode: false, amountDueMinor: 9999 });
  const other = await makeWorkspace();
  await insertAttempt(other.workspace.id, { startedAt: at("2026-03-10T10:00:00Z"), declineCategory: "soft_retry", amountDueMinor: 4444 });
  // What the analytics-rollup job does every minute; reads answer from its rollups.
  await rollUpWorkspace({ workspaceId: id });
  await rollUpWorkspace({ workspaceId: other.workspace.id });
  return { ...ws, id, a, b, campaign, other };
}

describe("GET /api/v1/analytics/recovery and /summary", () => {
  it("counts the day's failures in the workspace's zone, recovered to date, terminal and open, by category, live only, own workspace only", async () => {
    const ws = await kolkata();
    const res = await get(RECOVERY, ws.apiKey, "start_date=2026-03-10&end_date=2026-03-10");
    expect(res.body.meta?.merchant_id).toBe(ws.id);
    // A (23:30 UTC the day before), B, C and D; not E (03-09 local), F (test mode) or G (another workspace).
    expect(res.data.summary).toEqual({
      total_failed: 4,
      total_recovered: 2,
      total_terminal: 1,
      total_active: 1,
      recovery_rate: 0.5,
      low_volume: true,
      // Wilson 95 % for 2 of 4: centre 0.5, half-width 1.96·√(1/16 + 3.8415/64)/1.9604 ≈ 0.350.
      rate_interval: [0.15, 0.85],
    });
    expect(res.data.by_category.soft_retry).toMatchObject({ count: 3, recovered: 2, terminal: 0, active: 1, rate: 0.667, low_volume: true });
    expect(res.data.by_category.hard_customer).toMatchObject({ count: 1, recovered: 0, terminal: 1, rate: 0 });
    expect(res.data.by_category.terminal).toMatchObject({ count: 0, recovered: 0, rate: null });
    expect(res.data.meta).toEqual({ start_date: "2026-03-10", end_date: "2026-03-10", group_by: "day", timezone: "Asia/Kolkata", as_of: "2026-03-20T06:00:00.000Z", currency: null });
    expect(res.data.series).toEqual([{ period: "2026-03-10T00:00:00", failed: 4, recovered: 2, terminal: 1, active: 1 }]);

    // The alias answers the same.
    const alias = await get(SUMMARY, ws.apiKey, "start_date=2026-03-10&end_date=2026-03-10");
    expect(alias.data).toEqual(res.data);

    // A named currency filters the counts too; the day before holds E alone.
    const usd = await get(RECOVERY, ws.apiKey, "start_date=2026-03-10&end_date=2026-03-10&currency=USD");
    expect(usd.data.summary).toMatchObject({ total_failed: 3, total_recovered: 1, total_terminal: 1, recovery_rate: 0.333 });
    const before = await get(RECOVERY, ws.apiKey, "start_date=2026-03-09&end_date=2026-03-09&decline_category=terminal");
    expect(before.data.summary).toMatchObject({ total_failed: 1, total_terminal: 1, total_recovered: 0 });

    // A test-mode key sees the test-mode recovery only.
    const test = await createApiKey({ workspaceId: ws.id, scopes: ["analytics"], livemode: false });
    const testView = await get(RECOVERY, test.key, "start_date=2026-03-10&end_date=2026-03-10");
    expect(testView.data.summary).toMatchObject({ total_failed: 1, total_active: 1 });
  });

  it("defaults to the last 30 local days to today; a change is counted once the rollup job has run, and until then as_of says how old the figures are", async () => {
    const ws = await kolkata();
    const rolledUpAt = (await db().analyticsState.findUniqueOrThrow({ where: { workspaceId: ws.id } })).recoveriesThrough;
    const first = await get(RECOVERY, ws.apiKey);
    expect(first.data.meta).toMatchObject({ start_date: "2026-02-18", end_date: "2026-03-20", group_by: "day", as_of: "2026-03-20T06:00:00.000Z" });
    expect(first.data.summary).toMatchObject({ total_failed: 5, total_recovered: 2, total_active: 1 });
    expect(await pendingJobs(queues.analyticsRollup.name)).toEqual([]);
    // B is recovered (a write by the test standing in for the engine), a minute later.
    testClock.set(new Date("2026-03-20T06:01:00Z"));
    await db().recovery.update({ where: { id: ws.b.id }, data: { status: "recovered", recoveredAmountMinor: 2000, endedAt: new Date("2026-03-12T00:00:00Z") } });
    // The read does not wait for it: the figures as they were, as of the last change rolled up, and the job asked for once.
    const stale = await get(RECOVERY, ws.apiKey);
    expect(stale.data.summary).toMatchObject({ total_failed: 5, total_recovered: 2, total_active: 1 });
    expect(stale.data.meta.as_of).toBe(rolledUpAt.toISOString());
    await get(AT_RISK, ws.apiKey);
    expect(await pendingJobs(queues.analyticsRollup.name)).toEqual([expect.objectContaining({ data: { workspaceId: ws.id } })]);
    await runDueJobs();
    const second = await get(RECOVERY, ws.apiKey);
    expect(second.data.summary).toMatchObject({ total_failed: 5, total_recovered: 3, total_active: 0 });
    expect(second.data.meta.as_of).toBe("2026-03-20T06:01:00.000Z");
    // The all-time totals moved with it (the touched day out, the day again in).
    expect((await get(AT_RISK, ws.apiKey)).data).toMatchObject({ revenue_at_risk: 0, payments_at_risk: 0 });
    const totals = () => db().recoveryTotal.findMany({ where: { workspaceId: ws.id }, orderBy: [{ livemode: "asc" }, { currency: "asc" }, { declineCategory: "asc" }, { campaignId: "asc" }] });
    const daily = () => db().recoveryDailyRollup.findMany({ where: { workspaceId: ws.id }, orderBy: [{ livemode: "asc" }, { localDay: "asc" }, { currency: "asc" }, { declineCategory: "asc" }, { declineCode: "asc" }, { campaignId: "asc" }] });
    const [incrementalTotals, incrementalDaily] = [await totals(), await daily()];
    expect(incrementalTotals.find((t) => t.livemode && t.currency === "usd" && t.declineCategory === "soft_retry" && t.campaignId === ws.campaign.id)).toMatchObject({ failedCount: 2, recoveredCount: 2, activeCount: 0, activeMinor: 0n });
    // A rebuild from nothing gives the same rows.
    await db().analyticsState.update({ where: { workspaceId: ws.id }, data: { timezone: "" } });
    expect((await rollUpWorkspace({ workspaceId: ws.id })).rebuilt).toBe(true);
    expect(await totals()).toEqual(incrementalTotals);
    expect(await daily()).toEqual(incrementalDaily);
  });

  it("refuses bad parameters in LostChurn's error shape, naming the field; wants the analytics or read scope", async () => {
    const ws = await kolkata();
    const bad = async (query: string, field: string) => {
      const res = await get(RECOVERY, ws.apiKey, query, 400);
      expect(res.error.code).toBe("VALIDATION_ERROR");
      expect(res.error.message).toContain(field);
    };
    await bad("group_by=year", "query.group_by");
    await bad("start_date=2026-13-01", "query.start_date");
    await bad("start_date=03/01/2026", "query.start_date");
    await bad("start_date=2026-03-10&end_date=2026-03-01", "query.start_date");
    await bad("decline_category=soft", "query.decline_category");
    await bad("currency=dollars", "query.currency");
    await bad("colour=blue", "query.colour");
    const breakdown = await get(BREAKDOWN, ws.apiKey, "segment_by=country", 400);
    expect(breakdown.error.message).toContain("query.segment_by");

    const webhooksOnly = await createApiKey({ workspaceId: ws.id, scopes: ["webhooks"] });
    const refused = await get(RECOVERY, webhooksOnly.key, "", 403);
    expect(refused.error.code).toBe("INSUFFICIENT_SCOPE");
    for (const scopes of [["analytics"], ["read"]]) {
      const key = await createApiKey({ workspaceId: ws.id, scopes });
      await get(SUMMARY, key.key);
    }
  });
});

describe("GET /api/v1/analytics/revenue and /at-risk", () => {
  it("gives the cohort's money in one currency with the documented fields, other currencies beside it", async () => {
    const ws = await kolkata();
    const res = await get(REVENUE, ws.apiKey, "start_date=2026-03-09&end_date=2026-03-10");
    // Local 03-09 and 03-10 hold A, B, C, E in usd and D in eur.
    expect(res.data).toMatchObject({
      revenue_recovered: 1000,
      revenue_at_risk: 2000,
      revenue_failed: 6700,
      payments_recovered: 1,
      payments_failed: 4,
      currency: "usd",
      period: { start_date: "2026-03-09", end_date: "2026-03-10" },
      timezone: "Asia/Kolkata",
    });
    expect(res.data.other_currencies).toEqual([{ currency: "eur", revenue_recovered: 5000, revenue_at_risk: 0, revenue_failed: 5000, payments_recovered: 1, payments_failed: 1 }]);
    const eur = await get(REVENUE, ws.apiKey, "start_date=2026-03-09&end_date=2026-03-10&currency=eur");
    expect(eur.data).toMatchObject({ revenue_recovered: 5000, payments_failed: 1, currency: "eur" });

    const risk = await get(AT_RISK, ws.apiKey);
    expect(risk.data).toMatchObject({ revenue_at_risk: 2000, payments_at_risk: 1, currency: "usd", other_currencies: [] });
    expect(risk.data.by_category.soft_retry).toEqual({ payments: 1, revenue_at_risk: 2000 });
  });
});

describe("GET /api/v1/analytics/decline-codes, /recovery-breakdown and /campaigns", () => {
  it("distributes the range's failures by code, by day and category in local days, and per campaign (cursor pages)", async () => {
    const ws = await kolkata();
    const codes = await get(DECLINES, ws.apiKey, "start_date=2026-03-09&end_date=2026-03-10");
    expect(codes.data.total_failed).toBe(5);
    expect(codes.data.codes[0]).toMatchObject({ code: "insufficient_funds", count: 3, share: 0.6, recovered: 2, category: "soft_retry" });
    expect(codes.data.codes.map((c: { code: string }) => c.code).sort()).toEqual(["expired_card", "insufficient_funds", "stolen_card"]);

    const bd = await get(BREAKDOWN, ws.apiKey, "start_date=2026-03-09&end_date=2026-03-10&group_by=day&segment_by=decline_category");
    expect(bd.data).toMatchObject({ timezone: "Asia/Kolkata", currency: "usd", group_by: "day", segment_by: "decline_category" });
    expect(bd.data.series.map((p: { period: string }) => p.period)).toEqual(["2026-03-09T00:00:00", "2026-03-10T00:00:00"]);
    const cell = (day: number, key: string) => bd.data.series[day].segments.find((s: { key: string }) => s.key === key);
    // E, at 23:30 local on the 9th; A counted on the 10th (05:00 local), with the day's other failures.
    expect(cell(0, "terminal")).toMatchObject({ failed: 1, terminal: 1, failed_minor: 700 });
    expect(cell(0, "soft_retry")).toMatchObject({ failed: 0 });
    expect(cell(1, "soft_retry")).toMatchObject({ failed: 3, recovered: 2, failed_minor: 3000, recovered_minor: 1000, label: "Soft decline (retry)" });
    expect(bd.data.totals.find((t: { key: string }) => t.key === "soft_retry")).toMatchObject({ failed: 3, recovered: 2, rate: 0.667 });

    const hourly = await get(BREAKDOWN, ws.apiKey, "start_date=2026-03-10&end_date=2026-03-10&group_by=hour&segment_by=campaign");
    expect(hourly.data.series).toHaveLength(24);
    const fiveAm = hourly.data.series.find((p: { period: string }) => p.period === "2026-03-10T05:00:00");
    expect(fiveAm.segments.find((s: { key: string }) => s.key === ws.campaign.id)).toMatchObject({ failed: 1, recovered: 1, label: ws.campaign.name });

    const campaigns = await get(CAMPAIGNS, ws.apiKey, "limit=1");
    expect(campaigns.body.cursor).toBeDefined();
    expect(campaigns.data).toHaveLength(1);
    expect(campaigns.data[0]).toMatchObject({ campaign_id: ws.campaign.id, payments: 2, recovered: 1, active: 1, recovery_rate: 0.5, low_volume: true });
  });
});

describe("the rollup", () => {
  it("is idempotent, rebuilds the touched hours only, and everything when the zone changes", async () => {
    const ws = await kolkata();
    const rows = () => db().recoveryRollup.findMany({ where: { workspaceId: ws.id }, orderBy: [{ localHour: "asc" }, { currency: "asc" }, { declineCategory: "asc" }, { livemode: "asc" }] });
    await db().analyticsState.delete({ where: { workspaceId: ws.id } });
    const first = await rollUpWorkspace({ workspaceId: ws.id });
    expect(first.rebuilt).toBe(true);
    const built = await rows();
    expect(built.map((r) => r.localHour.toISOString())).toContain("2026-03-10T05:00:00.000Z");
    const again = await rollUpWorkspace({ workspaceId: ws.id });
    expect(again.rebuilt).toBe(false);
    expect(await rows()).toEqual(built);

    await db().workspace.update({ where: { id: ws.id }, data: { timezone: "UTC" } });
    expect((await rollUpWorkspace({ workspaceId: ws.id })).rebuilt).toBe(true);
    expect((await rows()).map((r) => r.localHour.toISOString())).toContain("2026-03-09T23:00:00.000Z");
    const utc = await get(RECOVERY, ws.apiKey, "start_date=2026-03-10&end_date=2026-03-10");
    expect(utc.data.summary.total_failed).toBe(3);
    expect(utc.data.meta.timezone).toBe("UTC");
  });
});
