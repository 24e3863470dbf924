// ND8's merchant operations (seed 003): the organization (profile, dashboard snapshot, API keys,
// webhook) and payment links, called as the dashboard calls them (`Authorization: Token <token>`),
// and the links' public preview and start as a customer's browser calls them. Every answer the seed
// gives a schema is checked against the seed itself; every error body against its `Error`.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { mintAccessToken } from "~/domain/auth/access-tokens.server";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { newRefundPublicId, newTransactionPublicId } from "~/domain/collect/transactions.server";
import * as organizationRoute from "~/routes/api.organization";
import * as apiKeysRoute from "~/routes/api.organization.api-keys";
import * as rotateRoute from "~/routes/api.organization.api-keys.rotate";
import * as dashboardRoute from "~/routes/api.organization.dashboard";
import * as webhookRoute from "~/routes/api.organization.webhook";
import * as linksRoute from "~/routes/api.payment-links";
import * as linkRoute from "~/routes/api.payment-links.$id";
import * as linkPaymentsRoute from "~/routes/api.payment-links.$id.payments";
import * as publicRoute from "~/routes/api.payment-links.public.$token";
import * as startRoute from "~/routes/api.payment-links.public.$token.start";
import * as refundsRoute from "~/routes/api.refunds";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import type { FakeStripe } from "../fakes/stripe-server";
import { connectStripeAccount, makeTeammate, makeWorkspace } from "../factories";
import { callRoute } from "../helpers/http";
import { contractOf, liftRateLimits } from "../helpers/openapi";
import { setUpStripe } from "../helpers/stripe";

type Json = Record<string, unknown>;
type RouteModule = Parameters<typeof callRoute>[0];

const ACCOUNT = "acct_nd8_links";
const seed = parse(readFileSync("../shared/seeds/003_da12c9f9df4a4927.txt", "utf8")) as Json;
const nd8 = contractOf(seed);
/** The seed's component schemas for answers whose operation names none (its 400s, 404s, 410s; the start's 201). */
const components = contractOf({
  openapi: seed.openapi,
  components: seed.components,
  paths: Object.fromEntries(
    ["Error", "CheckoutCreateResponse"].map((name) => [`/${name}`, { get: { responses: { default: { content: { "application/json": { schema: { $ref: `#/components/schemas/${name}` } } } } } } }]),
  ),
} as Json);

let stripe: FakeStripe;
let workspaceId: string;
let ownerToken: string;
let memberToken: string;
let otherToken: string;
let apiKey: string;

type Auth = { token?: string | null; authorization?: string };

/**
 * An ND8 call: `Authorization: Token …` (the owner's unless told), the answer checked against the
 * seed's schema where it declares one, and any error against the seed's `Error` with a non-empty detail.
 */
async function call(mod: RouteModule, method: string, seedPath: string, path: string, opts: Auth & { body?: unknown; params?: Record<string, string> } = {}) {
  const headers: Record<string, string> = {};
  const token = opts.token === undefined ? ownerToken : opts.token;
  if (opts.authorization) headers.authorization = opts.authorization;
  else if (token) headers.authorization = `Token ${token}`;
  const res = await callRoute(mod, path, { method, headers, body: opts.body, params: opts.params });
  const text = await res.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  const type = res.headers.get("content-type");
  if (nd8.declaresBody(seedPath, method, res.status)) nd8.assertResponse(seedPath, method, res.status, body, type);
  if (res.status >= 400) {
    components.assertResponse("/Error", "GET", res.status, body, type);
    expect(typeof (body as Json).detail, text).toBe("string");
    expect(String((body as Json).detail).length, text).toBeGreaterThan(0);
  }
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read the answer's JSON as it comes
  return { status: res.status, body: body as any, text, headers: res.headers };
}

const billing = { billing_country: "US", billing_first_name: "Ada", billing_last_name: "Lovelace", billing_email: "ada@example.com" };

liftRateLimits();

beforeAll(async () => {
  stripe = await setUpStripe();
  process.env.APP_URL = "https://pay.recoup.test";
  resetEnv();
  const w = await makeWorkspace({ name: "ND8 links merchant" });
  workspaceId = w.workspace.id;
  apiKey = w.apiKey;
  ownerToken = (await mintAccessToken({ workspaceId, userId: w.owner.id })).token;
  const member = await makeTeammate(workspaceId, "member");
  memberToken = (await mintAccessToken({ workspaceId, userId: member.user.id })).token;
  const other = await makeWorkspace({ name: "Someone else" });
  otherToken = (await mintAccessToken({ workspaceId: other.workspace.id, userId: other.owner.id })).token;
  await connectStripeAccount(workspaceId, ACCOUNT);
  stripe.putProduct(ACCOUNT, { id: "prod_tee", name: "T-shirt" });
  stripe.putPrice(ACCOUNT, { id: "price_tee", product: "prod_tee", unit_amount: 2500, currency: "usd" });
  stripe.putProduct(ACCOUNT, { id: "prod_mug", name: "Mug", default_price: "price_mug" });
  stripe.putPrice(ACCOUNT, { id: "price_mug", product: "prod_mug", unit_amount: 900, currency: "usd" });
  stripe.putProduct(ACCOUNT, { id: "prod_poster", name: "Poster" });
  stripe.putPrice(ACCOUNT, { id: "price_poster_eur", product: "prod_poster", unit_amount: 1250, currency: "eur" });
});

afterAll(async () => {
  await stripe?.close();
});

describe("authentication", () => {
  it("answers 401 without a token, with a bad one, and with an API key (payment links are not for API keys)", async () => {
    for (const auth of [{ token: null }, { authorization: "Token rat_not_a_real_token" }, { authorization: "Token " }]) {
      for (const [mod, seedPath, path] of [
        [linksRoute, "/payment-links/", "/api/payment-links/"],
        [organizationRoute, "/organization/", "/api/organization/"],
        [dashboardRoute, "/organization/dashboard/", "/api/organization/dashboard/"],
      ] as const) {
        const res = await call(mod, "GET", seedPath, path, auth);
        expect(res.status, `${path} ${JSON.stringify(auth)}`).toBe(401);
      }
    }
    const withKey = await call(linksRoute, "GET", "/payment-links/", "/api/payment-links/", { authorization: `Api-Key ${apiKey}` });
    expect(withKey.status).toBe(401);
    expect(withKey.body.detail).toMatch(/Token/);
    const keyPost = await call(linksRoute, "POST", "/payment-links/", "/api/payment-links/", { authorization: `Api-Key ${apiKey}`, body: { name: "x", products: [{ product_id: "price_tee", quantity: 1 }] } });
    expect(keyPost.status).toBe(401);
    const bearerKey = await call(organizationRoute, "GET", "/organization/", "/api/organization/", { authorization: `Bearer ${apiKey}` });
    expect(bearerKey.status).toBe(401);
  });

  it("lets a member read but only owners and admins write (403)", async () => {
    expect((await call(organizationRoute, "GET", "/organization/", "/api/organization/", { token: memberToken })).status).toBe(200);
    expect((await call(linksRoute, "GET", "/payment-links/", "/api/payment-links/", { token: memberToken })).status).toBe(200);
    expect((await call(dashboardRoute, "GET", "/organization/dashboard/", "/api/organization/dashboard/", { token: memberToken })).status).toBe(200);
    expect((await call(webhookRoute, "GET", "/organization/webhook/", "/api/organization/webhook/", { token: memberToken })).status).toBe(200);
    const writes = [
      await call(organizationRoute, "PATCH", "/organization/", "/api/organization/", { token: memberToken, body: { name: "Taken over" } }),
      await call(linksRoute, "POST", "/payment-links/", "/api/payment-links/", { token: memberToken, body: { name: "x", products: [{ product_id: "price_tee", quantity: 1 }] } }),
      await call(apiKeysRoute, "POST", "/organization/api-keys/", "/api/organization/api-keys/", { token: memberToken, body: { name: "sneaky" } }),
      await call(apiKeysRoute, "GET", "/organization/api-keys/", "/api/organization/api-keys/", { token: memberToken }),
      await call(rotateRoute, "POST", "/organization/api-keys/rotate/", "/api/organization/api-keys/rotate/", { token: memberToken, body: {} }),
      await call(webhookRoute, "PUT", "/organization/webhook/", "/api/organization/webhook/", { token: memberToken, body: { endpoint_url: "https://93.184.215.14/hooks" } }),
    ];
    for (const res of writes) expect(res.status, res.text).toBe(403);
    expect((await db().workspace.findUniqueOrThrow({ where: { id: workspaceId } })).name).toBe("ND8 links merchant");
    expect(await db().paymentLink.count({ where: { workspaceId } })).toBe(0);
  });

  it("answers a wrong method with 405 and Allow", async () => {
    const res = await call(linksRoute, "PUT", "/payment-links/", "/api/payment-links/", { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, POST");
    expect((await call(dashboardRoute, "POST", "/organization/dashboard/", "/api/organization/dashboard/", { body: {} })).status).toBe(405);
    expect((await call(rotateRoute, "GET", "/organization/api-keys/rotate/", "/api/organization/api-keys/rotate/")).status).toBe(405);
  });
});

describe("organization profile", () => {
  it("reads the profile", async () => {
    const { status, body } = await call(organizationRoute, "GET", "/organization/", "/api/organization/", {});
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: workspaceId, name: "ND8 links merchant", website: null, contact_email: null, telegram: null, price_mode: "TAX_EXCLUSIVE" });
    expect(body.created_at).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it("updates the editable fields, ignores the others, and keeps them", async () => {
    const { status, body } = await call(organizationRoute, "PATCH", "/organization/", "/api/organization/", {
      body: { name: "  Acme Tees  ", website: "https://tees.example", contact_email: "billing@tees.example", telegram: "@acmetees", id: "org_forged", currency: "EUR" },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: workspaceId, name: "Acme Tees", website: "https://tees.example", contact_email: "billing@tees.example", telegram: "@acmetees", currency: "USD" });
    const again = await call(organizationRoute, "GET", "/organization/", "/api/organization/", {});
    expect(again.body).toMatchObject({ name: "Acme Tees", website: "https://tees.example", contact_email: "billing@tees.example", telegram: "@acmetees" });
    // "" clears a field; a field left out stays as it is.
    const cleared = await call(organizationRoute, "PATCH", "/organization/", "/api/organization/", { body: { telegram: "" } });
    expect(cleared.body).toMatchObject({ telegram: null, website: "https://tees.example" });
  });

  it("refuses an invalid email, URL, price mode or name with 400 naming the field", async () => {
    for (const [body, field] of [
      [{ contact_email: "not-an-email" }, /contact_email/],
      [{ website: "not a url" }, /website/],
      [{ website: "javascript:alert(1)" }, /website/],
      [{ price_mode: "TAX_SOMETIMES" }, /price_mode/],
      [{ name: "" }, /name/],
    ] as const) {
      const res = await call(organizationRoute, "PATCH", "/organization/", "/api/organization/", { body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.detail).toMatch(field);
    }
    expect((await db().workspace.findUniqueOrThrow({ where: { id: workspaceId } })).contactEmail).toBe("billing@tees.example");
  });
});

describe("dashboard snapshot", () => {
  it("totals payments and refunds by status and currency, the wallet, and the 5 newest payments, of this organization only", async () => {
    const w = await makeWorkspace({ name: "Dashboard merchant" });
    const token = (await mintAccessToken({ workspaceId: w.workspace.id, userId: w.owner.id })).token;
    let minute = 0;
    const tx = (workspaceId: string, status: string, amountMinor: number, currency: string) =>
      db().transaction.create({
        data: {
          publicId: newTransactionPublicId(),
          workspaceId,
          connectionId: "conn_test",
          provider: "stripe",
          livemode: true,
          source: "checkout",
          status,
          amountMinor,
          currency,
          createdAt: new Date(Date.UTC(2026, 0, 1, 12, minute++)),
        },
      });
    const refund = (t: { id: string; workspaceId: string; currency: string }, status: string, amountMinor: number) =>
      db().refund.create({ data: { publicId: newRefundPublicId(), workspaceId: t.workspaceId, transactionId: t.id, amountMinor, currency: t.currency, reason: "test", status } });
    const paid1 = await tx(w.workspace.id, "paid", 1000, "USD");
    await tx(w.workspace.id, "paid", 550, "USD");
    const refunded = await tx(w.workspace.id, "refunded", 2000, "USD");
    await tx(w.workspace.id, "failed", 300, "EUR");
    await tx(w.workspace.id, "processing", 700, "EUR");
    const paidEur = await tx(w.workspace.id, "paid", 1200, "EUR");
    await refund(refunded, "completed", 2000);
    await refund(paid1, "pending", 150);
    await refund(paidEur, "rejected", 200);
    const elsewhere = await tx(workspaceId, "paid", 99_999, "USD");
    await refund(elsewhere, "completed", 99_999);
    // A £0.01 setup-test payment verifies a connection: it is not business, and no report counts it.
    const setupTest = await tx(w.workspace.id, "paid", 1, "USD");
    await db().transaction.update({ where: { id: setupTest.id }, data: { isSetupTest: true, createdAt: new Date(Date.UTC(2025, 0, 1)) } });
    await refund(setupTest, "completed", 1);

    const { status, body } = await call(dashboardRoute, "GET", "/organization/dashboard/", "/api/organization/dashboard/", { token });
    expect(status).toBe(200);
    expect(body.transactions.count).toBe(6);
    expect(body.transactions.by_status).toEqual({
      processing: { count: 1, volume: { EUR: "7.00" } },
      paid: { count: 3, volume: { EUR: "12.00", USD: "15.50" } },
      failed: { count: 1, volume: { EUR: "3.00" } },
      canceled: { count: 0, volume: {} },
      refund_pending: { count: 0, volume: {} },
      refunded: { count: 1, volume: { USD: "20.00" } },
    });
    expect(body.refunds.count).toBe(3);
    expect(body.refunds.by_status).toMatchObject({
      pending: { count: 1, volume: { USD: "1.50" } },
      completed: { count: 1, volume: { USD: "20.00" } },
      rejected: { count: 1, volume: { EUR: "2.00" } },
      failed: { count: 0, volume: {} },
    });
    expect(body.wallet).toEqual({
      USD: { paid: "35.50", refunded: "20.00", pending_refunds: "1.50", balance: "14.00" },
      EUR: { paid: "12.00", refunded: "0.00", pending_refunds: "0.00", balance: "12.00" },
    });
    expect(body.recent_transactions).toHaveLength(5);
    expect(body.recent_transactions[0]).toMatchObject({ id: paidEur.publicId, amount: "12.00", currency: "EUR", status: "paid" });
    expect(body.recent_transactions.map((t: Json) => t.id)).not.toContain(paid1.publicId);
    expect(body.recent_transactions.map((t: Json) => t.id)).not.toContain(elsewhere.publicId);
    // Test mode only: none of these.
    const test = await call(dashboardRoute, "GET", "/organization/dashboard/", "/api/organization/dashboard/?livemode=false", { token });
    expect(test.body.transactions.count).toBe(0);
    expect(test.body.wallet).toEqual({});
  });
});

describe("API keys", () => {
  let nd8KeyId: string;
  let nd8RawKey: string;

  it("creates a key in ND8's scope names, its raw_key shown this once", async () => {
    const { status, body } = await call(apiKeysRoute, "POST", "/organization/api-keys/", "/api/organization/api-keys/", { body: { name: "Checkout server", allowed_scopes: "checkout:create refunds:write" } });
    expect(status).toBe(201);
    expect(body).toMatchObject({ name: "Checkout server", allowed_scopes: "checkout:create refunds:write", status: "active", last_used_at: null });
    expect(body.raw_key).toMatch(/^rk_live_/);
    expect(body.prefix).toBe(String(body.raw_key).slice(0, 12));
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: body.id } })).scopes).toEqual(["write:checkout", "write:refunds"]);
    const comma = await call(apiKeysRoute, "POST", "/organization/api-keys/", "/api/organization/api-keys/", { body: { name: "Reader", allowed_scopes: "payments:read,refunds:read" } });
    expect(comma.body.allowed_scopes).toBe("payments:read refunds:read");

    const all = await call(apiKeysRoute, "POST", "/organization/api-keys/", "/api/organization/api-keys/", { body: { name: "Everything" } });
    expect(all.status).toBe(201);
    expect(String(all.body.allowed_scopes).split(" ").sort()).toEqual(["checkout:create", "payments:read", "payments:write", "refunds:read", "refunds:write"]);
    nd8KeyId = all.body.id;
    nd8RawKey = all.body.raw_key;
  });

  it("refuses unknown scope names with 400 naming them", async () => {
    for (const allowed_scopes of ["checkout:create bogus:scope", "admin", " , "]) {
      const res = await call(apiKeysRoute, "POST", "/organization/api-keys/", "/api/organization/api-keys/", { body: { name: "x", allowed_scopes } });
      expect(res.status, allowed_scopes).toBe(400);
      expect(res.body.detail).toMatch(/allowed_scopes/);
    }
    const res = await call(apiKeysRoute, "POST", "/organization/api-keys/", "/api/organization/api-keys/", { body: { allowed_scopes: "checkout:create bogus:scope" } });
    expect(res.body.detail).toMatch(/bogus:scope/);
  });

  it("lists keys' metadata, never a raw key", async () => {
    const { status, body, text } = await call(apiKeysRoute, "GET", "/organization/api-keys/", "/api/organization/api-keys/", {});
    expect(status).toBe(200);
    expect(body.map((k: Json) => k.name)).toEqual(["Everything", "Reader", "Checkout server", "test"]);
    expect(body[3]).toMatchObject({ allowed_scopes: "admin", status: "active" });
    expect(text).not.toContain(nd8RawKey);
    expect(text).not.toContain(apiKey);
    for (const key of body as Json[]) {
      expect(key).not.toHaveProperty("raw_key");
      expect(Object.keys(key).sort()).toEqual(["allowed_scopes", "created_at", "expires_at", "id", "last_used_at", "livemode", "name", "prefix", "status"]);
    }
  });

  it("rotates the newest key made here by default: the new raw_key works, the old one through its grace period", async () => {
    // A newer key that is not ND8-shaped (all of Recoup's scopes) is passed over by the default.
    await createApiKey({ workspaceId, name: "Recoup admin", scopes: ["admin"] });
    const { status, body } = await call(rotateRoute, "POST", "/organization/api-keys/rotate/", "/api/organization/api-keys/rotate/", {});
    expect(status).toBe(200);
    expect(body.rotated_from.id).toBe(nd8KeyId);
    expect(body.name).toBe("Everything");
    expect(body.raw_key).toMatch(/^rk_live_/);
    expect(body.raw_key).not.toBe(nd8RawKey);
    const graceEnd = Date.parse(body.rotated_from.expires_at) - Date.now();
    expect(graceEnd).toBeGreaterThan(23 * 3600_000);
    expect(graceEnd).toBeLessThanOrEqual(24 * 3600_000);

    for (const key of [body.raw_key, nd8RawKey]) {
      const res = await callRoute(refundsRoute, "/api/refunds/", { headers: { authorization: `Api-Key ${key}` } });
      expect(res.status).toBe(200);
    }
    const list = await call(apiKeysRoute, "GET", "/organization/api-keys/", "/api/organization/api-keys/", {});
    expect(list.body.find((k: Json) => k.id === nd8KeyId)).toMatchObject({ status: "expiring" });
    expect(list.text).not.toContain(body.raw_key);

    // Once rotated, a key cannot be rotated again; an explicit id picks the key; an unknown id is 404.
    expect((await call(rotateRoute, "POST", "/organization/api-keys/rotate/", "/api/organization/api-keys/rotate/", { body: { id: nd8KeyId } })).status).toBe(409);
    const byId = await call(rotateRoute, "POST", "/organization/api-keys/rotate/", "/api/organization/api-keys/rotate/", { body: { id: body.id } });
    expect(byId.status).toBe(200);
    expect(byId.body.rotated_from.id).toBe(body.id);
    expect((await call(rotateRoute, "POST", "/organization/api-keys/rotate/", "/api/organization/api-keys/rotate/", { body: { id: "nope" } })).status).toBe(404);
    const theirs = await call(rotateRoute, "POST", "/organization/api-keys/rotate/", "/api/organization/api-keys/rotate/", { token: otherToken, body: { id: byId.body.id } });
    expect(theirs.status).toBe(404);
  });
});

describe("webhook", () => {
  it("shows none before one is set", async () => {
    const { status, body } = await call(webhookRoute, "GET", "/organization/webhook/", "/api/organization/webhook/", {});
    expect(status).toBe(200);
    expect(body).toEqual({ endpoint_url: null, events: ["transaction.status_changed", "refund.status_changed"], enabled: false, secret_preview: null, created_at: null, updated_at: null });
  });

  it("refuses a private or non-https address with 400 and the reason", async () => {
    for (const endpoint_url of ["http://10.0.0.1/x", "https://10.0.0.1/x", "https://169.254.169.254/latest/meta-data", "not a url"]) {
      const res = await call(webhookRoute, "PUT", "/organization/webhook/", "/api/organization/webhook/", { body: { endpoint_url } });
      expect(res.status, endpoint_url).toBe(400);
      expect(res.body.detail).toMatch(/^endpoint_url: /);
    }
    const privateOne = await call(webhookRoute, "PUT", "/organization/webhook/", "/api/organization/webhook/", { body: { endpoint_url: "https://10.0.0.1/x" } });
    expect(privateOne.body.detail).toMatch(/public internet addresses only/);
    expect((await call(webhookRoute, "PUT", "/organization/webhook/", "/api/organization/webhook/", { body: {} })).status).toBe(400);
    expect(await db().webhookEndpoint.count({ where: { workspaceId } })).toBe(0);
  });

  it("creates it with its signing secret shown once, then changes only its URL", async () => {
    const created = await call(webhookRoute, "PUT", "/organization/webhook/", "/api/organization/webhook/", { body: { endpoint_url: "https://93.184.215.14/hooks" } });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ endpoint_url: "https://93.184.215.14/hooks", events: ["transaction.status_changed", "refund.status_changed"], enabled: true });
    expect(created.body.signing_secret).toMatch(/^whsec_/);
    expect(created.body.secret_preview).toBe(`${String(created.body.signing_secret).slice(0, 8)}…`);

    const read = await call(webhookRoute, "GET", "/organization/webhook/", "/api/organization/webhook/", {});
    expect(read.body).not.toHaveProperty("signing_secret");
    expect(read.text).not.toContain(created.body.signing_secret);
    expect(read.body).toMatchObject({ endpoint_url: "https://93.184.215.14/hooks", secret_preview: created.body.secret_preview });

    const moved = await call(webhookRoute, "PUT", "/organization/webhook/", "/api/organization/webhook/", { body: { endpoint_url: "https://93.184.215.15/v2/hooks" } });
    expect(moved.status).toBe(200);
    expect(moved.body).not.toHaveProperty("signing_secret");
    expect(moved.body).toMatchObject({ endpoint_url: "https://93.184.215.15/v2/hooks", secret_preview: created.body.secret_preview });
    const rows = await db().webhookEndpoint.findMany({ where: { workspaceId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ description: "ND8 organization webhook", url: "https://93.184.215.15/v2/hooks" });
    // Still refused afterwards, and the URL stays.
    expect((await call(webhookRoute, "PUT", "/organization/webhook/", "/api/organization/webhook/", { body: { endpoint_url: "http://10.0.0.1/x" } })).status).toBe(400);
    expect((await db().webhookEndpoint.findUniqueOrThrow({ where: { id: rows[0]!.id } })).url).toBe("https://93.184.215.15/v2/hooks");
  });
});

describe("payment links", () => {
  let linkId: string;

  const create = (body: unknown, auth: Auth = {}) => call(linksRoute, "POST", "/payment-links/", "/api/payment-links/", { ...auth, body });
  const get = (id: string, auth: Auth = {}) => call(linkRoute, "GET", "/payment-links/{id}/", `/api/payment-links/${id}/`, { ...auth, params: { id } });
  const preview = (token: string) => call(publicRoute, "GET", "/payment-links/public/{token}/", `/api/payment-links/public/${token}/`, { token: null, params: { token } });
  const start = (token: string, body: unknown = billing) => call(startRoute, "POST", "/payment-links/public/{token}/start/", `/api/payment-links/public/${token}/start/`, { token: null, params: { token }, body });
  const paid = (id: string, amountMinor: number, status = "paid") =>
    db().transaction.create({
      data: { publicId: newTransactionPublicId(), workspaceId, connectionId: "conn_test", provider: "stripe", livemode: false, source: "payment_link", paymentLinkId: id, status, amountMinor, currency: "USD" },
    });

  it("creates a link from catalogue products, priced now, in exact decimal strings", async () => {
    const { status, body } = await create({
      name: "Summer merch",
      products: [
        { product_id: "price_tee", quantity: 2 },
        { product_id: "prod_mug", quantity: 1 },
      ],
      max_uses: 10,
      metadata: { campaign: "summer" },
    });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: "Summer merch",
      currency: "USD",
      pricing_mode: "TAX_EXCLUSIVE",
      amount: "59.00",
      max_uses: 10,
      expires_at: null,
      is_active: true,
      metadata: { campaign: "summer" },
      products: [
        { product_id: "price_tee", name: "T-shirt", quantity: 2, unit_price: "25.00", amount: "50.00" },
        { product_id: "prod_mug", name: "Mug", quantity: 1, unit_price: "9.00", amount: "9.00" },
      ],
    });
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    linkId = body.id;
    const row = await db().paymentLink.findUniqueOrThrow({ where: { id: linkId } });
    expect(row).toMatchObject({ workspaceId, amountMinor: 5900, currency: "USD" });
    expect(row.products).toEqual([
      { product_id: "price_tee", name: "T-shirt", unit_amount_minor: 2500, quantity: 2 },
      { product_id: "prod_mug", name: "Mug", unit_amount_minor: 900, quantity: 1 },
    ]);

    const eur = await create({ name: "Posters", currency: "EUR", pricing_mode: "TAX_INCLUSIVE", products: [{ product_id: "price_poster_eur", quantity: 3 }], expires_at: "2099-01-01T00:00:00+01:00" });
    expect(eur.status).toBe(201);
    expect(eur.body).toMatchObject({ currency: "EUR", pricing_mode: "TAX_INCLUSIVE", amount: "37.50", expires_at: "2098-12-31T23:00:00.000Z", metadata: null, max_uses: null });
  });

  it("refuses bad links with 400 naming what is wrong", async () => {
    for (const [body, words] of [
      [{ name: "x", products: [{ product_id: "price_nowhere", quantity: 1 }] }, /price_nowhere/],
      [{ name: "x", currency: "EUR", products: [{ product_id: "price_tee", quantity: 1 }] }, /price_tee.*USD/],
      [{ name: "x", currency: "GBP", products: [{ product_id: "price_tee", quantity: 1 }] }, /currency/],
      [{ name: "x", products: [] }, /products/],
      [{ name: "x", products: [{ product_id: "price_tee" }] }, /quantity/],
      [{ name: "x", products: [{ product_id: "price_tee", quantity: 0 }] }, /quantity/],
      [{ products: [{ product_id: "price_tee", quantity: 1 }] }, /name/],
      [{ name: "x", products: [{ product_id: "price_tee", quantity: 1 }], max_uses: 0 }, /max_uses/],
      [{ name: "x", products: [{ product_id: "price_tee", quantity: 1 }], expires_at: "tomorrow" }, /expires_at/],
      [{ name: "x", products: [{ product_id: "price_tee", quantity: 1 }], expires_at: "2001-01-01T00:00:00Z" }, /expires_at/],
      [{ name: "x", products: [{ product_id: "price_tee", quantity: 1 }], pricing_mode: "VAT" }, /pricing_mode/],
      [{ name: "x", products: [{ product_id: "price_tee", quantity: 1 }], metadata: ["not", "an", "object"] }, /metadata/],
    ] as const) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.detail, JSON.stringify(body)).toMatch(words);
    }
    const invalidJson = await call(linksRoute, "POST", "/payment-links/", "/api/payment-links/", { body: "{nope" });
    expect(invalidJson.status).toBe(400);
  });

  it("lists links newest first and shows one with its stats", async () => {
    const list = await call(linksRoute, "GET", "/payment-links/", "/api/payment-links/", {});
    expect(list.status).toBe(200);
    expect(list.body.map((l: Json) => l.name)).toEqual(["Posters", "Summer merch"]);
    expect(list.headers.get("x-total-count")).toBe("2");
    expect((await call(linksRoute, "GET", "/payment-links/", "/api/payment-links/?page=2&page_size=1", {})).body.map((l: Json) => l.name)).toEqual(["Summer merch"]);

    const { status, body } = await get(linkId);
    expect(status).toBe(200);
    expect(body).toMatchObject({ id: linkId, amount: "59.00", stats: { payments_count: 0, paid_count: 0, paid_volume: "0.00", remaining_uses: 10 } });
  });

  it("hides another organization's link (404), as it does a made-up id", async () => {
    expect((await get(linkId, { token: otherToken })).status).toBe(404);
    expect((await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { token: otherToken, params: { id: linkId }, body: { name: "mine now" } })).status).toBe(404);
    expect((await call(linkRoute, "DELETE", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { token: otherToken, params: { id: linkId } })).status).toBe(404);
    expect((await call(linkPaymentsRoute, "GET", "/payment-links/{id}/payments/", `/api/payment-links/${linkId}/payments/`, { token: otherToken, params: { id: linkId } })).status).toBe(404);
    expect((await call(linksRoute, "GET", "/payment-links/", "/api/payment-links/", { token: otherToken })).body).toEqual([]);
    expect((await get("not-a-uuid")).status).toBe(404);
    expect((await get("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await db().paymentLink.findUniqueOrThrow({ where: { id: linkId } })).name).toBe("Summer merch");
  });

  it("PATCH changes name, is_active, expires_at, max_uses and metadata, and ignores the rest", async () => {
    const { status, body } = await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, {
      params: { id: linkId },
      body: { name: "Summer merch 2", max_uses: 5, metadata: { campaign: "summer", wave: 2 }, amount: "1.00", currency: "EUR", products: [] },
    });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: "Summer merch 2", max_uses: 5, metadata: { campaign: "summer", wave: 2 }, amount: "59.00", currency: "USD", stats: { remaining_uses: 5 } });
    expect(body.products).toHaveLength(2);
    expect((await get(linkId)).body).toMatchObject({ name: "Summer merch 2", max_uses: 5 });
    for (const bad of [{ max_uses: 0 }, { is_active: "yes" }, { expires_at: "soon" }, { name: "" }]) {
      const res = await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId }, body: bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
    }
    const member = await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { token: memberToken, params: { id: linkId }, body: { name: "member's" } });
    expect(member.status).toBe(403);
    const cleared = await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId }, body: { metadata: null, max_uses: null } });
    expect(cleared.body).toMatchObject({ metadata: null, max_uses: null, stats: { remaining_uses: null } });
  });

  it("previews a link for the customer, without a credential", async () => {
    const { status, body } = await preview(linkId);
    expect(status).toBe(200);
    expect(body).toEqual({
      id: linkId,
      name: "Summer merch 2",
      currency: "USD",
      pricing_mode: "TAX_EXCLUSIVE",
      products: [
        { name: "T-shirt", quantity: 2, unit_price: "25.00" },
        { name: "Mug", quantity: 1, unit_price: "9.00" },
      ],
      amount: "59.00",
      expires_at: null,
    });
    expect((await preview("00000000-0000-4000-8000-000000000000")).status).toBe(404);
    expect((await preview("not-a-uuid")).status).toBe(404);
  });

  it("starts a hosted checkout from the snapshot: 201, Recoup's /checkout/<token>, a session on the processor", async () => {
    const { status, body } = await start(linkId, { ...billing, currency: "USD", successUrl: "https://tees.example/thanks" });
    expect(status).toBe(201);
    components.assertResponse("/CheckoutCreateResponse", "GET", status, body, "application/json");
    expect(body.checkout_id).toBe(body.order_id);
    expect(body.checkout_url).toBe(`https://pay.recoup.test/checkout/${String(body.token)}`);
    const row = await db().transaction.findUniqueOrThrow({ where: { publicId: String(body.checkout_id) } });
    expect(row).toMatchObject({ workspaceId, source: "payment_link", paymentLinkId: linkId, amountMinor: 5900, currency: "USD", payerEmail: "ada@example.com", payerName: "Ada Lovelace", checkoutToken: body.token, successUrl: "https://tees.example/thanks" });
    const session = stripe.getCheckoutSession(ACCOUNT, row.providerPaymentId!);
    expect(session).toMatchObject({ amount_total: 5900, currency: "usd", status: "open" });

    const payments = await call(linkPaymentsRoute, "GET", "/payment-links/{id}/payments/", `/api/payment-links/${linkId}/payments/`, { params: { id: linkId } });
    expect(payments.status).toBe(200);
    expect(payments.body).toEqual([expect.objectContaining({ id: row.publicId, amount: "59.00", currency: "USD", status: "processing", payer_email: "ada@example.com" })]);
    expect((await get(linkId)).body.stats).toMatchObject({ payments_count: 1, paid_count: 0 });
  });

  it("refuses a start in another currency or with bad billing (400)", async () => {
    const eur = await start(linkId, { ...billing, currency: "EUR" });
    expect(eur.status).toBe(400);
    expect(eur.body.detail).toMatch(/currency.*USD/);
    expect((await start(linkId, { ...billing, currency: "GBP" })).status).toBe(400);
    const email = await start(linkId, { ...billing, billing_email: "nope" });
    expect(email.status).toBe(400);
    expect(email.body.detail).toMatch(/billing_email/);
    expect((await start(linkId, { billing_email: "a@b.example" })).status).toBe(400);
  });

  it("is gone (410) while inactive, and back when reactivated", async () => {
    await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId }, body: { is_active: false } });
    const off = await preview(linkId);
    expect(off.status).toBe(410);
    expect(off.body.detail).toMatch(/no longer active/);
    expect((await start(linkId)).status).toBe(410);
    await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId }, body: { is_active: true } });
    expect((await preview(linkId)).status).toBe(200);
  });

  it("is gone (410) once expired", async () => {
    const res = await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId }, body: { expires_at: "2020-01-01T00:00:00Z" } });
    expect(res.status).toBe(200);
    const expired = await preview(linkId);
    expect(expired.status).toBe(410);
    expect(expired.body.detail).toMatch(/expired at 2020-01-01T00:00:00.000Z/);
    const before = await db().transaction.count({ where: { paymentLinkId: linkId } });
    expect((await start(linkId)).status).toBe(410);
    expect(await db().transaction.count({ where: { paymentLinkId: linkId } })).toBe(before);
    await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId }, body: { expires_at: null } });
    expect((await preview(linkId)).status).toBe(200);
  });

  it("is gone (410) once paid max_uses times, counting refunded payments, not failed ones", async () => {
    await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId }, body: { max_uses: 2 } });
    await paid(linkId, 5900, "failed");
    await paid(linkId, 5900, "paid");
    expect((await preview(linkId)).status).toBe(200);
    await paid(linkId, 5900, "refunded");
    const used = await preview(linkId);
    expect(used.status).toBe(410);
    expect(used.body.detail).toMatch(/maximum of 2 times/);
    expect((await start(linkId)).status).toBe(410);
    expect((await get(linkId)).body.stats).toEqual({ payments_count: 4, paid_count: 2, paid_volume: "118.00", remaining_uses: 0 });
    const payments = await call(linkPaymentsRoute, "GET", "/payment-links/{id}/payments/", `/api/payment-links/${linkId}/payments/`, { params: { id: linkId } });
    expect(payments.body.map((p: Json) => p.status)).toEqual(["refunded", "paid", "failed", "processing"]);
    expect(payments.headers.get("x-total-count")).toBe("4");
    await call(linkRoute, "PATCH", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId }, body: { max_uses: 3 } });
    expect((await preview(linkId)).status).toBe(200);
  });

  it("is gone (410) rather than charging another amount when a catalogue price changed", async () => {
    stripe.putPrice(ACCOUNT, { id: "price_tee", product: "prod_tee", unit_amount: 2700, currency: "usd" });
    const res = await start(linkId);
    expect(res.status).toBe(410);
    expect(res.body.detail).toMatch(/price of "T-shirt" has changed/);
    stripe.putPrice(ACCOUNT, { id: "price_tee", product: "prod_tee", unit_amount: 2500, currency: "usd" });
    expect((await start(linkId)).status).toBe(201);
  });

  it("deletes softly: 204, then 404 on the dashboard and 410 on the public preview", async () => {
    const member = await call(linkRoute, "DELETE", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { token: memberToken, params: { id: linkId } });
    expect(member.status).toBe(403);
    const res = await call(linkRoute, "DELETE", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId } });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expect((await get(linkId)).status).toBe(404);
    expect((await call(linkPaymentsRoute, "GET", "/payment-links/{id}/payments/", `/api/payment-links/${linkId}/payments/`, { params: { id: linkId } })).status).toBe(404);
    expect((await call(linkRoute, "DELETE", "/payment-links/{id}/", `/api/payment-links/${linkId}/`, { params: { id: linkId } })).status).toBe(404);
    expect((await call(linksRoute, "GET", "/payment-links/", "/api/payment-links/", {})).body.map((l: Json) => l.id)).not.toContain(linkId);
    const gone = await preview(linkId);
    expect(gone.status).toBe(410);
    expect(gone.body.detail).toMatch(/deleted/);
    expect((await start(linkId)).status).toBe(410);
    const row = await db().paymentLink.findUniqueOrThrow({ where: { id: linkId } });
    expect(row.isActive).toBe(false);
    expect(row.deletedAt).not.toBeNull();
    expect(await db().transaction.count({ where: { paymentLinkId: linkId } })).toBe(5);
  });
});
