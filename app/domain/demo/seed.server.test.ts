import pg from "pg";
import { describe, expect, it } from "vitest";
import { getRevenueSummary } from "~/domain/analytics/summary.server";
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
    // The Alerts page starts with rules a merchant would keep: one in the bell, one morning digest.
    const rules = await db().alertRule.findMany({ where: { workspaceId: workspace.id }, orderBy: { name: "asc" } });
    expect(rules.map((r) => [r.eventType, r.channel, r.cadence])).toEqual([
      ["payment_failed", "in_app", "realtime"],
      ["payment_abandoned", "email", "daily_digest"],
    ]);

    const recoveries = await db().recovery.findMany({ where: { workspaceId: workspace.id } });
    expect(recoveries).toHaveLength(300);
    const byStatus = Object.fromEntries(["recovered", "pending", "failed", "abandoned"].map((s) => [s, recoveries.filter((r) => r.status === s).length]));
    for (const status of ["recovered", "pending", "failed", "abandoned"]) expect(byStatus[status]).toBeGreaterThan(10);
    expect(recoveries.every((r) => r.externalAccountId === null)).toBe(true);
    expect(recoveries.every((r) => r.amountDueMinor >= 900 && r.amountDueMinor <= 29900)).toBe(true);
    expect(new Set(recoveries.map((r) => r.currency))).toEqual(new Set(["usd", "eur"]));
    expect(new Set(recoveries.map((r) => r.declineCode ?? r.errorCode)).size).toBeGreaterThanOrEqual(6);
    for (const r of recoveries) {
      const entry = findDeclineCode("stripe", r.declineCode ?? r.errorCode);
      expect(r.declineType).toBe(entry && (entry.category === "hard_customer" || entry.category === "terminal") ? "hard" : "soft");
      expect(r.startedAt.getTime()).toBeGreaterThan(Date.now() - 85 * 86400_000);
      if (r.status === "recovered") expect(r.recoveredAmountMinor).toBe(r.amountDueMinor);
      if (r.status === "pending") expect(r.endedAt).toBeNull();
      else expect(r.endedAt!.getTime()).toBeGreaterThanOrEqual(r.startedAt.getTime());
    }

    const outcomes = await db().recoveryOutcome.findMany({ where: { workspaceId: workspace.id }, include: { recovery: true } });
    expect(outcomes).toHaveLength(300 - byStatus.pending!);
    expect(outcomes.every((o) => o.outcome === o.recovery.status)).toBe(true);
    const retries = await db().chargeAttempt.findMany({ where: { workspaceId: workspace.id } });
    expect(new Set(retries.map((r) => r.source))).toEqual(new Set(["recoup", "platform"]));
    const succeeded = new Set(retries.filter((r) => r.status === "succeeded").map((r) => r.recoveryId));
    expect(succeeded).toEqual(new Set(recoveries.filter((r) => r.status === "recovered").map((r) => r.id)));
    const messages = await db().dunningMessage.findMany({ where: { workspaceId: workspace.id } });
    expect(new Set(messages.map((m) => m.status))).toEqual(new Set(["sent", "opened", "clicked", "converted"]));
    expect(new Set(messages.map((m) => m.kind))).toEqual(new Set(["sequence", "card_update_request", "authentication_request"]));
    expect(messages.every((m) => m.toEmail?.endsWith("@example.com"))).toBe(true);
    expect(await db().subscriptionAtRisk.count({ where: { workspaceId: workspace.id, reason: "card_expiring", resolvedAt: null } })).toBeGreaterThan(5);
    expect(await db().metricSnapshot.count({ where: { workspaceId: workspace.id } })).toBeGreaterThanOrEqual(84);
    expect(await jobCount()).toBe(0);

    const summary = await getRevenueSummary({ workspaceId: workspace.id, window: "lifetime" });
    expect(summary.failedRevenueMinor).toBe(recoveries.filter((r) => r.currency === "usd").reduce((s, r) => s + r.amountDueMinor, 0));

    const session = await redeemSignInToken(link!.split("/auth/magic/")[1]!);
    expect(session).toMatchObject({ workspaceId: workspace.id, userId: workspace.ownerUserId });
    expect(await findSession(session!.token)).not.toBeNull();
    expect(await redeemSignInToken(link!.split("/auth/magic/")[1]!)).toBeNull();

    expect(await seedDemoOnFirstBoot({ enabled: true, appUrl: "http://localhost:3000" })).toBeNull();
    expect(await db().workspace.count()).toBe(1);
    expect(await db().recovery.count()).toBe(300);
  });

  it("is deterministic for the same workspace, clock and seed", () => {
    const now = new Date("2025-05-01T12:00:00Z");
    const a = buildDemoData({ workspaceId: "ws_1", now });
    expect(buildDemoData({ workspaceId: "ws_1", now })).toEqual(a);
    expect(buildDemoData({ workspaceId: "ws_1", now, seed: 7 })).not.toEqual(a);
  });

  it("looks like a real stretch of this engine's work: spread over time, retries spaced as the policy spaces them", () => {
    const now = new Date("2026-12-06T15:00:00Z");
    const data = buildDemoData({ workspaceId: "ws_story", now });
    const HOUR = 3600_000;

    // Every recovery opens with the platform's own charge (#1); Recoup's retries are numbered from 1.
    const byRecovery = new Map<string, typeof data.retries>();
    for (const a of data.retries) byRecovery.set(a.recoveryId, [...(byRecovery.get(a.recoveryId) ?? []), a]);
    let minGap = Infinity;
    for (const recovery of data.recoveries) {
      const attempts = (byRecovery.get(recovery.id!) ?? []).sort((a, b) => +new Date(a.attemptedAt!) - +new Date(b.attemptedAt!));
      expect(attempts[0]).toMatchObject({ source: "platform", attemptNumber: 1, status: "failed" });
      expect(+new Date(attempts[0]!.attemptedAt!)).toBe(+new Date(recovery.startedAt));
      expect(attempts.filter((a) => a.source === "recoup").map((a) => a.attemptNumber)).toEqual(
        attempts.filter((a) => a.source === "recoup").map((_, k) => k + 1),
      );
      for (let k = 1; k < attempts.length; k++) minGap = Math.min(minGap, +new Date(attempts[k]!.attemptedAt!) - +new Date(attempts[k - 1]!.attemptedAt!));
      expect(attempts.every((a) => +new Date(a.attemptedAt!) <= now.getTime())).toBe(true);
    }
    // Never declines seconds apart on one card: at least an hour (the policy's own minimum), in practice a day or more.
    expect(minGap).toBeGreaterThanOrEqual(HOUR);

    // Endings are spread out, not all at one minute (no spike in the chart).
    const endings = data.recoveries.filter((r) => r.endedAt).map((r) => Math.floor(+new Date(r.endedAt!) / 60_000));
    const perMinute = new Map<number, number>();
    for (const m of endings) perMinute.set(m, (perMinute.get(m) ?? 0) + 1);
    // (Retries due on the same payday morning end together, as they would for real: a handful, never a spike.)
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(Math.max(5, Math.ceil(endings.length * 0.05)));
    // Failures over the whole twelve weeks, every week.
    const weeks = new Set(data.recoveries.map((r) => Math.floor((now.getTime() - +new Date(r.startedAt)) / (7 * 24 * HOUR))));
    expect(weeks.size).toBeGreaterThanOrEqual(12);

    // No two emails to one customer about one payment within 20 hours.
    const mails = new Map<string, number[]>();
    for (const m of data.messages) mails.set(m.recoveryId, [...(mails.get(m.recoveryId) ?? []), +new Date(m.sentAt!)]);
    for (const times of mails.values()) {
      times.sort((a, b) => a - b);
      for (let k = 1; k < times.length; k++) expect(times[k]! - times[k - 1]!).toBeGreaterThanOrEqual(20 * HOUR);
    }

    // An open recovery says what the engine plans next, in the future.
    const open = data.recoveries.filter((r) => r.status === "pending");
    expect(open.length).toBeGreaterThan(0);
    expect(open.filter((r) => r.nextActionKind === "retry").every((r) => +new Date(r.nextActionAt!) > now.getTime() && r.nextActionReason)).toBe(true);
    expect(open.filter((r) => r.nextActionAt).every((r) => +new Date(r.nextActionAt!) > now.getTime())).toBe(true);
    expect(open.every((r) => r.nextActionReason)).toBe(true);
  });
});
