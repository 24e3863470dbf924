// Every /api/v1 operation, driven by the registry (the same list the OpenAPI document is built from),
// so an endpoint added tomorrow is covered without a line here: missing auth, a key without the
// scope, unknown and mistyped fields, oversized bodies, garbage cursors, another workspace's ids,
// and a fuzz pass of hostile values. Nothing may answer 5xx; every answer is in LostChurn's envelope
// (`{data, meta}`) and every error is LostChurn's `{error: {code, message}}` (ADR 0067).
import { beforeAll, describe, expect, it } from "vitest";
import { liftRateLimits } from "../helpers/openapi";
import { API_KEY_SCOPES, createApiKey } from "~/domain/auth/api-keys.server";
import type { OperationDoc } from "~/contracts/api-v1/endpoint.server";
import { speaksLostChurn } from "~/http/lostchurn-errors";
import {
  exampleBody,
  fill,
  fixtureWorkspace,
  idKindOf,
  loadApiV1,
  ownParams,
  paramNames,
  queryOf,
  shapeOf,
  type Fixture,
  type RouteModule,
} from "../helpers/api-v1-inventory";
import { callRoute, type CallOptions } from "../helpers/http";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

let A: Fixture;
let B: Fixture;
let operations: OperationDoc[];
let modules: Map<string, RouteModule>;
const problems: string[] = [];
let calls = 0;

liftRateLimits(1_000_000);
beforeAll(async () => {
  ({ operations, modules } = await loadApiV1());
  A = await fixtureWorkspace("a");
  B = await fixtureWorkspace("b");
});

const label = (op: OperationDoc) => `${op.method} ${op.path}`;

/** Calls an operation and holds every answer to the same rules: never 5xx, LostChurn's envelope, errors complete. */
async function call(op: OperationDoc, opts: CallOptions & { params?: Record<string, string>; query?: string } = {}) {
  const mod = modules.get(op.path);
  if (!mod) throw new Error(`${label(op)}: no route file serves this path`);
  const params = opts.params ?? {};
  const url = `${fill(op.path, params)}${opts.query ? `?${opts.query}` : ""}`;
  calls += 1;
  let res: Response;
  try {
    res = await callRoute(mod, url, { ...opts, method: op.method, params });
  } catch (error) {
    // A route that throws instead of answering would be a 500 from Remix.
    problems.push(`${label(op)} ${url}: threw ${(error as Error).message}`);
    return { status: 500, body: {} as Json, headers: new Headers() };
  }
  const text = await res.text();
  let body: Json = {};
  try {
    body = text ? (JSON.parse(text) as Json) : {};
  } catch {
    if (res.status >= 400) problems.push(`${label(op)} ${url}: ${res.status} with a body that is not JSON`);
  }
  const where = `${label(op)} ${url.slice(0, 200)} body=${JSON.stringify(opts.body ?? null).slice(0, 120)}`;
  if (res.status >= 500) problems.push(`${where}: ${res.status} ${text.slice(0, 300)}`);
  if (res.status >= 400 && !speaksLostChurn(op.path)) {
    // Flow Arc's operations under /api/v1 answer its `{error, message}`.
    if (typeof body.error !== "string" || typeof body.message !== "string") problems.push(`${where}: ${res.status} lacks Flow Arc's error/message: ${text.slice(0, 200)}`);
  } else if (res.status >= 400) {
    const type = res.headers.get("content-type") ?? "";
    if (!type.startsWith("application/json")) problems.push(`${where}: ${res.status} as ${type}`);
    const error = body.error as Json | undefined;
    if (!/^[A-Z][A-Z_]+$/.test(String(error?.code)) || typeof error?.message !== "string" || typeof error?.type !== "string" || typeof body.trace_id !== "string" || !body.trace_id) {
      problems.push(`${where}: ${res.status} error lacks error.code/message/type or trace_id: ${text.slice(0, 200)}`);
    } else if (body.trace_id !== res.headers.get("x-trace-id")) {
      problems.push(`${where}: trace_id ${String(body.trace_id)} is not the X-Trace-Id header`);
    }
  } else if (res.status < 200 || res.status >= 300) {
    problems.push(`${where}: unexpected ${res.status}`);
  } else if (op.pipeline && (!("data" in body) || typeof body.meta?.timestamp !== "string" || !("merchant_id" in (body.meta ?? {})))) {
    problems.push(`${where}: ${res.status} not in LostChurn's envelope: ${text.slice(0, 200)}`);
  }
  return { status: res.status, body, headers: res.headers };
}

const pipeline = () => operations.filter((op) => op.pipeline);

/** A key that lacks `scope` (each of its alternatives, "webhooks|read") and is no admin. */
function scopesWithout(scope: string): string[] {
  const actions = scope.split("|").map((one) => one.split(":")[0]);
  return [API_KEY_SCOPES.find((s) => s !== "admin" && !actions.includes(s))!];
}

/** The rules `call` checks on every answer: all offenders of a test listed together. */
function expectNoProblems() {
  const found = problems.splice(0);
  expect(found, found.join("\n")).toEqual([]);
}

function errorPaths(body: Json): string[] {
  return ((body.error?.errors ?? []) as Array<{ path: string }>).map((e) => e.path);
}

/**
 * Each value in turn in every path parameter, query field and body field of every operation (the
 * rest of the request as documented), through `call`'s rules.
 */
async function fuzz(strings: string[], json: unknown[]) {
  for (const op of operations) {
    const params = ownParams(op, A);
    const token = op.auth !== "none" ? A.adminKey : undefined;
    for (const name of paramNames(op.path)) {
      for (const value of strings) await call(op, { params: { ...params, [name]: value }, query: queryOf(op), body: exampleBody(op), token });
    }
    // DELETE with A's real ids would erase the fixtures mid-run: its path parameters are fuzzed only.
    if (op.method === "DELETE") continue;
    for (const name of Object.keys(shapeOf(op.query))) {
      for (const value of strings) {
        const query = new URLSearchParams({ ...(op.example?.query ?? {}), [name]: value }).toString();
        await call(op, { params, query, body: exampleBody(op), token });
      }
    }
    for (const name of Object.keys(shapeOf(op.body))) {
      for (const value of json) await call(op, { params, body: { ...exampleBody(op), [name]: value }, token });
    }
    // The documented example itself must be answered, one way or another, without a 5xx.
    await call(op, { params, query: queryOf(op), body: exampleBody(op), token });
  }
}

describe("every /api/v1 operation", () => {
  it("is served by a route file, and every {id} path is known to this suite", () => {
    expect(operations.length).toBeGreaterThan(30);
    for (const op of operations) {
      expect(modules.has(op.path), `${label(op)} has no route file`).toBe(true);
      if (paramNames(op.path).length) expect(idKindOf(op.path), `${label(op)}: add its id kind to ID_KINDS`).not.toBeUndefined();
    }
  });

  it("answers 401 without a key and 403 naming the scope to a key without it", async () => {
    const keys = new Map<string, string>();
    for (const op of pipeline()) {
      const params = ownParams(op, A);
      if (op.auth === "required") {
        const anonymous = await call(op, { params, body: exampleBody(op) });
        expect(anonymous.status, label(op)).toBe(401);
        expect(anonymous.body.error, label(op)).toMatchObject({ code: "UNAUTHORIZED", type: "unauthorized" });
        const wrong = await call(op, { params, body: exampleBody(op), token: "rk_live_00000000000000000000000000000000" });
        expect(wrong.status, `${label(op)} with an unknown key`).toBe(401);
      }
      if (!op.scope) continue;
      const scopes = scopesWithout(op.scope);
      let key = keys.get(scopes.join(","));
      if (!key) {
        key = (await createApiKey({ workspaceId: A.workspaceId, name: "narrow", scopes })).key;
        keys.set(scopes.join(","), key);
      }
      const refused = await call(op, { params, body: exampleBody(op), token: key });
      expect(refused.status, `${label(op)} with ${scopes.join(",")}`).toBe(403);
      expect(refused.body.error, label(op)).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: op.scope });
      for (const one of op.scope.split("|")) expect(refused.body.error.message, label(op)).toContain(`"${one}"`);
    }
    expectNoProblems();
  });

  it("answers 404 to another workspace's real ids (which its own key can read)", async () => {
    for (const op of pipeline()) {
      const kind = idKindOf(op.path);
      if (!kind) continue;
      const foreign = ownParams(op, B);
      const res = await call(op, { params: foreign, query: queryOf(op), body: exampleBody(op), token: A.adminKey });
      expect(res.status, `${label(op)} with workspace B's ${kind}`).toBe(404);
      expect(res.body.error, label(op)).toMatchObject({ code: "NOT_FOUND", type: expect.stringMatching(/not_found$/) });
      if (op.method === "GET") {
        const own = await call(op, { params: foreign, query: queryOf(op), token: B.adminKey });
        expect(own.status, `${label(op)}: B's own key reads its ${kind}`).toBe(200);
      }
    }
    expectNoProblems();
  });

  it("refuses unknown fields in the query (whether or not the operation takes one) and in bodies, and bodies of the wrong kind, naming the field", async () => {
    for (const op of pipeline()) {
      const params = ownParams(op, A);
      const query = op.query ? `${queryOf(op)}&zz_unknown=1` : "zz_unknown=1";
      const unknownQuery = await call(op, { params, query, token: A.adminKey, body: exampleBody(op) });
      expect(unknownQuery.status, label(op)).toBe(400);
      expect(errorPaths(unknownQuery.body), label(op)).toContain("query.zz_unknown");
      if (op.method === "GET") continue;
      const extra = await call(op, { params, body: { ...exampleBody(op), zz_unknown: 1 }, token: A.adminKey });
      expect(extra.status, label(op)).toBe(400);
      expect(extra.body.error, label(op)).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
      if (op.body) expect(errorPaths(extra.body), label(op)).toContain("body.zz_unknown");
      for (const wrong of ["[1,2]", '"text"', "42", "null"]) {
        const res = await call(op, { params, body: wrong, token: A.adminKey });
        expect(res.status, `${label(op)} body ${wrong}`).toBe(400);
      }
      const broken = await call(op, { params, body: '{"unterminated', token: A.adminKey });
      expect(broken.status, label(op)).toBe(400);
      expect(broken.body.error, label(op)).toMatchObject({ code: "VALIDATION_ERROR", type: "invalid_json" });
    }
    expectNoProblems();
  });

  it("refuses wrongly typed fields with a field error (values each field's own schema rejects)", async () => {
    const wrongBodyValues: unknown[] = [12345, "zz-not-valid", true, ["x"], { o: 1 }, -1.5];
    const wrongQueryValues = ["zz-not-valid", "-1.5", "99999999999999999999", "true"];
    for (const op of pipeline()) {
      const params = ownParams(op, A);
      for (const [name, field] of Object.entries(shapeOf(op.query))) {
        const value = wrongQueryValues.find((v) => !field.safeParse(v).success);
        if (value === undefined) continue; // any string will do for this field
        const query = new URLSearchParams({ ...(op.example?.query ?? {}), [name]: value }).toString();
        const res = await call(op, { params, query, token: A.adminKey });
        expect(res.status, `${label(op)} ?${name}=${value}`).toBe(400);
        expect(errorPaths(res.body), `${label(op)} ?${name}=${value}`).toContain(`query.${name}`);
      }
      for (const [name, field] of Object.entries(shapeOf(op.body))) {
        const value = wrongBodyValues.find((v) => !field.safeParse(v).success);
        if (value === undefined) continue;
        const res = await call(op, { params, body: { ...exampleBody(op), [name]: value }, token: A.adminKey });
        expect(res.status, `${label(op)} ${name}=${JSON.stringify(value)}`).toBe(400);
        expect(errorPaths(res.body).some((p) => p === `body.${name}` || p.startsWith(`body.${name}.`)), `${label(op)} ${name}: ${JSON.stringify(res.body.error)}`).toBe(true);
      }
    }
    expectNoProblems();
  });

  it("answers 413 to a body over the limit", async () => {
    const huge = JSON.stringify({ filler: "x".repeat(2 * 1024 * 1024) });
    for (const op of pipeline().filter((o) => o.method !== "GET")) {
      const res = await call(op, { params: ownParams(op, A), body: huge, token: A.adminKey });
      expect(res.status, label(op)).toBe(413);
      expect(res.body.error?.type, label(op)).toBe("payload_too_large");
    }
    expectNoProblems();
  });

  it("answers 400 invalid_cursor to cursors it never gave out", async () => {
    const garbage = ["garbage!!", "bm90LWpzb24", Buffer.from('{"t":"yesterday","i":""}').toString("base64url"), "%00", "a".repeat(400)];
    let lists = 0;
    for (const op of pipeline().filter((o) => o.method === "GET" && "cursor" in shapeOf(o.query))) {
      lists += 1;
      for (const cursor of garbage) {
        const query = new URLSearchParams({ ...(op.example?.query ?? {}), cursor }).toString();
        const res = await call(op, { params: ownParams(op, A), query, token: A.adminKey });
        expect(res.status, `${label(op)} cursor=${cursor.slice(0, 20)}`).toBe(400);
        expect(res.body.error, `${label(op)} cursor=${cursor.slice(0, 20)}`).toMatchObject({ code: "INVALID_CURSOR", type: "invalid_cursor" });
      }
    }
    expect(lists).toBeGreaterThan(5);
    expectNoProblems();
  });

  it("never answers 5xx to hostile values in any parameter, and every error is LostChurn's complete error", async () => {
    const hostile: string[] = [
      "a".repeat(5000),
      "ünïcødé 😀 \u202eevil",
      "-1",
      "-99999999999999999999",
      "1e309",
      "../../../etc/passwd",
      "%00",
      "' OR '1'='1",
      "<script>alert(1)</script>",
      " ",
    ];
    await fuzz(hostile, [...hostile, -1, -99999999999, 1e308, 3.5, ["x", 1], { $gt: "" }, null, true, []]);
    expect(calls).toBeGreaterThan(500);
    expectNoProblems();
    // Thousands of requests, growing with every operation added: a budget, not a speed test.
  }, 180_000);

  it("answers NUL (\\u0000) characters, which PostgreSQL text cannot store, with a 400 rather than a 500", async () => {
    const nul = ["nul\u0000byte"];
    await fuzz(nul, nul);
    expectNoProblems();
  });

});
