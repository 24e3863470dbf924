import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import * as rotateRoute from "~/routes/api.v1.api-keys.$id.rotate";
import * as apiKeysRoute from "~/routes/api.v1.api-keys";
import * as statusRoute from "~/routes/api.v1.status";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { v1Caller } from "../helpers/openapi";

let v1: Awaited<ReturnType<typeof v1Caller>>;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
const KEYS = "/api/v1/api-keys";
const LIMIT_VARS = ["API_RATE_LIMIT_READ_PER_MINUTE", "API_RATE_LIMIT_WRITE_PER_MINUTE", "API_RATE_LIMIT_PER_HOUR"] as const;

function limits(read: number, write: number, hour: number) {
  [read, write, hour].forEach((value, i) => (process.env[LIMIT_VARS[i]!] = String(value)));
}
async function adminKey() {
  return (await createApiKey({ workspaceId: ws.workspace.id, scopes: ["admin"], name: "limits" })).key;
}

beforeAll(async () => {
  v1 = await v1Caller({ "/api/v1/status": statusRoute, "/api/v1/api-keys": apiKeysRoute, "/api/v1/api-keys/{id}/rotate": rotateRoute });
  ws = await makeWorkspace();
});
afterEach(() => {
  for (const name of LIMIT_VARS) delete process.env[name];
});

describe("rate limits", () => {
  it("allows the write limit per minute, then 429 with Retry-After; reads have their own budget", async () => {
    limits(5, 3, 100);
    const key = await adminKey();
    const remaining: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await v1.call("POST", KEYS, KEYS, { token: key, body: { name: `w${i}`, scopes: ["read"] }, expect: 201 });
      expect(res.headers.get("x-ratelimit-limit")).toBe("3");
      remaining.push(res.headers.get("x-ratelimit-remaining")!);
    }
    expect(remaining).toEqual(["2", "1", "0"]);

    const refused = await v1.call("POST", KEYS, KEYS, { token: key, body: { name: "w3", scopes: ["read"] }, expect: 429 });
    expect(refused.error).toMatchObject({ code: "RATE_LIMITED", type: "rate_limited", limit: 3 });
    const retryAfter = Number(refused.headers.get("retry-after"));
    expect(refused.error.retry_after).toBe(retryAfter);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get("x-ratelimit-remaining")).toBe("0");
    const reset = Number(refused.headers.get("x-ratelimit-reset"));
    expect(reset).toBeGreaterThan(Date.now() / 1000);
    expect(reset).toBeLessThanOrEqual(Date.now() / 1000 + 61);
    expect(await db().apiKey.count({ where: { workspaceId: ws.workspace.id, name: "w3" } })).toBe(0);

    const read = await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: key, expect: 200 });
    expect(read.headers.get("x-ratelimit-limit")).toBe("5");
    expect(read.headers.get("x-ratelimit-remaining")).toBe("4");
    // Another key of the same workspace has its own budget.
    await v1.call("POST", KEYS, KEYS, { token: await adminKey(), body: { name: "other", scopes: ["read"] }, expect: 201 });
  });

  it("reports the tightest window: the hourly one when it has fewer requests left", async () => {
    limits(100, 100, 3);
    const key = await adminKey();
    const first = await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: key, expect: 200 });
    expect([first.headers.get("x-ratelimit-limit"), first.headers.get("x-ratelimit-remaining")]).toEqual(["3", "2"]);
    expect(Number(first.headers.get("x-ratelimit-reset"))).toBeGreaterThan(Date.now() / 1000 + 3500);
    await v1.call("POST", KEYS, KEYS, { token: key, body: { name: "h", scopes: ["read"] }, expect: 201 });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: key, expect: 200 });
    const over = await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: key, expect: 429 });
    expect(Number(over.headers.get("retry-after"))).toBeGreaterThan(3500);
  });

  it("counts failed sign-ins against the caller's address", async () => {
    limits(2, 2, 100);
    const from = { "x-forwarded-for": "203.0.113.9" };
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: "rk_live_guess1", headers: from, expect: 401 });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: "rk_live_guess2", headers: from, expect: 401 });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: "rk_live_guess3", headers: from, expect: 429 });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: "rk_live_guess4", headers: { "x-forwarded-for": "203.0.113.10" }, expect: 401 });
  });
});

describe("Idempotency-Key", () => {
  it("replays the first response for the same request, once, and refuses the key on another request", async () => {
    const key = await adminKey();
    const headers = { "idempotency-key": "create-billing-sync-1" };
    const first = await v1.call("POST", KEYS, KEYS, { token: key, headers, body: { name: "Idem", scopes: ["read"] }, expect: 201 });
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const again = await v1.call("POST", KEYS, KEYS, { token: key, headers, body: '{ "name": "Idem",  "scopes": ["read"] }', expect: 201 });
    expect(again.headers.get("idempotent-replayed")).toBe("true");
    expect(again.body).toEqual(first.body);
    expect(again.body.meta?.merchant_id).toBe(ws.workspace.id);
    expect(await db().apiKey.count({ where: { workspaceId: ws.workspace.id, name: "Idem" } })).toBe(1);

    const reused = await v1.call("POST", KEYS, KEYS, { token: key, headers, body: { name: "Idem 2", scopes: ["read"] }, expect: 409 });
    expect(reused.error).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", type: "idempotency_key_reused" });
    expect(await db().apiKey.count({ where: { workspaceId: ws.workspace.id, name: "Idem 2" } })).toBe(0);

    // Keys belong to a workspace: another workspace may use the same one.
    const elsewhere = await makeWorkspace();
    await v1.call("POST", KEYS, KEYS, { token: elsewhere.apiKey, headers, body: { name: "Idem", scopes: ["read"] }, expect: 201 });

    const bad = await v1.call("POST", KEYS, KEYS, { token: key, headers: { "idempotency-key": "x".repeat(256) }, body: { name: "y", scopes: ["read"] }, expect: 400 });
    expect(bad.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
  });

  it("runs concurrent requests with one key once: the others replay or are told it is in use", async () => {
    const key = await adminKey();
    const headers = { "idempotency-key": "concurrent-1" };
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => v1.call("POST", KEYS, KEYS, { token: key, headers, body: { name: "Once", scopes: ["read"] } })),
    );
    expect(await db().apiKey.count({ where: { workspaceId: ws.workspace.id, name: "Once" } })).toBe(1);
    const created = answers.filter((a) => a.status === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    expect(new Set(created.map((a) => a.data.id)).size).toBe(1);
    for (const a of answers.filter((x) => x.status !== 201)) {
      expect(a.status).toBe(409);
      expect(a.error).toMatchObject({ code: "IDEMPOTENCY_KEY_IN_USE", type: "idempotency_key_in_use" });
    }
  });

  it("stores a 4xx from the handler, but not a 5xx, so a retry after a server error runs again", async () => {
    const key = await adminKey();
    const path = "/api/v1/api-keys/{id}/rotate";
    const headers = { "idempotency-key": "rotate-missing" };
    const missing = await v1.call("POST", path, `${KEYS}/nope/rotate`, { token: key, params: { id: "nope" }, headers, body: {}, expect: 404 });
    const replay = await v1.call("POST", path, `${KEYS}/nope/rotate`, { token: key, params: { id: "nope" }, headers, body: {}, expect: 404 });
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(missing.error).toMatchObject({ code: "NOT_FOUND", type: "api_key_not_found" });
    expect(replay.error.message).toBe(missing.error.message);
    expect(replay.error).toEqual(missing.error);

    let calls = 0;
    const flaky = routeOf(
      defineEndpoint({
        method: "POST",
        path: "/api/v1/test-flaky",
        scope: "write",
        summary: "Flaky (test only)",
        tags: ["Test"],
        body: z.object({ n: z.number() }),
        response: z.object({ calls: z.number() }),
        status: 201,
        handler: async () => {
          calls += 1;
          if (calls === 1) throw new Error("database went away");
          return { calls };
        },
      }),
    );
    const { callRoute } = await import("../helpers/http");
    const opts = { token: key, headers: { "idempotency-key": "flaky-1" }, body: { n: 1 } };
    process.env.LOG_LEVEL = "silent"; // the 500 is logged, as it should be; not in the test output
    const failed = await callRoute(flaky, "/api/v1/test-flaky", opts).finally(() => delete process.env.LOG_LEVEL);
    expect(failed.status).toBe(500);
    const failure = (await failed.json()) as { error: { code: string; type: string }; trace_id: string };
    expect(failure.error).toMatchObject({ code: "INTERNAL_ERROR", type: "internal_error" });
    expect(failure.trace_id).toBe(failed.headers.get("x-trace-id"));
    const retried = await callRoute(flaky, "/api/v1/test-flaky", opts);
    expect(retried.status).toBe(201);
    const retriedBody = (await retried.json()) as { data: unknown; meta: { merchant_id: string | null; timestamp: string } };
    expect(retriedBody.data).toEqual({ calls: 2 });
    expect(retriedBody.meta.merchant_id).toBe(ws.workspace.id);
    const replayed = await callRoute(flaky, "/api/v1/test-flaky", opts);
    expect(replayed.headers.get("idempotent-replayed")).toBe("true");
    expect(calls).toBe(2);
  });

  it("forgets keys after 24 hours, and frees a key whose request died holding it", async () => {
    const key = await adminKey();
    const headers = { "idempotency-key": "old-key" };
    await v1.call("POST", KEYS, KEYS, { token: key, headers, body: { name: "Day 1", scopes: ["read"] }, expect: 201 });
    await db().apiIdempotencyKey.updateMany({ where: { key: "old-key" }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await v1.call("POST", KEYS, KEYS, { token: key, headers, body: { name: "Day 2", scopes: ["read"] }, expect: 201 });

    await db().apiIdempotencyKey.create({
      data: { workspaceId: ws.workspace.id, key: "crashed", fingerprint: "x", state: "in_progress", lockedAt: new Date(Date.now() - 10 * 60_000), expiresAt: new Date(Date.now() + 3_600_000) },
    });
    await db().apiIdempotencyKey.updateMany({ where: { key: "crashed" }, data: { fingerprint: (await db().apiIdempotencyKey.findFirstOrThrow({ where: { key: "old-key" } })).fingerprint } });
    const recovered = await v1.call("POST", KEYS, KEYS, { token: key, headers: { "idempotency-key": "crashed" }, body: { name: "Day 2", scopes: ["read"] } });
    expect(recovered.status).toBe(201);
  });
});
