// LostChurn 59–61: email suppressions over the API, in LostChurn's shapes: the list (offset pages,
// search, reason, active_only), the lift (404 for an address not suppressed here), the stats; the
// documented scopes ("email or read", "email or write").
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { isSuppressed, suppress } from "~/domain/deliverability/suppressions.server";
import * as listRoute from "~/routes/api.v1.email.suppressions";
import * as oneRoute from "~/routes/api.v1.email.suppressions.$email";
import * as statsRoute from "~/routes/api.v1.email.suppressions.stats";
import { testClock } from "~/utils/clock.server";
import { makeWorkspace } from "../factories";
import { useV1Caller } from "../helpers/openapi";

const v1 = useV1Caller({
  "/api/v1/email/suppressions": listRoute,
  "/api/v1/email/suppressions/{email}": oneRoute,
  "/api/v1/email/suppressions/stats": statsRoute,
});
afterAll(() => testClock.reset());

const LIST = "/api/v1/email/suppressions";
const ONE = "/api/v1/email/suppressions/{email}";
const STATS = "/api/v1/email/suppressions/stats";
const one = (email: string) => `/api/v1/email/suppressions/${encodeURIComponent(email)}`;

async function seeded() {
  const ws = await makeWorkspace();
  const at = (iso: string) => testClock.set(new Date(iso));
  at("2026-11-01T00:00:00Z");
  await suppress({ workspaceId: ws.workspace.id, email: "bounced@example.com", reason: "hard_bounce", source: "smtp", detail: "550 5.1.1 no such user" });
  at("2026-11-20T00:00:00Z");
  await suppress({ workspaceId: ws.workspace.id, email: "angry@shop.example", reason: "complaint", source: "ses" });
  at("2026-11-25T00:00:00Z");
  await suppress({ workspaceId: ws.workspace.id, email: "left@example.com", reason: "unsubscribe", source: "list_unsubscribe" });
  return ws;
}

describe("GET /api/v1/email/suppressions", () => {
  it("lists the active suppressions newest first, paged as LostChurn documents, with search, reason and active_only", async () => {
    const ws = await seeded();
    const all = await v1.call("GET", LIST, LIST, { token: ws.apiKey, expect: 200 });
    expect(all.body.meta?.merchant_id).toBe(ws.workspace.id);
    expect(all.body.pagination).toEqual({ page: 1, per_page: 25, total: 3, total_pages: 1 });
    expect(all.data.map((s: { email: string }) => s.email)).toEqual(["left@example.com", "angry@shop.example", "bounced@example.com"]);
    expect(all.data[2]).toEqual({
      id: expect.any(String),
      email: "bounced@example.com",
      reason: "hard_bounce",
      source: "smtp",
      detail: "550 5.1.1 no such user",
      active: true,
      created_at: "2026-11-01T00:00:00.000Z",
      lifted_at: null,
      lifted_by: null,
    });
    const search = await v1.call("GET", LIST, `${LIST}?search=SHOP.example`, { token: ws.apiKey, expect: 200 });
    expect(search.data.map((s: { email: string }) => s.email)).toEqual(["angry@shop.example"]);
    const bounces = await v1.call("GET", LIST, `${LIST}?reason=hard_bounce`, { token: ws.apiKey, expect: 200 });
    expect(bounces.data.map((s: { email: string }) => s.email)).toEqual(["bounced@example.com"]);
    const page = await v1.call("GET", LIST, `${LIST}?per_page=2&page=2`, { token: ws.apiKey, expect: 200 });
    expect(page.body.pagination).toEqual({ page: 2, per_page: 2, total: 3, total_pages: 2 });

    await v1.call("DELETE", ONE, one("left@example.com"), { params: { email: "left@example.com" }, token: ws.apiKey, expect: 200 });
    expect((await v1.call("GET", LIST, LIST, { token: ws.apiKey, expect: 200 })).body.pagination?.total).toBe(2);
    const withLifted = await v1.call("GET", LIST, `${LIST}?active_only=false`, { token: ws.apiKey, expect: 200 });
    expect(withLifted.data.map((s: { email: string; active: boolean }) => [s.email, s.active])).toEqual([
      ["left@example.com", false],
      ["angry@shop.example", true],
      ["bounced@example.com", true],
    ]);

    const bad = await v1.call("GET", LIST, `${LIST}?reason=bored`, { token: ws.apiKey, expect: 400 });
    expect(bad.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
    await v1.call("GET", LIST, `${LIST}?active_only=maybe`, { token: ws.apiKey, expect: 400 });
  });

  it("shows a workspace only its own suppressions", async () => {
    await seeded();
    const other = await makeWorkspace();
    const res = await v1.call("GET", LIST, LIST, { token: other.apiKey, expect: 200 });
    expect(res.data).toEqual([]);
  });
});

describe("DELETE /api/v1/email/suppressions/{email}", () => {
  it("lifts the active suppression (any case), recording the key; a second lift and another workspace's address are 404 suppression_not_found", async () => {
    const ws = await seeded();
    testClock.set(new Date("2026-12-01T09:30:00Z"));
    const key = await createApiKey({ workspaceId: ws.workspace.id, name: "support", scopes: ["email"] });
    const lifted = await v1.call("DELETE", ONE, one("Bounced@Example.com"), { params: { email: "Bounced@Example.com" }, token: key.key, expect: 200 });
    expect(lifted.data).toMatchObject({ email: "bounced@example.com", reason: "hard_bounce", active: false, lifted_at: "2026-12-01T09:30:00.000Z", lifted_by: `api_key:${key.id}` });
    expect(await isSuppressed(ws.workspace.id, "bounced@example.com")).toBeNull();

    const again = await v1.call("DELETE", ONE, one("bounced@example.com"), { params: { email: "bounced@example.com" }, token: ws.apiKey, expect: 404 });
    expect(again.error).toMatchObject({ code: "NOT_FOUND", type: "suppression_not_found" });
    const other = await makeWorkspace();
    const foreign = await v1.call("DELETE", ONE, one("angry@shop.example"), { params: { email: "angry@shop.example" }, token: other.apiKey, expect: 404 });
    expect(foreign.error).toMatchObject({ type: "suppression_not_found" });
    expect(await isSuppressed(ws.workspace.id, "angry@shop.example")).toEqual({ reason: "complaint", source: "ses" });
    await v1.call("DELETE", ONE, one("not-an-address"), { params: { email: "not-an-address" }, token: ws.apiKey, expect: 400 });
  });

  it("takes a key with email or write, and refuses one with read only", async () => {
    const ws = await seeded();
    const readOnly = await createApiKey({ workspaceId: ws.workspace.id, name: "ro", scopes: ["read"] });
    const refused = await v1.call("DELETE", ONE, one("angry@shop.example"), { params: { email: "angry@shop.example" }, token: readOnly.key, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "email|write" });
    const writer = await createApiKey({ workspaceId: ws.workspace.id, name: "rw", scopes: ["write"] });
    await v1.call("DELETE", ONE, one("angry@shop.example"), { params: { email: "angry@shop.example" }, token: writer.key, expect: 200 });
  });
});

describe("GET /api/v1/email/suppressions/stats", () => {
  it("counts active and lifted suppressions, the active ones by reason and source, and the last 30 days", async () => {
    const ws = await seeded();
    testClock.set(new Date("2026-12-05T00:00:00Z"));
    await v1.call("DELETE", ONE, one("left@example.com"), { params: { email: "left@example.com" }, token: ws.apiKey, expect: 200 });
    const key = await createApiKey({ workspaceId: ws.workspace.id, name: "reader", scopes: ["read"] });
    const stats = await v1.call("GET", STATS, STATS, { token: key.key, expect: 200 });
    expect(stats.data).toMatchObject({ total: 3, active: 2, lifted: 1, recent: { days: 30, total: 2 } });
    expect(stats.data.by_reason).toEqual([
      { reason: "hard_bounce", count: 1 },
      { reason: "complaint", count: 1 },
      { reason: "unsubscribe", count: 0 },
      { reason: "manual", count: 0 },
    ]);
    expect(stats.data.by_source).toEqual(expect.arrayContaining([{ source: "smtp", count: 1 }, { source: "ses", count: 1 }, { source: "list_unsubscribe", count: 0 }]));
    const analytics = await createApiKey({ workspaceId: ws.workspace.id, name: "analytics", scopes: ["analytics"] });
    await v1.call("GET", STATS, STATS, { token: analytics.key, expect: 403 });
  });
});
