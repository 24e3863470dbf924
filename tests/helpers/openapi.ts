import { readFileSync } from "node:fs";
import { Ajv, type ValidateFunction } from "ajv";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { afterAll, beforeAll, expect } from "vitest";
import { callRoute, type CallOptions } from "./http";

type Json = Record<string, unknown>;

/**
 * OpenAPI 3.0 schemas → JSON Schema; refs stay inside the document. `nullable: true` adds null to the
 * schema's own `type` and nothing else, as OpenAPI 3.0.3 clarified (and strict validators apply): an
 * `allOf`/`$ref` beside it still has to accept the value, so `{nullable, allOf: [$ref object]}`
 * rejects null.
 */
function toJsonSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (!node || typeof node !== "object") return node;
  const { nullable, ...rest } = node as Json;
  const converted = Object.fromEntries(Object.entries(rest).map(([k, v]) => [k, toJsonSchema(v)]));
  if (nullable !== true || converted.type === undefined) return converted;
  const types = Array.isArray(converted.type) ? converted.type : [converted.type];
  const withNull: Json = { ...converted, type: [...types, "null"] };
  // An enum lists its values: null must be one of them too for the type to admit it.
  if (Array.isArray(converted.enum) && !converted.enum.includes(null)) withNull.enum = [...converted.enum, null];
  return withNull;
}

/** Validates responses against an OpenAPI document's declared response schemas. */
export function loadContract(file: string) {
  return contractOf(JSON.parse(readFileSync(file, "utf8")) as Json);
}

/** The same for a document in memory; OpenAPI 3.1 documents are checked as JSON Schema 2020-12. */
export function contractOf(doc: Json) {
  const ajv = String(doc.openapi).startsWith("3.1") ? new Ajv2020({ strict: false, allErrors: true }) : new Ajv({ strict: false, allErrors: true });
  (addFormats as unknown as (a: Ajv | Ajv2020) => void)(ajv);
  ajv.addSchema({ $id: "contract", components: toJsonSchema((doc as { components: Json }).components) });
  const cache = new Map<string, ValidateFunction>();

  function responseSchema(path: string, method: string, status: number): { ref: unknown; mediaType: string } {
    const op = ((doc.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
    if (!op) throw new Error(`the contract has no ${method} ${path}`);
    const responses = op.responses as Json;
    let response = (responses[String(status)] ?? responses.default) as Json | undefined;
    if (!response) throw new Error(`the contract declares no ${status} for ${method} ${path}`);
    if (typeof response.$ref === "string") {
      const name = response.$ref.split("/").pop()!;
      response = ((doc.components as Json).responses as Json)[name] as Json;
    }
    const content = response.content as Json;
    const mediaType = Object.keys(content)[0]!;
    return { ref: toJsonSchema((content[mediaType] as Json).schema), mediaType };
  }

  return {
    /** Whether the contract declares a body schema for this answer (ND8 leaves its 401/403/404 without one). */
    declaresBody(path: string, method: string, status: number): boolean {
      const op = ((doc.paths as Json)[path] as Json | undefined)?.[method.toLowerCase()] as Json | undefined;
      const response = (op?.responses as Json | undefined)?.[String(status)] as Json | undefined;
      return Boolean(response && (response.content || typeof response.$ref === "string"));
    },
    /** Throws with the validation errors when `body` does not match the declared response. */
    assertResponse(path: string, method: string, status: number, body: unknown, contentType: string | null) {
      const { ref, mediaType } = responseSchema(path, method, status);
      if (!contentType?.startsWith(mediaType)) throw new Error(`${method} ${path} ${status}: content-type ${contentType}, contract says ${mediaType}`);
      const key = `${method} ${path} ${status}`;
      let validate = cache.get(key);
      if (!validate) {
        const schema = JSON.parse(JSON.stringify(ref).replaceAll('"#/components/', '"contract#/components/'));
        validate = ajv.compile(schema);
        cache.set(key, validate);
      }
      if (!validate(body)) throw new Error(`${key} does not match the contract: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
    },
    operations(): Array<{ path: string; method: string }> {
      return Object.entries(doc.paths as Json).flatMap(([path, ops]) => Object.keys(ops as Json).map((method) => ({ path, method: method.toUpperCase() })));
    },
  };
}

type RouteModule = Parameters<typeof callRoute>[0];

/** LostChurn's error object (ADR 0067): `code` upper-case, `type` Recoup's own code, then the error's facts. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the answer's JSON as it comes
export type LostChurnError = { code: string; message: string; type: string; errors?: Array<{ path: string; message: string }>; [fact: string]: any };

/** A /api/v1 answer: `{data, meta}` (lists with `pagination` or `cursor`), or `{error, trace_id}`. */
export type LostChurnBody = {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the answer's JSON as it comes
  data?: any;
  meta?: { merchant_id: string | null; timestamp: string };
  pagination?: { page: number; per_page: number; total: number; total_pages: number };
  cursor?: { next: string | null };
  error?: LostChurnError;
  trace_id?: string;
};

/** The /api/v1 document as served, and a checker for responses against it. */
export async function apiV1Contract() {
  // Imported here, not at the top: other contract tests should not load every v1 route.
  const { buildOpenApiDocument } = await import("~/contracts/api-v1/openapi.server");
  const { allOperations } = await import("~/contracts/api-v1/registry.server");
  const doc = buildOpenApiDocument({ baseUrl: "http://localhost:3000", operations: allOperations() }) as unknown as Record<string, unknown>;
  return { doc, contract: contractOf(doc) };
}

/**
 * Calls a /api/v1 route module and checks the answer against the generated OpenAPI document:
 * declared status, body schema, content type, and the headers every v1 answer carries.
 * `path` is the document's path (`/api/v1/api-keys/{id}`), `url` the one called.
 */
export async function v1Caller(modules: Record<string, RouteModule>) {
  const { contract } = await apiV1Contract();
  const seen = new Set<string>();
  async function call(method: string, path: string, url: string, opts: CallOptions & { expect?: number } = {}) {
    const mod = modules[path];
    if (!mod) throw new Error(`no route module for ${path}`);
    const res = await callRoute(mod, url, { method, ...opts });
    const text = await res.text();
    if (opts.expect !== undefined) expect(res.status, text).toBe(opts.expect);
    const body = JSON.parse(text) as LostChurnBody;
    contract.assertResponse(path, method, res.status, body, res.headers.get("content-type"));
    expect(res.headers.get("x-trace-id")).toMatch(/^[0-9a-f]{32}$/);
    expect(res.headers.get("x-ratelimit-limit")).toMatch(/^\d+$/);
    expect(res.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
    expect(res.headers.get("x-ratelimit-reset")).toMatch(/^\d+$/);
    if (res.status >= 400) {
      // LostChurn's error: a stable upper-case code and a message, beside Recoup's code and the trace id.
      expect(body.error?.code, text).toMatch(/^[A-Z][A-Z_]+$/);
      expect(typeof body.error?.message, text).toBe("string");
      expect(body.trace_id).toBe(res.headers.get("x-trace-id"));
    } else {
      // LostChurn's envelope: the data, and whose it is and when.
      expect(Object.keys(body), text).toContain("data");
      expect(body.meta?.timestamp, text).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(body.meta && "merchant_id" in body.meta, text).toBe(true);
    }
    seen.add(`${method} ${path}`);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the answer's JSON as it comes
    return { status: res.status, body, data: body.data as any, error: body.error as LostChurnError, headers: res.headers };
  }
  return { call, seen };
}

export type V1Caller = Awaited<ReturnType<typeof v1Caller>>;

/**
 * A test file's /api/v1 caller over `modules`, with the rate limits lifted for the file
 * (liftRateLimits): built in a beforeAll, usable from the file's later hooks and its tests.
 */
export function useV1Caller(modules: Record<string, RouteModule>): V1Caller {
  let caller: V1Caller | undefined;
  liftRateLimits();
  beforeAll(async () => {
    caller = await v1Caller(modules);
  });
  const built = () => {
    if (!caller) throw new Error("useV1Caller: the caller is built in beforeAll; call it from a hook or a test");
    return caller;
  };
  return {
    call: (...args) => built().call(...args),
    get seen() {
      return built().seen;
    },
  };
}

const RATE_LIMIT_SETTINGS = ["API_RATE_LIMIT_READ_PER_MINUTE", "API_RATE_LIMIT_WRITE_PER_MINUTE", "API_RATE_LIMIT_PER_HOUR", "REVIVE_RATE_LIMIT_PER_MINUTE", "REVIVE_RATE_LIMIT_PER_HOUR"] as const;

/**
 * For a test file that calls more than a real client would in a minute (the limits have their own
 * tests): lifts the per-key limits (/api/v1, DunningDog and Revive) to `to` for the file and puts them back after it.
 */
export function liftRateLimits(to = 10_000) {
  const saved: Partial<Record<(typeof RATE_LIMIT_SETTINGS)[number], string | undefined>> = {};
  beforeAll(() => {
    for (const name of RATE_LIMIT_SETTINGS) {
      saved[name] = process.env[name];
      process.env[name] = String(to);
    }
  });
  afterAll(() => {
    for (const name of RATE_LIMIT_SETTINGS) {
      if (saved[name] === undefined) delete process.env[name];
      else process.env[name] = saved[name];
    }
  });
}
