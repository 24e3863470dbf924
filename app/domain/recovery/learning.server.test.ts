import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import { makeRecovery, makeWorkspace } from "../../../tests/factories";
import { runDueJobs } from "../../../tests/helpers/jobs";
import { LEARNING_MIN_ATTEMPTS } from "./learning";
import { learnedRatesFor, learningSummary, refreshWorkspaceLearning } from "./learning.server";

const NOW = new Date("2026-06-30T12:00:00Z");
beforeEach(() => testClock.set(NOW));
afterEach(() => testClock.reset());

let seq = 0;
type Attempt = { at: string; source?: string; status: string; declineCode?: string | null };

/** Charge attempts on a recovery, written as the engine writes them. */
async function attempts(workspaceId: string, recoveryId: string, list: Attempt[]) {
  await db().chargeAttempt.createMany({
    data: list.map((a, i) => ({
      workspaceId,
      recoveryId,
      attemptNumber: i + 1,
      source: a.source ?? "recoup",
      idempotencyKey: `learn-${++seq}`,
      status: a.status,
      declineCode: a.declineCode ?? null,
      amountMinor: 1000,
      currency: "usd",
      attemptedAt: new Date(a.at),
    })),
  });
}

describe("refreshWorkspaceLearning", () => {
  it("counts the workspace's decided live Recoup retries of 180 days, in the customer's time zone, by the code they followed", async () => {
    const { workspace } = await makeWorkspace();
    await db().workspace.update({ where: { id: workspace.id }, data: { timezone: "America/New_York" } });
    const tokyo = await db().customer.create({ data: { workspaceId: workspace.id, externalId: "cus_tokyo", timezone: "Asia/Tokyo" } });
    const recovery = await makeRecovery(workspace.id, { customerId: tokyo.id, declineCode: "expired_card" });
    await attempts(workspace.id, recovery.id, [
      { at: "2026-06-01T00:00:00Z", source: "platform", status: "failed", declineCode: "insufficient_funds" },
      // 09:00 in Tokyo, after insufficient_funds.
      { at: "2026-06-02T00:00:00Z", status: "failed", declineCode: "Do_Not_Honor" },
      // 09:00 in Tokyo, after do_not_honor (our own failed retry).
      { at: "2026-06-03T00:00:00Z", status: "succeeded" },
      { at: "2026-06-04T00:00:00Z", status: "pending" },
      { at: "2026-06-04T01:00:00Z", status: "error" },
      { at: "2025-12-01T00:00:00Z", status: "succeeded" }, // older than 180 days
    ]);
    // No customer: the workspace's zone (14:00 UTC = 10:00 in New York); the recovery's code.
    const orphan = await makeRecovery(workspace.id, { declineCode: "card_velocity_exceeded" });
    await attempts(workspace.id, orphan.id, [{ at: "2026-06-10T14:00:00Z", status: "failed" }]);
    // Test mode and other workspaces are not counted.
    const test = await makeRecovery(workspace.id, { livemode: false });
    await attempts(workspace.id, test.id, [{ at: "2026-06-10T14:00:00Z", status: "succeeded" }]);
    const other = await makeWorkspace();
    await attempts(other.workspace.id, (await makeRecovery(other.workspace.id)).id, [{ at: "2026-06-10T14:00:00Z", status: "succeeded" }]);

    expect(await refreshWorkspaceLearning({ workspaceId: workspace.id })).toEqual({ attempts: 3 });
    const stored = await db().workspaceLearning.findUniqueOrThrow({ where: { workspaceId: workspace.id } });
    expect(stored).toMatchObject({ attempts: 3, computedAt: NOW });
    expect(stored.rates).toMatchObject({
      attempts: 3,
      from: "2026-06-02T00:00:00.000Z",
      to: "2026-06-10T14:00:00.000Z",
      overall: { attempts: 3, successes: 1 },
      byDeclineCode: {
        insufficient_funds: { attempts: 1, successes: 0 },
        do_not_honor: { attempts: 1, successes: 1 },
        card_velocity_exceeded: { attempts: 1, successes: 0 },
      },
    });
    const rates = stored.rates as { byLocalHour: Array<{ attempts: number }> };
    expect(rates.byLocalHour[9]).toEqual({ attempts: 2, successes: 1 });
    expect(rates.byLocalHour[10]).toEqual({ attempts: 1, successes: 0 });

    // Too little to use: the policy keeps its prior, the page says how many more.
    expect(await learnedRatesFor(workspace.id)).toBeNull();
    expect(await learningSummary(workspace.id)).toEqual({
      attempts: 3,
      needed: LEARNING_MIN_ATTEMPTS - 3,
      computedAt: NOW,
      bestHours: [],
      bestWeekdays: [],
      bestDaysOfMonth: [],
    });
  });

  it("once there is enough, the engine reads it and the page names the best hours and days", async () => {
    const { workspace } = await makeWorkspace();
    const recovery = await makeRecovery(workspace.id, { declineCode: "insufficient_funds" });
    // 300 retries on Fridays the 5th at 10:00 UTC (half succeed) and 300 on Mondays the 1st at 03:00 (one in ten).
    await attempts(workspace.id, recovery.id, [
      ...Array.from({ length: 300 }, (_, i) => ({ at: "2026-06-05T10:00:00Z", status: i % 2 === 0 ? "succeeded" : "failed" })),
      ...Array.from({ length: 300 }, (_, i) => ({ at: "2026-06-01T03:00:00Z", status: i % 10 === 0 ? "succeeded" : "failed" })),
    ]);
    await refreshWorkspaceLearning({ workspaceId: workspace.id });
    const learned = await learnedRatesFor(workspace.id);
    expect(learned).toMatchObject({ attempts: 600, overall: { attempts: 600, successes: 180 } });
    expect(learned!.from).toEqual(new Date("2026-06-01T03:00:00Z"));
    expect(await learningSummary(workspace.id)).toMatchObject({ attempts: 600, needed: 0, bestHours: [10], bestWeekdays: [4], bestDaysOfMonth: [5] });
  });

  it("no workspace or no retry: stored as nothing learned", async () => {
    const { workspace } = await makeWorkspace();
    expect(await refreshWorkspaceLearning({ workspaceId: "ws_missing" })).toEqual({ attempts: 0 });
    expect(await refreshWorkspaceLearning({ workspaceId: workspace.id })).toEqual({ attempts: 0 });
    expect(await db().workspaceLearning.findUniqueOrThrow({ where: { workspaceId: workspace.id } })).toMatchObject({ attempts: 0, rates: null });
    expect(await learningSummary(workspace.id)).toMatchObject({ attempts: 0, needed: LEARNING_MIN_ATTEMPTS, bestHours: [] });
  });
});

describe("the workspace-learning job", () => {
  it("nightly, sends one refresh per active workspace, once a day", async () => {
    const { workspace } = await makeWorkspace();
    await enqueue(queues.workspaceLearning, {});
    await enqueue(queues.workspaceLearning, {});
    await runDueJobs();
    expect(await db().workspaceLearning.findUnique({ where: { workspaceId: workspace.id } })).toMatchObject({ attempts: 0, computedAt: NOW });
    const sent = await db().$queryRaw<Array<{ n: bigint }>>`SELECT count(*) AS n FROM pgboss.job WHERE name = 'workspace-learning' AND data->>'workspaceId' = ${workspace.id}`;
    expect(Number(sent[0]!.n)).toBe(1);
    const computed = await db().workspaceLearning.count();
    expect(computed).toBe(await db().workspace.count({ where: { isActive: true, isDemo: false } }));
  });
});
