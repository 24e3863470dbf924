import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../tests/factories";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { db, disconnectDb } from "~/utils/db.server";
import * as route from "./api.health";

type Health = { timestamp: string; env: Record<string, boolean>; db: { status: string; latency: number }; stats?: { totalPayments: number; recovered: number } };

describe("GET /api/health", () => {
  it("reports env flags and the database latency, without stats for an anonymous caller", async () => {
    const res = await callRoute(route, "/api/health");
    expect(res.status).toBe(200);
    const body = await jsonOf<Health>(res);
    expect(Object.keys(body).sort()).toEqual(["db", "env", "timestamp"]);
    expect(Object.keys(body.env).sort()).toEqual(["hasDatabaseUrl", "hasRedisUrl", "hasSmtpUrl", "hasStripeKey", "hasWebhookSecret"]);
    expect(body.env).toMatchObject({ hasRedisUrl: false, hasDatabaseUrl: true });
    expect(body.db.status).toBe("connected");
    expect(typeof body.db.latency).toBe("number");
    expect(body.db.latency).toBeGreaterThanOrEqual(0);
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);
    const bad = await jsonOf<Health>(await callRoute(route, "/api/health", { token: "rk_live_nonsense" }));
    expect(bad).not.toHaveProperty("stats");
  });

  it("counts only the caller's workspace when authenticated", async () => {
    const a = await makeWorkspace();
    const b = await makeWorkspace();
    const row = (workspaceId: string, i: number, status: "pending" | "recovered") => ({
      workspaceId, externalId: `in_${i}`, externalCustomerId: "cus", declineType: "soft" as const, amountDueMinor: 100, currency: "usd", startedAt: new Date(), lastFailureAt: new Date(), status,
    });
    await db().recovery.createMany({ data: [row(a.workspace.id, 1, "recovered"), row(a.workspace.id, 2, "pending"), row(b.workspace.id, 3, "recovered")] });
    const body = await jsonOf<Health>(await callRoute(route, "/api/health", { token: a.apiKey }));
    expect(body.stats).toEqual({ totalPayments: 2, recovered: 1 });
  });

  it("answers 503 with db.status error when the database is unreachable", async () => {
    const url = process.env.DATABASE_URL!;
    await disconnectDb();
    const broken = new URL(url);
    broken.port = "1";
    process.env.DATABASE_URL = broken.toString();
    try {
      const res = await callRoute(route, "/api/health", { token: "rk_live_whatever" });
      expect(res.status).toBe(503);
      const body = await jsonOf<Health>(res);
      expect(body.db.status).toBe("error");
      expect(body).not.toHaveProperty("stats");
    } finally {
      await disconnectDb();
      process.env.DATABASE_URL = url;
    }
  });
});
