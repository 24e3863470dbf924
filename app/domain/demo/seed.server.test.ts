import pg from "pg";
import { describe, expect, it } from "vitest";
import { getDashboardSummary } from "~/domain/analytics/summary.server";
import { redeemSignInToken } from "~/domain/auth/sessions.server";
import { findSession } from "~/domain/auth/sessions.server";
import { findDeclineCode } from "~/domain/recovery/decline-codes";
import { db } from "~/utils/db.server";
import { buildDemoData, DEMO_OWNER_EMAIL, DEMO_WORKSPACE_NAME, seedDemoOnFirstBoot } from "./seed.server";

async function jobCount(): Promise<number> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    return Number((await client.query("SELECT count(*) AS n FROM pgboss.job")).rows[0].n);
  } finally {
    await client.end();
  }
}

describe("seedDemoOnFirstBoot", () => {
  it("does nothing when disabled", async () => {
    expect(await seedDemoOnFirstBoot({ enabled: false, appUrl: "http://localhost:3000" })).toBeNull();
    expect(await db().workspace.count()).toBe(0);
  });

  it("seeds one labelled demo workspace with realistic data, once, and returns a working sign-in link", async () => {
    const link = await seedDemoOnFirstBoot({ enabled: true, appUrl: "http://localhost:3000" });
    expect(link).toMatch(/^http:\/\/localhost:3000\/auth\/magic\/\S+$/);

    const workspace = await db().workspace.findFirstOrThrow({ include: { owner: true } });
    expect(workspace).toMatchObject({ name: DEMO_WORKSPACE_NAME, isDemo: true });
    expect(workspace.owner.email).toBe(DEMO_OWNER_EMAIL);

    const recoveries = await db().recoveryAttempt.findMany({ where: { workspaceId: workspace.id } });
    expect(recoveries).toHaveLength(300);
    const byStatus = Object.fromEntries(["recovered", "pending", "failed", "abandoned"].map((s) => [s, recoveries.filter((r) => r.status === s).length]));
    expect(byStatus).toEqual({ recovered: 165, pending: 75, failed: 36, abandoned: 24 });
    expect(recoveries.every((r) => r.stripeAccountId === null)).toBe(true);
    expect(recoveries.every((r) => r.amountDueCents >= 900 && r.amountDueCents <= 29900)).toBe(true);
    expect(new Set(recoveries.map((r) => r.currency))).toEqual(new Set(["usd", "eur"]));
    expect(new Set(recoveries.map((r) => r.declineCode ?? r.errorCode)).size).toBeGreaterThanOrEqual(6);
    for (const r of recoveries) {
      const entry = findDeclineCode("stripe", r.declineCode ?? r.errorCode);
      expect(r.declineType).toBe(entry && (entry.category === "hard_customer" || entry.category === "terminal") ? "hard" : "soft");
      expect(r.startedAt.getTime()).toBeGreaterThan(Date.now() - 85 * 86400_000);
      if (r.status === "recovered") expect(r.recoveredAmountCents).toBe(r.amountDueCents);
      if (r.status === "pending") expect(r.endedAt).toBeNull();
      else expect(r.endedAt!.getTime()).toBeGreaterThanOrEqual(r.startedAt.getTime());
    }

    const outcomes = await db().recoveryOutcome.findMany({ where: { workspaceId: workspace.id }, include: { recovery: true } });
    expect(outcomes).toHaveLength(225);
    expect(outcomes.every((o) => o.outcome === o.recovery.status)).toBe(true);
    const retries = await db().retryAttempt.findMany({ where: { workspaceId: workspace.id } });
    expect(new Set(retries.map((r) => r.source))).toEqual(new Set(["recoup", "platform", "customer"]));
    const succeeded = new Set(retries.filter((r) => r.status === "succeeded").map((r) => r.recoveryAttemptId));
    expect(succeeded).toEqual(new Set(recoveries.filter((r) => r.status === "recovered").map((r) => r.id)));
    const messages = await db().dunningMessage.findMany({ where: { workspaceId: workspace.id } });
    expect(new Set(messages.map((m) => m.status))).toEqual(new Set(["sent", "opened", "clicked", "converted"]));
    expect(messages.every((m) => m.toEmail?.endsWith("@example.com"))).toBe(true);
    expect(await db().subscriptionAtRisk.count({ where: { workspaceId: workspace.id, reason: "card_expiring", resolvedAt: null } })).toBeGreaterThan(5);
    expect(await db().metricSnapshot.count({ where: { workspaceId: workspace.id } })).toBeGreaterThanOrEqual(84);
    expect(await jobCount()).toBe(0);

    const summary = await getDashboardSummary({ workspaceId: workspace.id, window: "lifetime" });
    expect(summary.failedRevenueCents).toBe(recoveries.filter((r) => r.currency === "usd").reduce((s, r) => s + r.amountDueCents, 0));

    const session = await redeemSignInToken(link!.split("/auth/magic/")[1]!);
    expect(session).toMatchObject({ workspaceId: workspace.id, userId: workspace.ownerUserId });
    expect(await findSession(session!.token)).not.toBeNull();
    expect(await redeemSignInToken(link!.split("/auth/magic/")[1]!)).toBeNull();

    expect(await seedDemoOnFirstBoot({ enabled: true, appUrl: "http://localhost:3000" })).toBeNull();
    expect(await db().workspace.count()).toBe(1);
    expect(await db().recoveryAttempt.count()).toBe(300);
  });

  it("is deterministic for the same workspace, clock and seed", () => {
    const now = new Date("2025-05-01T12:00:00Z");
    const a = buildDemoData({ workspaceId: "ws_1", now });
    expect(buildDemoData({ workspaceId: "ws_1", now })).toEqual(a);
    expect(buildDemoData({ workspaceId: "ws_1", now, seed: 7 })).not.toEqual(a);
  });
});
