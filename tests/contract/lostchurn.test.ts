// LostChurn's reference (../shared/seeds/002_…txt), read as a client written from it would read it,
// against every LostChurn operation Recoup serves: the `{data, meta}` envelope, the `pagination` or
// `cursor` object each list documents with its defaults and maxima, `{error: {code, message}}`
// errors, the documented scopes ("webhooks or read": either key gets in, another is refused) and
// the documented status codes (ADR 0067). The reference is parsed here, not copied: an operation
// Recoup adds on a documented path is held to it without a line in this file.
import { readFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import type { OperationDoc } from "~/contracts/api-v1/endpoint.server";
import { speaksLostChurn } from "~/http/lostchurn-errors";
import { exampleBody, fill, fixtureWorkspace, idKindOf, loadApiV1, ownParams, type Fixture, type RouteModule } from "../helpers/api-v1-inventory";
import { callRoute } from "../helpers/http";
import { liftRateLimits } from "../helpers/openapi";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Json = Record<string, any>;

interface Documented {
  method: string;
  /** In the registry's form: /api/v1/payments/{id}. */
  path: string;
  /** Each alternative of "Scopes: a or b"; empty when the reference names none. */
  scopes: string[];
  paging: { style: "offset" | "cursor"; defaultSize: number; max: number } | null;
  /** "Returns 202 Accepted" / "Response (202)". */
  status: number | null;
}

const REFERENCE = readFileSync(path.resolve(__dirname, "../../../shared/seeds/002_e6cf37878635a88c.txt"), "utf8");

/** The reference's per-operation sections: `GET /v1/payments`, then its scopes, parameters and responses. */
function readReference(): Documented[] {
  const lines = REFERENCE.split("\n");
  const ops: Documented[] = [];
  let current: Documented | null = null;
  for (const line of lines) {
    const head = /^(GET|POST|PUT|DELETE) \/v1(\/\S*)$/.exec(line.trim());
    if (head) {
      current = {
        method: head[1]!,
        path: `/api/v1${head[2]!.replace(/:(\w+)/g, "{$1}")}`,
        scopes: [],
        paging: null,
        status: null,
      };
      ops.push(current);
      continue;
    }
    if (!current) continue;
    const scopes = /^Scopes: (.+)$/.exec(line.trim());
    if (scopes) current.scopes = scopes[1]!.split(/\s+or\s+/).map((s) => s.trim());
    const perPage = /^per_pageinteger(\d+)Items per page \(max (\d+)\)/.exec(line.trim());
    if (perPage) current.paging = { style: "offset", defaultSize: Number(perPage[1]), max: Number(perPage[2]) };
    const limit = /^limitinteger(\d+)Items per page \(max (\d+)\)/.exec(line.trim());
    if (limit) current.paging = { style: "cursor", defaultSize: Number(limit[1]), max: Number(limit[2]) };
    const status = /Response \((\d{3})\)|Returns (\d{3}) /.exec(line);
    if (status) current.status = Number(status[1] ?? status[2]);
  }
  return ops;
}

const reference = readReference();
/** Every `"subcategories": [...]` the reference shows, by category. */
const referenceSubcategories = [...REFERENCE.matchAll(/"category": "(\w+)",[^}]*?"subcategories": \[([^\]]*)\]/g)].map(
  (m) => ({ category: m[1]!, names: [...m[2]!.matchAll(/"(\w+)"/g)].map((n) => n[1]!) }),
);
let served: Array<{ op: OperationDoc; doc: Documented }>;
let modules: Map<string, RouteModule>;
let A: Fixture;
let B: Fixture;

liftRateLimits(1_000_000);
beforeAll(async () => {
  const loaded = await loadApiV1();
  modules = loaded.modules;
  served = loaded.operations
    .filter((op) => op.pipeline && speaksLostChurn(op.path))
    .flatMap((op) => {
      const doc = reference.find((d) => d.method === op.method && normalise(d.path) === normalise(op.path));
      return doc ? [{ op, doc }] : [];
    });
  A = await fixtureWorkspace("lostchurn-a");
  B = await fixtureWorkspace("lostchurn-b");
});

/** The reference names parameters as it likes (`:customerId`, `:campaign_id`): compare the shape. */
const normalise = (p: string) => p.replace(/\{\w+\}/g, "{}");
const label = (op: OperationDoc) => `${op.method} ${op.path}`;

async function call(op: OperationDoc, opts: { token?: string; query?: string; fixture?: Fixture } = {}) {
  const fixture = opts.fixture ?? A;
  const params = ownParams(op, fixture);
  const url = `${fill(op.path, params)}${opts.query ? `?${opts.query}` : ""}`;
  const res = await callRoute(modules.get(op.path)!, url, { method: op.method, params, token: opts.token ?? fixture.adminKey, body: exampleBody(op) });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Json, text, type: res.headers.get("content-type"), traceId: res.headers.get("x-trace-id") };
}

describe("LostChurn's reference, as its clients read it", () => {
  it("is read: the reference's operations, and the many Recoup serves", () => {
    expect(reference.length).toBeGreaterThanOrEqual(85);
    expect(reference.find((d) => d.path === "/api/v1/payments" && d.method === "GET")).toMatchObject({
      scopes: ["read", "read:payments"],
      paging: { style: "offset", defaultSize: 25, max: 100 },
    });
    expect(reference.find((d) => d.path === "/api/v1/webhooks/endpoints" && d.method === "GET")).toMatchObject({
      scopes: ["webhooks", "read"],
      paging: { style: "cursor", defaultSize: 50, max: 200 },
    });
    expect(served.length).toBeGreaterThanOrEqual(30);
  });

  it("answers every served operation in `{data, meta: {merchant_id, timestamp}}`", async () => {
    for (const { op } of served.filter(({ op }) => op.method === "GET")) {
      const res = await call(op);
      expect(res.status, `${label(op)}: ${res.text.slice(0, 200)}`).toBe(200);
      expect(res.type, label(op)).toBe("application/json; charset=utf-8");
      expect(res.body, label(op)).toHaveProperty("data");
      expect(res.body.meta, label(op)).toEqual({ merchant_id: A.workspaceId, timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
    }
  });

  it("pages each list the way the reference documents it: `pagination` with page/per_page, `cursor` with cursor/limit, their defaults and maxima", async () => {
    const lists = served.filter(({ doc }) => doc.paging);
    expect(lists.length).toBeGreaterThanOrEqual(5);
    for (const { op, doc } of lists) {
      const paging = doc.paging!;
      const first = await call(op);
      expect(first.status, `${label(op)}: ${first.text.slice(0, 200)}`).toBe(200);
      expect(Array.isArray(first.body.data), label(op)).toBe(true);
      if (paging.style === "offset") {
        expect(first.body.pagination, label(op)).toEqual({
          page: 1,
          per_page: paging.defaultSize,
          total: expect.any(Number),
          total_pages: Math.ceil(first.body.pagination.total / paging.defaultSize),
        });
        expect(first.body.cursor, label(op)).toBeUndefined();
        expect((await call(op, { query: `per_page=${paging.max}` })).status, `${label(op)} per_page=max`).toBe(200);
        const over = await call(op, { query: `per_page=${paging.max + 1}` });
        expect(over.status, `${label(op)} per_page=max+1`).toBe(400);
        expect(over.body.error, label(op)).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringContaining("per_page") });
      } else {
        expect(first.body.cursor, label(op)).toEqual({ next: first.body.data.length < paging.defaultSize ? null : expect.any(String) });
        expect(first.body.data.length, label(op)).toBeLessThanOrEqual(paging.defaultSize);
        expect(first.body.pagination, label(op)).toBeUndefined();
        expect((await call(op, { query: `limit=${paging.max}` })).status, `${label(op)} limit=max`).toBe(200);
        const over = await call(op, { query: `limit=${paging.max + 1}` });
        expect(over.status, `${label(op)} limit=max+1`).toBe(400);
        expect(over.body.error, label(op)).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringContaining("limit") });
      }
    }
  });

  it("lets in a key with any one of the documented scopes, and refuses another with INSUFFICIENT_SCOPE", async () => {
    const keys = new Map<string, string>();
    const keyWith = async (scope: string) => {
      if (!keys.has(scope)) keys.set(scope, (await createApiKey({ workspaceId: A.workspaceId, name: scope, scopes: [scope] })).key);
      return keys.get(scope)!;
    };
    let checked = 0;
    for (const { op, doc } of served.filter(({ op, doc }) => op.method === "GET" && op.auth === "required" && doc.scopes.length > 0)) {
      for (const scope of doc.scopes) {
        const res = await call(op, { token: await keyWith(scope) });
        expect(res.status, `${label(op)} with a "${scope}" key: ${res.text.slice(0, 200)}`).toBe(200);
        checked += 1;
      }
      const other = ["email", "analytics", "webhooks", "write"].find((s) => !doc.scopes.some((d) => d === s || d.startsWith(`${s}:`)))!;
      const refused = await call(op, { token: await keyWith(other) });
      expect(refused.status, `${label(op)} with a "${other}" key`).toBe(403);
      expect(refused.body.error, label(op)).toMatchObject({ code: "INSUFFICIENT_SCOPE", message: expect.any(String) });
    }
    expect(checked).toBeGreaterThanOrEqual(20);
  });

  it("names decline subcategories with the reference's words", async () => {
    expect(referenceSubcategories.flatMap((c) => c.names)).toEqual(expect.arrayContaining(["balance", "limit", "processing_error", "expired", "stolen", "closed"]));
    const op = served.find(({ op }) => op.path === "/api/v1/decline-codes/categories")!.op;
    const ours = (await call(op)).body.data as Array<{ category: string; subcategories: string[] }>;
    // Every word the reference uses is one of ours; the soft declines it lists are soft here too. (A
    // stolen card is terminal here, not the customer's to fix: Recoup does not email about it, ADR 0069.)
    expect(ours.flatMap((c) => c.subcategories)).toEqual(expect.arrayContaining(referenceSubcategories.flatMap((c) => c.names)));
    const soft = referenceSubcategories.find((c) => c.category === "soft_retry")!;
    expect(ours.find((c) => c.category === "soft_retry")!.subcategories).toEqual(expect.arrayContaining(soft.names));
    const list = served.find(({ op }) => op.path === "/api/v1/decline-codes" && op.method === "GET")!.op;
    const balance = await call(list, { query: "subcategory=balance&psp=stripe" });
    expect(balance.body.data.map((c: { code: string }) => c.code)).toContain("insufficient_funds");
  });

  it("lists the 268 decline codes across 13 PSPs the reference promises", async () => {
    expect(REFERENCE).toContain("268 decline codes across 13 PSPs");
    const list = served.find(({ op }) => op.path === "/api/v1/decline-codes" && op.method === "GET")!.op;
    const all = await call(list, { query: "page=1&per_page=100" });
    expect(all.body.pagination).toMatchObject({ total: 268 });
    const psps = new Set<string>();
    for (let page = 1; page <= all.body.pagination.total_pages; page++) {
      for (const entry of (await call(list, { query: `page=${page}&per_page=100` })).body.data as Array<{ psp: string }>) psps.add(entry.psp);
    }
    expect(psps.size).toBe(13);
  });

  it("answers with the documented status codes", async () => {
    const withStatus = served.filter(({ doc }) => doc.status !== null);
    expect(withStatus.length).toBeGreaterThanOrEqual(1);
    for (const { op, doc } of withStatus) expect(op.status, label(op)).toBe(doc.status);
  });

  it("answers errors as `{error: {code, message}}` with an upper-case code: a missing key, a bad query, another workspace's id", async () => {
    for (const { op } of served.filter(({ op }) => op.method === "GET" && op.auth === "required")) {
      const anonymous = await call(op, { token: "" });
      expect(anonymous.status, label(op)).toBe(401);
      expect(anonymous.type, label(op)).toBe("application/json; charset=utf-8");
      expect(anonymous.body, label(op)).toEqual({
        error: expect.objectContaining({ code: "UNAUTHORIZED", message: expect.any(String) }),
        trace_id: anonymous.traceId,
      });
      const unknown = await call(op, { query: "zz_unknown=1" });
      expect(unknown.status, label(op)).toBe(400);
      expect(unknown.body.error, label(op)).toMatchObject({ code: "VALIDATION_ERROR", message: expect.stringContaining("zz_unknown") });
      // A workspace's own resource (not the shared decline-code catalogue): another's is a 404.
      if (idKindOf(op.path)) {
        const foreign = await call(op, { fixture: B, token: A.adminKey });
        expect(foreign.status, label(op)).toBe(404);
        expect(foreign.body.error, label(op)).toMatchObject({ code: "NOT_FOUND", message: expect.any(String) });
      }
    }
  });
});
