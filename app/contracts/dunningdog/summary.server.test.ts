import { DateTime } from "luxon";
import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../../tests/factories";
import { prng } from "~/domain/demo/seed.server";
import { db } from "~/utils/db.server";
import { writeMetricSnapshots } from "~/domain/analytics/snapshots.server";
import { revenueSince, SUMMARY_WINDOWS, windowStart, type SummaryWindow } from "~/domain/analytics/summary.server";
import { getDashboardSummary } from "./summary.server";

let seq = 0;
type Row = { startedAt: Date; amountDueMinor: number; currency?: string; status?: "pending" | "recovered" | "failed" | "abandoned"; endedAt?: Date | null; recoveredAmountMinor?: number | null };

async function insert(workspaceId: string, rows: Row[]) {
  await db().recovery.createMany({
    data: rows.map((r) => {
      seq += 1;
      return {
        workspaceId,
        externalId: `in_${seq}`,
        externalCustomerId: `cus_${seq}`,
        declineType: "soft" as const,
        currency: "usd",
        lastFailureAt: r.startedAt,
        ...r,
      };
    }),
  });
}

async function workspaceIn(timezone: string, currency = "usd") {
  const { workspace } = await makeWorkspace();
  await db().workspace.update({ where: { id: workspace.id }, data: { timezone, currency } });
  return workspace.id;
}

/** The reference: every row, filtered in JavaScript. No snapshots, no SQL aggregates. */
async function pureLive(workspaceId: string, window: SummaryWindow, now: Date) {
  const ws = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId } });
  const from = windowStart(window, now, ws.timezone);
  const rows = await db().recovery.findMany({ where: { workspaceId } });
  const inWindow = (d: Date | null) => d !== null && (!from || d >= from);
  const mine = rows.filter((r) => r.currency === ws.currency);
  return {
    failedRevenueMinor: mine.filter((r) => inWindow(r.startedAt)).reduce((s, r) => s + r.amountDueMinor, 0),
    recoveredRevenueMinor: mine
      .filter((r) => r.status === "recovered" && inWindow(r.startedAt))
      .reduce((s, r) => s + (r.recoveredAmountMinor ?? 0), 0),
  };
}

describe("getDashboardSummary windows", () => {
  const now = new Date("2025-03-15T15:00:00.000Z");
  const ms = (d: Date, delta: number) => new Date(d.getTime() + delta);

  it("counts rows exactly at a window's start and not a millisecond before", async () => {
    const ws = await workspaceIn("UTC");
    const d7 = new Date("2025-03-08T15:00:00.000Z");
    const d30 = new Date("2025-02-13T15:00:00.000Z");
    const month = new Date("2025-03-01T00:00:00.000Z");
    await insert(ws, [
      { startedAt: d7, amountDueMinor: 1 },
      { startedAt: ms(d7, -1), amountDueMinor: 2 },
      { startedAt: month, amountDueMinor: 4 },
      { startedAt: ms(month, -1), amountDueMinor: 8 },
      { startedAt: d30, amountDueMinor: 16 },
      { startedAt: ms(d30, -1), amountDueMinor: 32 },
      { startedAt: new Date("2020-01-01"), amountDueMinor: 64 },
      { startedAt: ms(now, -1), amountDueMinor: 128 },
    ]);
    const failed = async (window: SummaryWindow) => (await getDashboardSummary({ workspaceId: ws, window, now })).failedRevenueCents;
    expect(await failed("7d")).toBe(1 + 128);
    expect(await failed("month")).toBe(1 + 2 + 4 + 128);
    expect(await failed("30d")).toBe(1 + 2 + 4 + 8 + 16 + 128);
    expect(await failed("90d")).toBe(1 + 2 + 4 + 8 + 16 + 32 + 128);
    expect(await failed("lifetime")).toBe(255);
  });

  it("starts 'month' at local midnight of the 1st in the workspace timezone", async () => {
    const ws = await workspaceIn("Europe/Paris");
    const paris = new Date("2025-04-10T10:00:00.000Z");
    const start = new Date("2025-03-31T22:00:00.000Z"); // 1 April 00:00 CEST
    await insert(ws, [
      { startedAt: start, amountDueMinor: 100 },
      { startedAt: ms(start, -1), amountDueMinor: 200 },
    ]);
    const summary = await getDashboardSummary({ workspaceId: ws, window: "month", now: paris });
    expect(summary.failedRevenueCents).toBe(100);
    expect(summary.windowStart).toBe(start.toISOString());
  });

  it("counts one cohort, the payments that failed in the window: recovered is what of them came back, never more", async () => {
    const ws = await workspaceIn("UTC");
    await insert(ws, [
      // Failed before the window and recovered in it: not this window's failure, not its recovery.
      { startedAt: new Date("2025-01-01"), amountDueMinor: 5000, status: "recovered", endedAt: new Date("2025-03-10"), recoveredAmountMinor: 5000 },
      { startedAt: new Date("2025-03-09"), amountDueMinor: 20000 },
      { startedAt: new Date("2025-03-09"), amountDueMinor: 1000, status: "recovered", endedAt: new Date("2025-03-12"), recoveredAmountMinor: 1000 },
      { startedAt: new Date("2025-03-10"), amountDueMinor: 4000, status: "failed", endedAt: new Date("2025-03-14") },
    ]);
    const s = await getDashboardSummary({ workspaceId: ws, window: "7d", now });
    expect(s.failedRevenueCents).toBe(25000);
    expect(s.recoveredRevenueCents).toBe(1000);
    expect(s.recoveryRate).toBe(0.04);
    expect(s.byCurrency).toEqual([
      {
        currency: "usd",
        failedCount: 3,
        failedRevenueCents: 25000,
        recoveredCount: 1,
        recoveredRevenueCents: 1000,
        inProgressCount: 1,
        inProgressRevenueCents: 20000,
        lostCount: 1,
        lostRevenueCents: 4000,
        recoveryRate: 0.04,
      },
    ]);
    const empty = await getDashboardSummary({ workspaceId: await workspaceIn("UTC"), window: "7d", now });
    expect(empty).toMatchObject({ failedRevenueCents: 0, recoveredRevenueCents: 0, recoveryRate: 0 });
  });

  it("counts only the workspace's reporting currency and says which", async () => {
    const ws = await workspaceIn("UTC");
    await insert(ws, [
      { startedAt: ms(now, -3600_000), amountDueMinor: 1000, currency: "usd" },
      { startedAt: ms(now, -3600_000), amountDueMinor: 7000, currency: "eur" },
    ]);
    const usd = await getDashboardSummary({ workspaceId: ws, window: "7d", now });
    expect(usd).toMatchObject({ failedRevenueCents: 1000, currency: "usd" });
    // The other currency is not lost: listed beside the totals, never summed into them.
    expect(usd.byCurrency.map((c) => [c.currency, c.failedRevenueCents])).toEqual([["usd", 1000], ["eur", 7000]]);
    await db().workspace.update({ where: { id: ws }, data: { currency: "eur" } });
    const eur = await getDashboardSummary({ workspaceId: ws, window: "7d", now });
    expect(eur).toMatchObject({ failedRevenueCents: 7000, currency: "eur" });
  });

  it("reports at-risk subscriptions, enabled sequences and the latest snapshot", async () => {
    const ws = await workspaceIn("UTC");
    for (let i = 0; i < 7; i++) {
      await db().subscriptionAtRisk.create({
        data: {
          workspaceId: ws,
          externalCustomerId: `cus_r${i}`,
          externalSubscriptionId: `sub_r${i}`,
          reason: "card_expiring",
          riskDetectedAt: new Date(Date.UTC(2025, 2, 1 + i)),
          resolvedAt: i === 6 ? new Date("2025-03-14") : null,
        },
      });
    }
    await db().dunningSequence.create({ data: { workspaceId: ws, name: "Off", isEnabled: false, status: "paused" } });
    const before = await getDashboardSummary({ workspaceId: ws, window: "month", now });
    expect(before.atRiskCount).toBe(6);
    expect(before.activeSequences).toBe(1);
    expect(before.atRiskPreview.map((r) => r.stripeSubscriptionId)).toEqual(["sub_r5", "sub_r4", "sub_r3", "sub_r2", "sub_r1"]);
    expect(before).not.toHaveProperty("latestSnapshot");
    await writeMetricSnapshots({ workspaceId: ws, now });
    const after = await getDashboardSummary({ workspaceId: ws, window: "month", now });
    expect(after.latestSnapshot).toMatchObject({ periodStart: "2025-03-14T00:00:00.000Z", periodEnd: "2025-03-15T00:00:00.000Z", atRiskCount: 6 });
  });
});

describe("snapshots plus the live remainder", () => {
  it("equals a pure live computation for every window, across DST, before and after snapshots and late rows", async () => {
    const ws = await workspaceIn("Europe/Paris");
    await insert(await workspaceIn("Europe/Paris"), [{ startedAt: new Date("2025-04-01"), amountDueMinor: 99999 }]);
    const now = new Date("2025-04-20T13:37:00.000Z");
    const r = prng(42);
    const rows: Row[] = [];
    for (let i = 0; i < 400; i++) {
      const startedAt = new Date(now.getTime() - r.int(0, 110 * 24 * 60) * 60_000);
      const status = r.pick(["pending", "recovered", "recovered", "failed", "abandoned"] as const);
      const endedAt = status === "pending" ? null : new Date(Math.min(now.getTime(), startedAt.getTime() + r.int(1, 20 * 24) * 3600_000));
      rows.push({
        startedAt,
        status,
        endedAt,
        amountDueMinor: r.int(500, 30000),
        currency: r.next() < 0.1 ? "eur" : "usd",
        recoveredAmountMinor: status === "recovered" ? r.int(500, 30000) : null,
      });
    }
    // Rows exactly on local midnights, where an off-by-one day rule would show.
    const midnight = DateTime.fromJSDate(now, { zone: "Europe/Paris" }).startOf("day");
    for (const d of [0, 1, 2, 3, 30, 31]) {
      rows.push({ startedAt: midnight.minus({ days: d }).toJSDate(), amountDueMinor: 777, status: "recovered", endedAt: midnight.minus({ days: d }).toJSDate(), recoveredAmountMinor: 555 });
    }
    await insert(ws, rows);

    const check = async (label: string) => {
      for (const window of SUMMARY_WINDOWS) {
        const s = await getDashboardSummary({ workspaceId: ws, window, now });
        expect({ label, window, failed: s.failedRevenueCents, recovered: s.recoveredRevenueCents }).toEqual({
          label,
          window,
          failed: (await pureLive(ws, window, now)).failedRevenueMinor,
          recovered: (await pureLive(ws, window, now)).recoveredRevenueMinor,
        });
      }
    };
    await check("no snapshots");
    await writeMetricSnapshots({ workspaceId: ws, now, days: 100 });
    const used = await revenueSince({ workspaceId: ws, currency: "usd", zone: "Europe/Paris", from: null, now });
    expect(used.snapshotDays).toBe(100);
    await check("with snapshots");

    // A late row on an old, already snapshotted day: the next run redoes that day.
    await insert(ws, [{ startedAt: new Date("2025-03-01T10:00:00Z"), amountDueMinor: 4242, status: "recovered", endedAt: new Date("2025-03-02T10:00:00Z"), recoveredAmountMinor: 4242 }]);
    await writeMetricSnapshots({ workspaceId: ws, now });
    await check("after a late row");

    // Snapshots in another timezone's days are ignored, then replaced.
    await db().workspace.update({ where: { id: ws }, data: { timezone: "America/New_York" } });
    await check("timezone changed");
    await writeMetricSnapshots({ workspaceId: ws, now });
    expect(await db().metricSnapshot.count({ where: { workspaceId: ws } })).toBeGreaterThanOrEqual(99);
    await check("timezone changed, snapshots rewritten");
  });
});
