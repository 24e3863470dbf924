// Rate limits outside /api/v1, each as its document says (ADR 0068): Revive's paths allow 100
// requests a minute and 5,000 an hour per key, say so in X-RateLimit-* on every answer, and refuse
// with Revive's 429 body; DunningDog documents 429 on its paths without numbers: they get
// /api/v1's budget, counted apart. (/api/v1's own limits: api-v1-limits.test.ts.)
import { afterEach, describe, expect, it } from "vitest";
import * as summaryRoute from "~/routes/api.dashboard.summary";
import * as statsRoute from "~/routes/api.dashboard.stats";
import * as healthRoute from "~/routes/api.health";
import * as retryRoute from "~/routes/api.recovery.retry";
import * as statusRoute from "~/routes/api.recovery.status";
import * as v1StatusRoute from "~/routes/api.v1.status";
import { makeWorkspace } from "../factories";
import { callRoute, jsonOf } from "../helpers/http";

const VARS = ["REVIVE_RATE_LIMIT_PER_MINUTE", "REVIVE_RATE_LIMIT_PER_HOUR", "API_RATE_LIMIT_READ_PER_MINUTE"] as const;
afterEach(() => {
  for (const name of VARS) delete process.env[name];
});

const limitHeaders = (res: Response) => ({
  limit: res.headers.get("x-ratelimit-limit"),
  remaining: res.headers.get("x-ratelimit-remaining"),
  reset: Number(res.headers.get("x-ratelimit-reset")),
});

describe("Revive's paths", () => {
  it("count reads and writes together per key, say so on every answer, and refuse the next with Revive's 429 body", async () => {
    process.env.REVIVE_RATE_LIMIT_PER_MINUTE = "3";
    const { apiKey } = await makeWorkspace();
    const seen: Array<string | null> = [];
    // A 404 and a 400 count as much as a 200: every request is one.
    for (const res of [
      await callRoute(statusRoute, "/api/recovery/status?invoiceId=in_nope", { token: apiKey }),
      await callRoute(statusRoute, "/api/recovery/status", { token: apiKey }),
      await callRoute(retryRoute, "/api/recovery/retry", { method: "POST", token: apiKey, body: { invoiceId: "in_nope" } }),
    ]) {
      expect(res.status).toBeLessThan(500);
      const h = limitHeaders(res);
      expect(h.limit).toBe("3");
      expect(h.reset).toBeGreaterThan(Date.now() / 1000);
      seen.push(h.remaining);
    }
    expect(seen).toEqual(["2", "1", "0"]);

    const refused = await callRoute(statsRoute, "/api/dashboard/stats", { token: apiKey });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(await jsonOf(refused)).toMatchObject({
      error: { type: "rate_limit_error", message: `Too many requests. Please retry after ${retryAfter} seconds.`, retryAfter },
    });
    expect(limitHeaders(refused).remaining).toBe("0");

    // Another key has its own budget.
    const other = await makeWorkspace();
    expect((await callRoute(statsRoute, "/api/dashboard/stats", { token: other.apiKey })).status).toBe(200);
  });

  it("report the hourly window when it has fewer requests left, and count /api/health by the caller's address", async () => {
    process.env.REVIVE_RATE_LIMIT_PER_HOUR = "2";
    const { apiKey } = await makeWorkspace();
    const first = await callRoute(statsRoute, "/api/dashboard/stats", { token: apiKey });
    expect(limitHeaders(first)).toMatchObject({ limit: "2", remaining: "1" });
    expect(limitHeaders(first).reset).toBeGreaterThan(Date.now() / 1000 + 60);

    const health = await callRoute(healthRoute, "/api/health", { headers: { "x-forwarded-for": "203.0.113.9" } });
    expect(health.status).toBe(200);
    expect(limitHeaders(health)).toMatchObject({ limit: "2", remaining: "1" });
  });

  it("refuse a missing key with Revive's authentication_error, counted against the caller's address", async () => {
    const res = await callRoute(statusRoute, "/api/recovery/status?invoiceId=in_1", { headers: { "x-forwarded-for": "203.0.113.10" } });
    expect(res.status).toBe(401);
    expect(await jsonOf(res)).toMatchObject({ error: { type: "authentication_error", code: "unauthorized", message: expect.any(String) } });
    expect(limitHeaders(res)).toMatchObject({ limit: "100", remaining: "99" });
  });
});

describe("DunningDog's paths", () => {
  it("are limited too, with DunningDog's problem+json 429, on a budget apart from /api/v1's", async () => {
    process.env.API_RATE_LIMIT_READ_PER_MINUTE = "2";
    const { workspace, apiKey } = await makeWorkspace();
    const url = `/api/dashboard/summary?workspaceId=${workspace.id}`;
    for (const remaining of ["1", "0"]) {
      const res = await callRoute(summaryRoute, url, { token: apiKey });
      expect(res.status).toBe(200);
      expect(limitHeaders(res)).toMatchObject({ limit: "2", remaining });
    }
    const refused = await callRoute(summaryRoute, url, { token: apiKey });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await jsonOf(refused)).toMatchObject({ status: 429, code: "rate_limited", meta: { retry_after: expect.any(Number) } });

    // The same key on /api/v1 still has its own two reads.
    expect((await callRoute(v1StatusRoute, "/api/v1/status", { token: apiKey })).status).toBe(200);
  });
});
