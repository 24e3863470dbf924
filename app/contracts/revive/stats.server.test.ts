import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../../tests/factories";
import { db } from "~/utils/db.server";
import { paymentCounts, pingDatabase } from "~/domain/analytics/stats.server";
import { getDashboardStats, toMajorUnits } from "./stats.server";

let seq = 0;
type Over = {
  startedAt: Date;
  amountDueMinor?: number;
  status?: "pending" | "recovered" | "failed" | "abandoned";
  endedAt?: Date;
  recoveredAmountMinor?: number;
  currency?: string;
  nextActionKind?: string;
  externalAccountId?: string;
};
function recovery(workspaceId: string, over: Over) {
  seq += 1;
  return db().recovery.create({
    data: {
      workspaceId,
      externalId: `in_${seq}`,
      externalCustomerId: "cus_1",
      declineType: "soft",
      currency: "usd",
      amountDueMinor: 1000,
      lastFailureAt: over.startedAt,
      ...over,
    },
  });
}

describe("getDashboardStats", () => {
  const now = new Date("2025-06-15T12:00:00Z");

  it("answers Revive's shape with this month's and lifetime figures", async () => {
    const { workspace } = await makeWorkspace();
    const ws = workspace.id;
    const won = (startedAt: string, endedAt: string, cents: number, extra: Partial<Over> = {}) =>
      recovery(ws, { startedAt: new Date(startedAt), status: "recovered", endedAt: new Date(endedAt), recoveredAmountMinor: cents, ...extra });
    await won("2025-04-01T00:00:00Z", "2025-04-05T00:00:00Z", 10000); // lifetime only
    await won("2025-05-30T00:00:00Z", "2025-06-02T00:00:00Z", 4900); // recovered this month, but failed last month: last month's cohort
    await won("2025-06-10T00:00:00Z", "2025-06-15T09:00:00Z", 2500, { externalAccountId: "acct_a" });
    await won("2025-06-10T00:00:00Z", "2025-06-11T00:00:00Z", 7000, { currency: "eur" }); // counted, but not in usd money
    await recovery(ws, { startedAt: new Date("2025-06-12T00:00:00Z"), status: "failed", endedAt: new Date("2025-06-14T00:00:00Z") });
    await recovery(ws, { startedAt: new Date("2025-06-14T00:00:00Z"), nextActionKind: "retry", externalAccountId: "acct_a" });
    await recovery(ws, { startedAt: new Date("2025-06-14T00:00:00Z"), nextActionKind: "email" });
    const other = await makeWorkspace();
    await recovery(other.workspace.id, { startedAt: new Date("2025-06-14T00:00:00Z"), nextActionKind: "retry" });
    const r = await db().recovery.findFirstOrThrow({ where: { workspaceId: ws, status: "failed" } });
    await db().dunningMessage.createMany({
      data: [
        { workspaceId: ws, recoveryId: r.id, kind: "sequence", dedupeKey: "a", subject: "s", bodyText: "b", bodyHtml: "b", status: "sent", scheduledFor: now, sentAt: new Date("2025-06-13T00:00:00Z"), trackingId: "st1" },
        { workspaceId: ws, recoveryId: r.id, kind: "sequence", dedupeKey: "b", subject: "s", bodyText: "b", bodyHtml: "b", status: "sent", scheduledFor: now, sentAt: new Date("2025-05-13T00:00:00Z"), trackingId: "st2" },
      ],
    });

    const result = await getDashboardStats({ workspaceId: ws, now });
    expect(Object.keys(result).sort()).toEqual(["dailyTrend", "dbHealth", "stats"]);
    expect(result.stats).toEqual({
      totalRecovered: 174,
      recoveryRate: 80, // 4 recovered of 5 closed
      activeRetries: 1,
      dunningCount: 1,
      // One cohort: the 5 payments that failed this month; 2 of them came back (25.00 in usd).
      failedThisMonth: 5,
      recoveredThisMonth: 2,
      mrrSaved: 25,
      churnPrevented: 66.7, // 2 of the 3 of them already closed
      currency: "usd",
    });
    expect(result.dbHealth).toEqual({ status: "connected" });
    expect(result.dailyTrend).toHaveLength(30);
    expect(result.dailyTrend[0]!.date).toBe("2025-05-17");
    // Per day of failure: the 10th's two failures both came back since (25.00 of it in usd).
    expect(result.dailyTrend[29]).toEqual({ date: "2025-06-15", recovered: 0, failed: 0, amount: 0 });
    expect(result.dailyTrend.find((d) => d.date === "2025-06-10")).toEqual({ date: "2025-06-10", recovered: 2, failed: 2, amount: 25 });
    expect(result.dailyTrend.find((d) => d.date === "2025-06-14")).toEqual({ date: "2025-06-14", recovered: 0, failed: 2, amount: 0 });
    expect(result.dailyTrend.find((d) => d.date === "2025-06-11")).toEqual({ date: "2025-06-11", recovered: 0, failed: 0, amount: 0 });

    const filtered = await getDashboardStats({ workspaceId: ws, accountId: "acct_a", now });
    expect(filtered.stats).toMatchObject({ totalRecovered: 25, activeRetries: 1, failedThisMonth: 2, recoveredThisMonth: 1, dunningCount: 0 });
  });

  it("converts minor units by the currency's exponent", () => {
    expect(toMajorUnits(4900, "usd")).toBe(49);
    expect(toMajorUnits(4900, "JPY")).toBe(4900);
    expect(toMajorUnits(4900, "kwd")).toBe(4.9);
  });

  it("pings the database and counts a workspace's payments", async () => {
    const { workspace } = await makeWorkspace();
    await recovery(workspace.id, { startedAt: now, status: "recovered", endedAt: now, recoveredAmountMinor: 1 });
    await recovery(workspace.id, { startedAt: now });
    expect(await paymentCounts(workspace.id)).toEqual({ totalPayments: 2, recovered: 1 });
    const ping = await pingDatabase();
    expect(ping.status).toBe("connected");
    expect(ping.latency).toEqual(expect.any(Number));
  });
});
