import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { getOverview } from "./overview.server";

const NOW = new Date("2026-11-20T15:00:00Z");
const DAY = 86_400_000;
let n = 0;

async function recovery(workspaceId: string, data: { status?: "pending" | "recovered" | "failed"; amount: number; currency?: string; startedAt: Date; endedAt?: Date; nextActionKind?: string }) {
  n += 1;
  return db().recovery.create({
    data: {
      workspaceId,
      provider: "stripe",
      externalId: `in_overview_${n}`,
      externalCustomerId: `cus_overview_${n}`,
      declineType: "soft",
      amountDueMinor: data.amount,
      currency: data.currency ?? "usd",
      status: data.status ?? "pending",
      startedAt: data.startedAt,
      lastFailureAt: data.startedAt,
      endedAt: data.endedAt ?? null,
      recoveredAmountMinor: data.status === "recovered" ? data.amount : null,
      nextActionKind: data.nextActionKind ?? null,
    },
  });
}

describe("the overview's numbers", () => {
  it("adds what is at stake and the retries under way to the summary, with 30 days of failed vs recovered", async () => {
    const { workspace } = await makeWorkspace();
    await recovery(workspace.id, { amount: 4900, startedAt: new Date(NOW.getTime() - 2 * DAY), nextActionKind: "retry" });
    await recovery(workspace.id, { amount: 1100, startedAt: new Date(NOW.getTime() - DAY), nextActionKind: "email" });
    await recovery(workspace.id, { amount: 9999, currency: "eur", startedAt: new Date(NOW.getTime() - DAY), nextActionKind: "retry" });
    await recovery(workspace.id, { status: "recovered", amount: 2500, startedAt: new Date(NOW.getTime() - 3 * DAY), endedAt: new Date(NOW.getTime() - DAY) });

    const overview = await getOverview({ workspaceId: workspace.id, window: "month", now: NOW });
    expect(overview.summary).toMatchObject({ window: "month", currency: "usd", recoveredRevenueMinor: 2500 });
    // Money in the reporting currency only; the euro recovery still counts as a retry under way.
    expect(overview).toMatchObject({ atRiskRevenueMinor: 6000, openRecoveries: 2, activeRetries: 2 });
    expect(overview.trend).toHaveLength(30);
    expect(overview.trend.at(-1)).toEqual({ date: "2026-11-20", failed: 0, recovered: 0 });
    // Each day is the payments that failed on it, and how many of those came back since.
    expect(overview.trend.at(-2)).toEqual({ date: "2026-11-19", failed: 2, recovered: 0 });
    expect(overview.trend.at(-4)).toEqual({ date: "2026-11-17", failed: 1, recovered: 1 });
  });

  it("is all zeros for a new workspace", async () => {
    const { workspace } = await makeWorkspace();
    const overview = await getOverview({ workspaceId: workspace.id, window: "month", now: NOW });
    expect(overview).toMatchObject({ atRiskRevenueMinor: 0, openRecoveries: 0, activeRetries: 0 });
    expect(overview.trend.every((d) => d.failed === 0 && d.recovered === 0)).toBe(true);
  });
});
