// API keys on the settings page: create (the raw key once), list (never the key), rotate (the old
// key keeps working in its grace period), revoke, who may do it, and whose keys. Both homes.
import { afterEach, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { createSession } from "~/domain/auth/sessions.server";
import { inviteMember } from "~/domain/team/team.server";
import * as statusRoute from "~/routes/api.v1.status";
import { sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../tests/factories";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { configureShopify, sessionTokenFor, storeOfflineSession } from "../../tests/helpers/shopify";
import * as shopifySettings from "./app.settings";
import * as settings from "./dashboard.settings";

const cookie = (token: string) => ({ cookie: `recoup_session=${encodeURIComponent(token)}` });
const get = (token: string) => ({ request: new Request("http://localhost/dashboard/settings", { headers: cookie(token) }), params: {}, context: {} });
const post = (body: unknown, token: string) => ({
  request: new Request("http://localhost/dashboard/settings", { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify(body) }),
  params: {},
  context: {},
});

type Secret = { id: string; name: string; prefix: string; livemode: boolean; key: string };
type WithSecret = { data: { ok: true; toast: string; secret: Secret }; init: ResponseInit };
type Failure = { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };
const failure = (result: unknown) => result as Failure;

async function create(token: string, body: Record<string, unknown> = {}) {
  return (await settings.action(post({ intent: "create-api-key", name: "Billing sync", scopes: ["read"], customScopes: "", livemode: true, ...body }, token))) as unknown as WithSecret;
}

/** What /api/v1/status says about a key: 200 with its workspace, or the refusal's status. */
async function statusWith(key: string) {
  const res = await callRoute(statusRoute, "/api/v1/status", { token: key });
  return { status: res.status, body: await jsonOf(res) };
}

async function teammate(workspaceId: string, role: "admin" | "member") {
  const { member } = await inviteMember({ workspaceId, email: `${role}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@story.example`, role, appUrl: "http://recoup.test" });
  return { userId: member.userId, token: (await createSession({ userId: member.userId, workspaceId })).token };
}

describe("API keys on /dashboard/settings", () => {
  it("create: the raw key is in that answer only (not cached); the database keeps its hash; the page lists it without key or hash", async () => {
    const { workspace, owner, sessionToken } = await makeWorkspace();
    const created = await create(sessionToken, { name: "Billing sync", scopes: ["read", "webhooks"], customScopes: "write:payments,  write:recoveries" });
    expect(created.init.headers).toEqual({ "Cache-Control": "no-store" });
    const { secret, toast } = created.data;
    expect(toast).toBe('API key "Billing sync" created');
    expect(secret.key).toMatch(/^rk_live_[0-9A-Za-z]{32}$/);
    expect(secret.prefix).toBe(secret.key.slice(0, 12));

    const row = await db().apiKey.findUniqueOrThrow({ where: { id: secret.id } });
    expect(row).toMatchObject({ workspaceId: workspace.id, name: "Billing sync", hashedKey: sha256(secret.key), livemode: true, createdByUserId: owner.id });
    expect(row.scopes.sort()).toEqual(["read", "webhooks", "write:payments", "write:recoveries"]);
    expect(JSON.stringify(row)).not.toContain(secret.key);
    expect(await statusWith(secret.key)).toMatchObject({ status: 200, body: { data: { authenticated: true, workspace_id: workspace.id }, meta: { merchant_id: workspace.id } } });

    const page = await settings.loader(get(sessionToken));
    const listed = page.apiKeys.items.find((k) => k.id === secret.id);
    expect(listed).toMatchObject({ name: "Billing sync", prefix: secret.prefix, status: "active", livemode: true, lastUsedAt: expect.any(String) });
    const everything = JSON.stringify(page);
    expect(everything).not.toContain(secret.key);
    expect(everything).not.toContain(row.hashedKey);
    expect(page.access).toMatchObject({ manageApiKeys: true, apiKeysRefusal: null });

    const test = await create(sessionToken, { name: "Staging", livemode: false });
    expect(test.data.secret.key).toMatch(/^rk_test_/);
  });

  it("create: names the field to fix, in plain words, and creates nothing", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const before = await db().apiKey.count({ where: { workspaceId: workspace.id } });
    const cases: Array<[Record<string, unknown>, string, string]> = [
      [{ name: "  " }, "name", "Give the key a name, such as Billing sync."],
      // Refused for every JSON body before the page's own checks (docs/decisions/0028).
      [{ name: "Bad\u0000name" }, "name", "Remove the NUL character (\\u0000)."],
      [{ scopes: [], customScopes: "" }, "scopes", "Choose at least one scope: what the key may do."],
      [{ scopes: ["superuser"] }, "scopes.0", "Choose scopes from the list."],
      [{ customScopes: "read:payments, delete:everything" }, "customScopes", 'Unknown scope "delete:everything". Use read, write, admin, analytics, webhooks, email or forms like read:payments.'],
      [{ customScopes: "read:Payments" }, "customScopes", 'Unknown scope "read:Payments". Use read, write, admin, analytics, webhooks, email or forms like read:payments.'],
      [{ livemode: "yes" }, "livemode", "Choose live or test."],
    ];
    for (const [body, field, message] of cases) {
      const refused = failure(await create(sessionToken, body));
      expect(refused.init.status, JSON.stringify(body)).toBe(400);
      expect(refused.data.fieldErrors[field], JSON.stringify(body)).toEqual(message);
    }
    expect(await db().apiKey.count({ where: { workspaceId: workspace.id } })).toBe(before);
  });

  it("rotate: a new key shown once; the old one is expiring and still authenticates; revoked, it gets a 401", async () => {
    const { sessionToken } = await makeWorkspace();
    const old = (await create(sessionToken, { name: "Warehouse" })).data.secret;

    const rotated = (await settings.action(post({ intent: "rotate-api-key", id: old.id }, sessionToken))) as unknown as WithSecret;
    expect(rotated.init.headers).toEqual({ "Cache-Control": "no-store" });
    expect(rotated.data.toast).toBe('"Warehouse" rotated. The old key keeps working for 24 hours.');
    const fresh = rotated.data.secret;
    expect(fresh).toMatchObject({ name: "Warehouse", livemode: true });
    expect(fresh.key).not.toBe(old.key);

    const page = await settings.loader(get(sessionToken));
    const byId = new Map(page.apiKeys.items.map((k) => [k.id, k]));
    expect(byId.get(old.id)).toMatchObject({ status: "expiring", expiresAt: expect.any(String) });
    const graceLeft = new Date(byId.get(old.id)!.expiresAt!).getTime() - Date.now();
    expect(graceLeft).toBeGreaterThan(23.9 * 3_600_000);
    expect(graceLeft).toBeLessThanOrEqual(24 * 3_600_000);
    expect(byId.get(fresh.id)).toMatchObject({ status: "active" });
    expect(JSON.stringify(page)).not.toContain(fresh.key);

    expect((await statusWith(old.key)).status).toBe(200);
    expect((await statusWith(fresh.key)).status).toBe(200);

    // Rotated once: the replacement is the one to rotate.
    const again = failure(await settings.action(post({ intent: "rotate-api-key", id: old.id }, sessionToken)));
    expect([again.init.status, again.data.message]).toEqual([409, "This key has already been rotated: rotate its replacement instead."]);

    // Revoking the old key ends its grace period at once.
    expect(await settings.action(post({ intent: "revoke-api-key", id: old.id }, sessionToken))).toMatchObject({ ok: true, toast: '"Warehouse" revoked. Requests with it are refused from now on.' });
    expect(await statusWith(old.key)).toMatchObject({ status: 401, body: { error: { code: "UNAUTHORIZED", type: "unauthorized" } } });
    expect((await statusWith(fresh.key)).status).toBe(200);
    expect((await settings.loader(get(sessionToken))).apiKeys.items.find((k) => k.id === old.id)).toMatchObject({ status: "revoked", revokedAt: expect.any(String) });

    const revokedRotation = failure(await settings.action(post({ intent: "rotate-api-key", id: old.id }, sessionToken)));
    expect([revokedRotation.init.status, revokedRotation.data.message]).toEqual([409, "This key is revoked or expired: create a new key instead."]);
  });

  it("revoke: the key gets a 401 at once", async () => {
    const { sessionToken } = await makeWorkspace();
    const key = (await create(sessionToken, { name: "Old script" })).data.secret;
    expect((await statusWith(key.key)).status).toBe(200);
    expect(await settings.action(post({ intent: "revoke-api-key", id: key.id }, sessionToken))).toMatchObject({ ok: true });
    expect((await statusWith(key.key)).status).toBe(401);
  });

  it("a member sees the keys read-only; their create, rotate and revoke are 403s that change nothing", async () => {
    const { workspace, owner } = await makeWorkspace({ ownerEmail: `olive-${Date.now()}@story.example` });
    const existing = await createApiKey({ workspaceId: workspace.id, name: "Billing sync", scopes: ["read"] });
    const member = await teammate(workspace.id, "member");

    const page = await settings.loader(get(member.token));
    expect(page.apiKeys.items.map((k) => k.name)).toContain("Billing sync");
    expect(page.access).toMatchObject({
      manageApiKeys: false,
      apiKeysRefusal: `Only admins can create, rotate or revoke API keys. Ask ${owner.email} (the owner) or an admin to make the change, or to make you an admin.`,
    });

    const before = await db().apiKey.findMany({ where: { workspaceId: workspace.id }, orderBy: { id: "asc" } });
    for (const body of [
      { intent: "create-api-key", name: "Mine now", scopes: ["admin"], customScopes: "", livemode: true },
      { intent: "rotate-api-key", id: existing.id },
      { intent: "revoke-api-key", id: existing.id },
    ]) {
      const refused = failure(await settings.action(post(body, member.token)));
      expect(refused.init.status, body.intent).toBe(403);
      expect(refused.data.message).toBe(page.access.apiKeysRefusal);
    }
    expect(await db().apiKey.findMany({ where: { workspaceId: workspace.id }, orderBy: { id: "asc" } })).toEqual(before);
    expect((await statusWith(existing.key)).status).toBe(200);

    // An admin may.
    const admin = await teammate(workspace.id, "admin");
    expect(await settings.action(post({ intent: "revoke-api-key", id: existing.id }, admin.token))).toMatchObject({ ok: true });
  });

  it("another workspace's key (or an id that can't be one) is not found, and stays as it was", async () => {
    const { sessionToken } = await makeWorkspace();
    const other = await makeWorkspace();
    const theirs = await createApiKey({ workspaceId: other.workspace.id, name: "Theirs", scopes: ["read"] });
    const message = "That API key isn't in this workspace. Reload the page to see its keys.";
    for (const body of [
      { intent: "rotate-api-key", id: theirs.id },
      { intent: "revoke-api-key", id: theirs.id },
      { intent: "rotate-api-key", id: 42 },
    ]) {
      const refused = failure(await settings.action(post(body, sessionToken)));
      expect([refused.init.status, refused.data.message], JSON.stringify(body)).toEqual([404, message]);
    }
    // No body holding a NUL reaches the database (docs/decisions/0028): a 400 that says so.
    const nul = failure(await settings.action(post({ intent: "revoke-api-key", id: "x\u0000y" }, sessionToken)));
    expect([nul.init.status, nul.data.message]).toEqual([400, "The body contains a NUL character (\\u0000), which Recoup does not accept in text."]);
    expect(await db().apiKey.findUniqueOrThrow({ where: { id: theirs.id } })).toMatchObject({ revokedAt: null, expiresAt: null });
    expect(await db().apiKey.count({ where: { rotatedFromId: theirs.id } })).toBe(0);
    expect((await statusWith(theirs.key)).status).toBe(200);
    expect(JSON.stringify(await settings.loader(get(sessionToken)))).not.toContain(theirs.id);
  });
});

describe("API keys inside the Shopify admin", () => {
  afterEach(() => {
    delete process.env.SHOPIFY_API_KEY;
    delete process.env.SHOPIFY_API_SECRET;
  });

  it("Shopify staff list, create and revoke the shop's workspace's keys", async () => {
    configureShopify();
    const shopDomain = "keys-shop.myshopify.com";
    const request = async (body?: unknown) => {
      await storeOfflineSession(shopDomain);
      const headers: Record<string, string> = { authorization: `Bearer ${await sessionTokenFor(shopDomain)}` };
      if (body === undefined) return { request: new Request("http://localhost:3000/app/settings", { headers }), params: {}, context: {} };
      return {
        request: new Request("http://localhost:3000/app/settings", { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(body) }),
        params: {},
        context: {},
      };
    };
    const empty = await shopifySettings.loader(await request());
    expect(empty.apiKeys.items).toEqual([]);
    expect(empty.access).toMatchObject({ manageApiKeys: true });
    const { workspaceId } = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain } });

    const created = (await shopifySettings.action(await request({ intent: "create-api-key", name: "Shop sync", scopes: [], customScopes: "read:payments", livemode: true }))) as unknown as WithSecret;
    const { secret } = created.data;
    expect(await statusWith(secret.key)).toMatchObject({ status: 200, body: { data: { workspace_id: workspaceId, scopes: ["read:payments"] } } });
    const page = await shopifySettings.loader(await request());
    expect(page.apiKeys.items.map((k) => k.name)).toEqual(["Shop sync"]);
    expect(JSON.stringify(page)).not.toContain(secret.key);

    expect(await shopifySettings.action(await request({ intent: "revoke-api-key", id: secret.id }))).toMatchObject({ ok: true });
    expect((await statusWith(secret.key)).status).toBe(401);
  });
});

describe("dashboard tokens for ND8's merchant endpoints", () => {
  it("mints a teammate a short-lived token, shown once, that works as `Authorization: Token` and carries their role", async () => {
    const { workspace, sessionToken } = await makeWorkspace({ name: "Token Co" });
    const minted = (await settings.action(post({ intent: "mint-access-token" }, sessionToken))) as unknown as { data: { ok: true; accessToken: { token: string; expiresAt: string } }; init: ResponseInit };
    expect(minted.init.headers).toEqual({ "Cache-Control": "no-store" });
    const { token, expiresAt } = minted.data.accessToken;
    expect(new Date(expiresAt).getTime() - Date.now()).toBeGreaterThan(11 * 3600_000);
    expect(await db().accessToken.count({ where: { hashedToken: sha256(token) } })).toBe(1);
    expect(JSON.stringify(await settings.loader(get(sessionToken)))).not.toContain(token);

    const organization = await import("./api.organization");
    const res = await callRoute(organization, "/api/organization/", { headers: { authorization: `Token ${token}` } });
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toMatchObject({ name: "Token Co" });
    // The session cookie's token is no ND8 token, and neither is an API key.
    expect((await callRoute(organization, "/api/organization/", { headers: { authorization: `Token ${sessionToken}` } })).status).toBe(401);

    const member = await teammate(workspace.id, "member");
    const memberToken = ((await settings.action(post({ intent: "mint-access-token" }, member.token))) as unknown as { data: { accessToken: { token: string } } }).data.accessToken.token;
    const patch = await callRoute(organization, "/api/organization/", { method: "PATCH", body: { name: "Renamed" }, headers: { authorization: `Token ${memberToken}` } });
    expect(patch.status).toBe(403);
  });
});
