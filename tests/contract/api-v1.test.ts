import { readdirSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey, hasScope } from "~/domain/auth/api-keys.server";
import * as apiKeyRoute from "~/routes/api.v1.api-keys.$id";
import * as rotateRoute from "~/routes/api.v1.api-keys.$id.rotate";
import * as apiKeysRoute from "~/routes/api.v1.api-keys";
import * as statusRoute from "~/routes/api.v1.status";
import * as openapiRoute from "~/routes/api.v1.openapi[.]json";
import { sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { callRoute } from "../helpers/http";
import { apiV1Contract, useV1Caller } from "../helpers/openapi";
import { pathOfRouteFile } from "../helpers/route-inventory";

let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let other: Awaited<ReturnType<typeof makeWorkspace>>;

const v1 = useV1Caller({
  "/api/v1/status": statusRoute,
  "/api/v1/api-keys": apiKeysRoute,
  "/api/v1/api-keys/{id}": apiKeyRoute,
  "/api/v1/api-keys/{id}/rotate": rotateRoute,
});
beforeAll(async () => {
  ws = await makeWorkspace();
  other = await makeWorkspace();
});

const KEYS = "/api/v1/api-keys";

describe("GET /api/v1/status", () => {
  it("answers without a key, and confirms a valid key with its workspace", async () => {
    const anonymous = await v1.call("GET", "/api/v1/status", "/api/v1/status", { expect: 200 });
    expect(anonymous.data).toMatchObject({ status: "ok", authenticated: false, workspace_id: null, api_version: "2026-11-01" });
    expect(anonymous.body.meta?.merchant_id).toBeNull();
    expect(anonymous.headers.get("recoup-version")).toBe("2026-11-01");

    const bearer = await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: ws.apiKey, expect: 200 });
    expect(bearer.data).toMatchObject({ authenticated: true, workspace_id: ws.workspace.id, scopes: ["admin"] });
    expect(bearer.body.meta?.merchant_id).toBe(ws.workspace.id);
    const header = await v1.call("GET", "/api/v1/status", "/api/v1/status", { headers: { "x-api-key": ws.apiKey }, expect: 200 });
    expect(header.data.workspace_id).toBe(ws.workspace.id);
    expect(header.body.meta?.merchant_id).toBe(ws.workspace.id);
  });

  it("refuses a wrong key (401) and dashboard session tokens", async () => {
    const wrong = await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: "rk_live_nottherightkey", expect: 401 });
    expect(wrong.error).toMatchObject({ code: "UNAUTHORIZED", type: "unauthorized" });
    expect(wrong.headers.get("content-type")).toBe("application/json; charset=utf-8");
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: ws.sessionToken, expect: 401 });
  });

  it("negotiates Recoup-Version: a known one is echoed, an unknown one is 400 with the supported list", async () => {
    const known = await v1.call("GET", "/api/v1/status", "/api/v1/status", { headers: { "recoup-version": "2026-11-01" }, expect: 200 });
    expect(known.headers.get("recoup-version")).toBe("2026-11-01");
    const unknown = await v1.call("GET", "/api/v1/status", "/api/v1/status", { headers: { "recoup-version": "1999-01-01" }, expect: 400 });
    expect(unknown.error).toMatchObject({ code: "UNSUPPORTED_VERSION", type: "unsupported_version", supported_versions: ["2026-11-01"] });
  });
});

describe("API keys over the API", () => {
  it("creates a key: the raw key once, only its hash stored, usable at once", async () => {
    const created = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: { name: "Billing sync", scopes: ["read", "write:payments"] }, expect: 201 });
    const key = created.data.key as string;
    expect(key).toMatch(/^rk_live_[0-9A-Za-z]{32}$/);
    expect(created.data).toMatchObject({ name: "Billing sync", scopes: ["read", "write:payments"], status: "active", created_by: { type: "api_key" } });
    expect(created.body.meta?.merchant_id).toBe(ws.workspace.id);
    const row = await db().apiKey.findUniqueOrThrow({ where: { id: created.data.id as string } });
    expect(row.hashedKey).toBe(sha256(key));
    expect(JSON.stringify(row)).not.toContain(key);

    const listed = await v1.call("GET", KEYS, KEYS, { token: ws.apiKey, expect: 200 });
    // An offset list by default: page 1 of 25, with the totals.
    expect(listed.body.pagination).toEqual({ page: 1, per_page: 25, total: 2, total_pages: 1 });
    expect(listed.body).not.toHaveProperty("cursor");
    const item = (listed.data as Array<Record<string, unknown>>).find((k) => k.id === created.data.id)!;
    expect(item).toMatchObject({ name: "Billing sync", prefix: key.slice(0, 12) });
    expect(item).not.toHaveProperty("key");
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const status = await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: key, expect: 200 });
    expect(status.data.workspace_id).toBe(ws.workspace.id);

    const test = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: { name: "Sandbox", scopes: ["read"], livemode: false }, expect: 201 });
    expect(test.data.key).toMatch(/^rk_test_/);
  });

  it("needs a key (401) with the admin scope (403 naming it)", async () => {
    await v1.call("GET", KEYS, KEYS, { expect: 401 });
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    const refused = await v1.call("POST", KEYS, KEYS, { token: reader.key, body: { name: "x", scopes: ["admin"] }, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "admin" });
    expect(refused.error.message).toBe('This API key lacks the "admin" scope.');
    expect(await db().apiKey.count({ where: { name: "x" } })).toBe(0);
  });

  it("refuses unknown fields, bad scopes, bad JSON and oversized bodies with problems naming the field", async () => {
    const extra = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: { name: "a", scopes: ["read"], colour: "red" }, expect: 400 });
    expect(extra.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed", errors: [{ path: "body.colour", message: "Unknown field." }] });
    const scope = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: { name: "a", scopes: ["superuser"] }, expect: 400 });
    expect(scope.error.errors![0]!.path).toBe("body.scopes.0");
    const missing = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: {}, expect: 400 });
    expect(missing.error.errors!.map((e) => e.path).sort()).toEqual(["body.name", "body.scopes"]);
    const query = await v1.call("GET", KEYS, `${KEYS}?sort=name`, { token: ws.apiKey, expect: 400 });
    expect(query.error).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ path: "query.sort" }] });
    const json = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: "{not json", expect: 400 });
    expect(json.error).toMatchObject({ code: "VALIDATION_ERROR", type: "invalid_json" });
    const big = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: { name: "a".repeat(300_000), scopes: ["read"] }, expect: 413 });
    expect(big.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", type: "payload_too_large" });
    const form = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: "name=a", headers: { "content-type": "application/x-www-form-urlencoded" }, expect: 415 });
    expect(form.error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE", type: "unsupported_media_type" });
  });

  it("refuses NUL characters anywhere (PostgreSQL cannot store them) and query parameters an operation does not take", async () => {
    const path = "/api/v1/api-keys/{id}";
    const inId = await v1.call("GET", path, `${KEYS}/a%00b`, { token: ws.apiKey, params: { id: "a\u0000b" }, expect: 400 });
    expect(inId.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed", errors: [{ path: "params.id" }] });
    const inBody = await v1.call("POST", KEYS, KEYS, { token: ws.apiKey, body: { name: "billing\u0000sync", scopes: ["read"] }, expect: 400 });
    expect(inBody.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed", errors: [{ path: "body.name" }] });
    expect(await db().apiKey.count({ where: { workspaceId: ws.workspace.id, name: { startsWith: "billing" } } })).toBe(0);

    const key = await createApiKey({ workspaceId: ws.workspace.id, name: "queried", scopes: ["read"] });
    const unknown = await v1.call("GET", path, `${KEYS}/${key.id}?expand=all`, { token: ws.apiKey, params: { id: key.id }, expect: 400 });
    expect(unknown.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed", errors: [{ path: "query.expand", message: "Unknown query parameter." }] });
  });

  it("pages newest first with opaque cursors, or with page/per_page and totals", async () => {
    const fresh = await makeWorkspace();
    for (let i = 1; i <= 4; i++) await createApiKey({ workspaceId: fresh.workspace.id, name: `k${i}`, scopes: ["read"] });
    const names: string[] = [];
    let url = `${KEYS}?limit=2`;
    for (let pages = 0; pages < 5; pages++) {
      const page = await v1.call("GET", KEYS, url, { token: fresh.apiKey, expect: 200 });
      // `limit`/`cursor` ask for keyset pages: a cursor, no totals.
      expect(page.body).not.toHaveProperty("pagination");
      expect(page.body.cursor).toHaveProperty("next");
      names.push(...(page.data as Array<{ name: string }>).map((k) => k.name));
      if (!page.body.cursor?.next) break;
      url = `${KEYS}?limit=2&cursor=${page.body.cursor.next}`;
    }
    expect(names).toEqual(["k4", "k3", "k2", "k1", "test"]);

    const offset = await v1.call("GET", KEYS, `${KEYS}?page=2&per_page=2`, { token: fresh.apiKey, expect: 200 });
    expect(offset.body.pagination).toEqual({ page: 2, per_page: 2, total: 5, total_pages: 3 });
    expect(offset.body).not.toHaveProperty("cursor");
    expect((offset.data as Array<{ name: string }>).map((k) => k.name)).toEqual(["k2", "k1"]);
    // No paging parameters: offset page 1 of 25.
    const first = await v1.call("GET", KEYS, KEYS, { token: fresh.apiKey, expect: 200 });
    expect(first.body.pagination).toEqual({ page: 1, per_page: 25, total: 5, total_pages: 1 });
    expect((first.data as Array<{ name: string }>).map((k) => k.name)).toEqual(["k4", "k3", "k2", "k1", "test"]);
    // Both styles at once is a mistake.
    const mixed = await v1.call("GET", KEYS, `${KEYS}?page=1&limit=2`, { token: fresh.apiKey, expect: 400 });
    expect(mixed.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });

    const bad = await v1.call("GET", KEYS, `${KEYS}?cursor=not-a-cursor`, { token: fresh.apiKey, expect: 400 });
    expect(bad.error).toMatchObject({ code: "INVALID_CURSOR", type: "invalid_cursor" });
    await v1.call("GET", KEYS, `${KEYS}?limit=101`, { token: fresh.apiKey, expect: 400 });
    await v1.call("GET", KEYS, `${KEYS}?limit=0`, { token: fresh.apiKey, expect: 400 });
    // Another workspace's keys never show.
    const mine = await v1.call("GET", KEYS, `${KEYS}?limit=100`, { token: other.apiKey, expect: 200 });
    expect((mine.data as Array<{ name: string }>).map((k) => k.name)).toEqual(["test"]);
  });

  it("rotates: new key once, the old one works through the grace period, then not; a key rotates once", async () => {
    const original = await createApiKey({ workspaceId: ws.workspace.id, name: "deploy", scopes: ["read", "write"] });
    const path = "/api/v1/api-keys/{id}/rotate";
    const rotated = await v1.call("POST", path, `${KEYS}/${original.id}/rotate`, { token: ws.apiKey, params: { id: original.id }, body: {}, expect: 201 });
    expect(rotated.data).toMatchObject({ name: "deploy", scopes: ["read", "write"], rotated_from_id: original.id, status: "active" });
    expect(rotated.data.key).toMatch(/^rk_live_/);
    expect(rotated.data.key).not.toBe(original.key);

    const old = await v1.call("GET", "/api/v1/api-keys/{id}", `${KEYS}/${original.id}`, { token: ws.apiKey, params: { id: original.id }, expect: 200 });
    expect(old.data.status).toBe("expiring");
    const hoursLeft = (Date.parse(old.data.expires_at as string) - Date.now()) / 3_600_000;
    expect(hoursLeft).toBeGreaterThan(23.9);
    expect(hoursLeft).toBeLessThanOrEqual(24);
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: original.key, expect: 200 });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: rotated.data.key as string, expect: 200 });

    const again = await v1.call("POST", path, `${KEYS}/${original.id}/rotate`, { token: ws.apiKey, params: { id: original.id }, body: {}, expect: 409 });
    expect(again.error).toMatchObject({ code: "CONFLICT", type: "conflict" });

    // Grace 0: the replaced key stops at once.
    const next = await v1.call("POST", path, `${KEYS}/${rotated.data.id as string}/rotate`, {
      token: ws.apiKey,
      params: { id: rotated.data.id as string },
      body: { grace_period_hours: 0 },
      expect: 201,
    });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: rotated.data.key as string, expect: 401 });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: next.data.key as string, expect: 200 });

    const foreign = await v1.call("POST", path, `${KEYS}/${original.id}/rotate`, { token: other.apiKey, params: { id: original.id }, body: {}, expect: 404 });
    expect(foreign.error).toMatchObject({ code: "NOT_FOUND", type: "api_key_not_found" });
  });

  it("revokes: the key stops at once; another workspace's key is a 404", async () => {
    const victim = await createApiKey({ workspaceId: ws.workspace.id, name: "leaked", scopes: ["read"] });
    const path = "/api/v1/api-keys/{id}";
    const foreign = await v1.call("DELETE", path, `${KEYS}/${victim.id}`, { token: other.apiKey, params: { id: victim.id }, expect: 404 });
    expect(foreign.error).toMatchObject({ code: "NOT_FOUND", type: "api_key_not_found" });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: victim.key, expect: 200 });

    const revoked = await v1.call("DELETE", path, `${KEYS}/${victim.id}`, { token: ws.apiKey, params: { id: victim.id }, expect: 200 });
    expect(revoked.data).toMatchObject({ status: "revoked", revoked_at: expect.any(String) });
    await v1.call("GET", "/api/v1/status", "/api/v1/status", { token: victim.key, expect: 401 });
    await v1.call("DELETE", path, `${KEYS}/${victim.id}`, { token: ws.apiKey, params: { id: victim.id }, expect: 200 });
  });

  it("answers an unsupported method with 405 and Allow", async () => {
    const res = await callRoute(rotateRoute, `${KEYS}/x/rotate`, { method: "GET", token: ws.apiKey, params: { id: "x" } });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect(res.headers.get("content-type")).toBe("application/json; charset=utf-8");
    const body = (await res.json()) as { error: { code: string; type: string }; trace_id: string };
    expect(body.error).toMatchObject({ code: "METHOD_NOT_ALLOWED", type: "method_not_allowed" });
    expect(body.trace_id).toBe(res.headers.get("x-trace-id"));
  });
});

describe("scopes", () => {
  it("admin grants all; read grants read:*; a resource scope grants only itself", () => {
    expect(hasScope(["admin"], "write:customers")).toBe(true);
    expect(hasScope(["read"], "read:payments")).toBe(true);
    expect(hasScope(["read"], "write:payments")).toBe(false);
    expect(hasScope(["read:payments"], "read:payments")).toBe(true);
    expect(hasScope(["read:payments"], "read:customers")).toBe(false);
    expect(hasScope(["read:payments"], "read")).toBe(false);
  });
});

describe("the OpenAPI document", () => {
  it("lists every app/routes/api.v1.* route with its methods", async () => {
    const { contract } = await apiV1Contract();
    const documented = new Set(contract.operations().map((o) => `${o.method} ${o.path}`));
    const files = readdirSync("app/routes").filter((f) => f.startsWith("api.v1.") && !/\.test\.tsx?$/.test(f));
    expect(files.length).toBeGreaterThan(4);
    for (const file of files) {
      const path = pathOfRouteFile(file);
      type Export = { methods?: string[] } | undefined;
      const mod = (await import(/* @vite-ignore */ `../../app/routes/${file}`)) as { loader?: Export; action?: Export };
      const methods = [...documented].filter((op) => op.endsWith(` ${path}`)).map((op) => op.split(" ")[0]);
      expect(methods.length, `${file} (${path}) is not in the document`).toBeGreaterThan(0);
      // routeOf() says which methods it serves; a plain loader serves GET, a plain action some other method.
      const served = [...(mod.loader ? (mod.loader.methods ?? ["GET"]) : []), ...(mod.action ? (mod.action.methods ?? ["(action)"]) : [])];
      for (const method of served) {
        if (method === "(action)") expect(methods.some((m) => m !== "GET"), `${file}: its action's methods`).toBe(true);
        else expect(methods, `${file}: ${method}`).toContain(method);
      }
    }
  });

  it("route files export loader/action plainly, so that Remix can strip their server code from the browser bundle", () => {
    // `export const { loader, action } = routeOf(…)` is not removed by Remix: `npm run build` then
    // fails with "Server-only module referenced by client". Use `const route = routeOf(…)` and
    // `export const loader = route.loader; export const action = route.action;`.
    const files = readdirSync("app/routes").filter((f) => f.startsWith("api.v1.") && !/\.test\.tsx?$/.test(f));
    const destructured = files.filter((f) => /export\s+(const|let)\s*\{/.test(readFileSync(`app/routes/${f}`, "utf8")));
    expect(destructured).toEqual([]);
  });

  it("is served at /api/v1/openapi.json as OpenAPI 3.1 with a curl example on each operation", async () => {
    const res = await callRoute(openapiRoute, "/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { "x-codeSamples": Array<{ source: string }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    // The document itself is served bare, not in the envelope it documents.
    expect(doc).not.toHaveProperty("data");
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(["Error", "Meta", "Pagination", "Cursor"]));
    const create = doc.paths["/api/v1/api-keys"]!.post!;
    expect(create["x-codeSamples"][0]!.source).toContain(`-X POST "http://localhost:3000/api/v1/api-keys"`);
    expect(create["x-codeSamples"][0]!.source).toContain("Idempotency-Key");
  });

  it("covered every v1 operation in this file", () => {
    expect([...v1.seen].sort()).toEqual([
      "DELETE /api/v1/api-keys/{id}",
      "GET /api/v1/api-keys",
      "GET /api/v1/api-keys/{id}",
      "GET /api/v1/status",
      "POST /api/v1/api-keys",
      "POST /api/v1/api-keys/{id}/rotate",
    ]);
  });
});
