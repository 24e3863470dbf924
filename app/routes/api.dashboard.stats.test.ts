import { describe, expect, it } from "vitest";
import { makeWorkspace } from "../../tests/factories";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import * as route from "./api.dashboard.stats";

describe("GET /api/dashboard/stats", () => {
  it("is 401 without credentials", async () => {
    const res = await callRoute(route, "/api/dashboard/stats");
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(await jsonOf(res)).toMatchObject({ error: { type: "authentication_error", code: "unauthorized", message: expect.any(String) } });
    // Revive: every answer carries the rate limit, a refusal included.
    expect(res.headers.get("x-ratelimit-limit")).toBe("100");
  });

  it("answers Revive's shape for the caller's workspace", async () => {
    const { apiKey } = await makeWorkspace();
    const res = await callRoute(route, "/api/dashboard/stats?accountId=acct_123", { token: apiKey });
    expect(res.status).toBe(200);
    const body = await jsonOf<{ stats: Record<string, unknown>; dailyTrend: Array<Record<string, unknown>>; dbHealth: unknown }>(res);
    expect(Object.keys(body).sort()).toEqual(["dailyTrend", "dbHealth", "stats"]);
    expect(Object.keys(body.stats).sort()).toEqual(
      ["totalRecovered", "recoveryRate", "activeRetries", "dunningCount", "failedThisMonth", "recoveredThisMonth", "mrrSaved", "churnPrevented", "currency"].sort(),
    );
    expect(body.dailyTrend).toHaveLength(30);
    expect(Object.keys(body.dailyTrend[0]!).sort()).toEqual(["amount", "date", "failed", "recovered"]);
    expect(body.dbHealth).toEqual({ status: "connected" });
  });
});
