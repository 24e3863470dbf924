import { beforeAll, describe, expect, it } from "vitest";
import * as quietHoursRoute from "~/routes/api.v1.settings.quiet-hours";
import * as goalRoute from "~/routes/api.v1.settings.recovery-goal";
import * as previewRoute from "~/routes/api.v1.templates.preview.$id";
import { makeWorkspace } from "../factories";
import { liftRateLimits, v1Caller } from "../helpers/openapi";
import { CUSTOMER_ROUTES } from "./customer-routes";

const MODULES = {
  ...CUSTOMER_ROUTES,
  "/api/v1/settings/quiet-hours": quietHoursRoute,
  "/api/v1/settings/recovery-goal": goalRoute,
  "/api/v1/templates/preview/{id}": previewRoute,
};

const OPERATIONS: Array<[string, keyof typeof MODULES]> = [
  ["GET", "/api/v1/customers"],
  ["GET", "/api/v1/customers/by-email/{email}"],
  ["GET", "/api/v1/customers/{id}"],
  ["DELETE", "/api/v1/customers/{id}"],
  ["GET", "/api/v1/customers/{id}/payments"],
  ["GET", "/api/v1/customers/{id}/recoveries"],
  ["POST", "/api/v1/customers/{id}/pause-all"],
  ["POST", "/api/v1/customers/{id}/resume-all"],
  ["GET", "/api/v1/settings/quiet-hours"],
  ["POST", "/api/v1/settings/quiet-hours"],
  ["GET", "/api/v1/settings/recovery-goal"],
  ["POST", "/api/v1/settings/recovery-goal"],
  ["GET", "/api/v1/templates/preview/{id}"],
];

const WEIRD_IDS = ["", " ", "x".repeat(5000), "' OR 1=1 --", "%", "_", "../../etc/passwd", "\u0000", "😀", "cus_", "null", "[object Object]"];
const WEIRD_BODIES: unknown[] = [
  "[]",
  "null",
  "42",
  '"string"',
  "{",
  { start_hour: null, end_hour: [], timezone: {} },
  { target_rate: "NaN", period: 3, target_amount_cents: 1e308 },
  { target_rate: 0.5, period: "" },
  { __proto__: { admin: true }, constructor: { prototype: {} } },
  { start_hour: 1e20, end_hour: -1e20, timezone: "\u0000" },
];
const WEIRD_QUERIES = ["?limit=-1", "?limit=1e3", "?page=0", "?page=abc&per_page=2", "?cursor=" + "A".repeat(600), "?cursor=eyJ0IjoieCIsImkiOiIifQ", "?page=1&cursor=abc", "?search=%00", "?search=" + "%25".repeat(50)];

let v1: Awaited<ReturnType<typeof v1Caller>>;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
liftRateLimits(100_000);
beforeAll(async () => {
  v1 = await v1Caller(MODULES);
  ws = await makeWorkspace();
});

function urlOf(path: string, params: Record<string, string>) {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => encodeURIComponent(params[name] ?? "x"));
}

describe("customers, settings and template preview: any input", () => {
  it("never answers 5xx: odd ids, bodies and queries are problems (4xx) that match the document", async () => {
    for (const [method, path] of OPERATIONS) {
      const hasId = path.includes("{");
      for (const id of hasId ? WEIRD_IDS : ["-"]) {
        const params = { id, email: id };
        const res = await v1.call(method, path, urlOf(path, params), { token: ws.apiKey, params, ...(method === "POST" ? { body: {} } : {}) });
        expect(res.status, `${method} ${path} id=${JSON.stringify(id).slice(0, 40)}`).toBeLessThan(500);
      }
      if (method === "POST") {
        for (const body of WEIRD_BODIES) {
          const params = { id: "cus_nobody" };
          const res = await v1.call(method, path, urlOf(path, params), { token: ws.apiKey, params, body });
          expect(res.status, `${method} ${path} body=${JSON.stringify(body)}`).toBeGreaterThanOrEqual(400);
          expect(res.status, `${method} ${path} body=${JSON.stringify(body)}`).toBeLessThan(500);
        }
      }
      if (method === "GET") {
        for (const query of WEIRD_QUERIES) {
          const params = { id: "cus_nobody", email: "a@b.c" };
          const res = await v1.call(method, path, urlOf(path, params) + query, { token: ws.apiKey, params });
          expect(res.status, `${method} ${path}${query}`).toBeLessThan(500);
        }
      }
      // No key, and a wrong one.
      const params = { id: "cus_nobody", email: "a@b.c" };
      await v1.call(method, path, urlOf(path, params), { params, expect: 401 });
      await v1.call(method, path, urlOf(path, params), { params, token: "rk_live_wrong", expect: 401 });
    }
    expect([...v1.seen].sort()).toEqual(OPERATIONS.map(([m, p]) => `${m} ${p}`).sort());
  });
});
