import { afterAll, describe, expect, it } from "vitest";
import { makeWorkspace } from "../../../tests/factories";
import { runDueJobs } from "../../../tests/helpers/jobs";
import { queues } from "../../../jobs/queues";
import { db } from "~/utils/db.server";
import { enqueue, stopBoss } from "~/utils/queue.server";
import { dayContaining, isSnapshotDay, recoveryRateOf, writeMetricSnapshots } from "./snapshots.server";

afterAll(() => stopBoss({ graceful: false }));

async function workspaceIn(timezone: string) {
  const { workspace } = await makeWorkspace();
  return db().workspace.update({ where: { id: workspace.id }, data: { timezone } });
}

let seq = 0;
function recovery(workspaceId: string, over: { startedAt: Date; amountDueMinor: number; status?: "recovered"; endedAt?: Date; recoveredAmountMinor?: number; currency?: string }) {
  seq += 1;
  return db().recovery.create({
    data: { workspaceId, externalId: `in_${seq}`, externalCustomerId: "cus_1", declineType: "soft", currency: "usd", lastFailureAt: over.startedAt, ...over },
  });
}

describe("day rule", () => {
  it("is the local calendar day of the workspace timezone, 23 or 25 hours across DST", () => {
    const paris = dayContaining(new Date("2025-03-30T12:00:00Z"), "Europe/Paris");
    expect(paris).toEqual({ start: new Date("2025-03-29T23:00:00Z"), end: new Date("2025-03-30T22:00:00Z") });
    expect(isSnapshotDay(paris.start, paris.end, "Europe/Paris")).toBe(true);
    expect(isSnapshotDay(paris.start, paris.end, "UTC")).toBe(false);
    expect(dayContaining(new Date("2025-03-30T12:00:00Z"), "UTC")).toEqual({
      start: new Date("2025-03-30T00:00:00Z"),
      end: new Date("2025-03-31T00:00:00Z"),
    });
  });

  it("rounds the recovery rate to four decimals, within 0..1", () => {
    expect(recoveryRateOf(0, 0)).toBe(0);
    expect(recoveryRateOf(3, 1)).toBe(0.3333);
    expect(recoveryRateOf(100, 250)).toBe(1);
  });
});

describe("writeMetricSnapshots", () => {
  const now = new Date("2025-06-10T08:30:00Z"); // 10:30 in Paris

  it("writes the last three complete local days, never today, with their totals", async () => {
    const ws = await workspaceIn("Europe/Paris");
    await recovery(ws.id, { startedAt: new Date("2025-06-08T21:59:59.999Z"), amountDueMinor: 1000 }); // 23:59 on the 8th, Paris
    await recovery(ws.id, { startedAt: new Date("2025-06-08T22:00:00.000Z"), amountDueMinor: 2000 }); // 00:00 on the 9th
    await recovery(ws.id, {
      startedAt: new Date("2025-06-01T00:00:00Z"),
      amountDueMinor: 4000,
      status: "recovered",
      endedAt: new Date("2025-06-09T10:00:00Z"),
      recoveredAmountMinor: 3000,
    });
    await recovery(ws.id, { startedAt: new Date("2025-06-09T10:00:00Z"), amountDueMinor: 9999, currency: "eur" });
    await recovery(ws.id, { startedAt: new Date("2025-06-10T07:00:00Z"), amountDueMinor: 8000 }); // today
    await db().subscriptionAtRisk.create({
      data: { workspaceId: ws.id, externalCustomerId: "cus_1", externalSubscriptionId: "sub_1", reason: "card_expiring", riskDetectedAt: new Date("2025-06-08T12:00:00Z") },
    });

    expect(await writeMetricSnapshots({ workspaceId: ws.id, now })).toEqual({ workspaces: 1, written: 3 });
    const rows = await db().metricSnapshot.findMany({ where: { workspaceId: ws.id }, orderBy: { periodStart: "asc" } });
    expect(rows.map((r) => [r.periodStart.toISOString(), r.periodEnd.toISOString(), r.failedRevenueMinor, r.recoveredRevenueMinor, r.recoveryRate, r.atRiskCount, r.currency])).toEqual([
      ["2025-06-06T22:00:00.000Z", "2025-06-07T22:00:00.000Z", 0, 0, 0, 0, "usd"],
      ["2025-06-07T22:00:00.000Z", "2025-06-08T22:00:00.000Z", 1000, 0, 0, 1, "usd"],
      // The recovery that failed on 1 June and came back on the 9th belongs to 1 June's cohort.
      ["2025-06-08T22:00:00.000Z", "2025-06-09T22:00:00.000Z", 2000, 0, 0, 1, "usd"],
    ]);
  });

  it("is idempotent: a second run rewrites the same days with the same figures", async () => {
    const ws = await workspaceIn("UTC");
    await recovery(ws.id, { startedAt: new Date("2025-06-09T10:00:00Z"), amountDueMinor: 1234 });
    await writeMetricSnapshots({ workspaceId: ws.id, now });
    const first = await db().metricSnapshot.findMany({ where: { workspaceId: ws.id }, orderBy: { periodStart: "asc" } });
    await writeMetricSnapshots({ workspaceId: ws.id, now });
    await writeMetricSnapshots({ workspaceId: ws.id, now });
    const again = await db().metricSnapshot.findMany({ where: { workspaceId: ws.id }, orderBy: { periodStart: "asc" } });
    const figures = (rows: typeof first) => rows.map(({ generatedAt: _g, ...rest }) => rest);
    expect(figures(again)).toEqual(figures(first));
    expect(again).toHaveLength(3);
  });

  it("runs for every workspace from the metric-snapshots job", async () => {
    const a = await workspaceIn("UTC");
    const b = await workspaceIn("Asia/Tokyo");
    await enqueue(queues.metricSnapshots, {});
    const { ran, failed } = await runDueJobs();
    expect({ ran, failed }).toEqual({ ran: 1, failed: 0 });
    expect(await db().metricSnapshot.count({ where: { workspaceId: a.id } })).toBe(3);
    expect(await db().metricSnapshot.count({ where: { workspaceId: b.id } })).toBe(3);
  });
});
