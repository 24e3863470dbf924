import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { linkShop } from "~/domain/workspaces/shops.server";
import { db } from "~/utils/db.server";
import { configureShopify, sessionTokenFor, storeOfflineSession } from "../../tests/helpers/shopify";
import { loader } from "./api.shopify-ext.customers.$id.recoveries";

const ORIGIN = "https://extensions.shopifycdn.com";
const ALICE = "gid://shopify/Customer/1001";
const BOB = "gid://shopify/Customer/1002";

beforeEach(configureShopify);
afterEach(() => {
  delete process.env.SHOPIFY_API_KEY;
  delete process.env.SHOPIFY_API_SECRET;
});

let counter = 0;
async function seedRecovery(workspaceId: string, shop: string, customerGid: string, opts: { status?: "pending" | "recovered" | "failed" | "abandoned"; amount?: number; currency?: string } = {}) {
  counter += 1;
  const at = new Date(Date.UTC(2026, 10, 1, 9, 0, counter));
  const status = opts.status ?? "pending";
  return db().recovery.create({
    data: {
      workspaceId,
      provider: "shopify",
      externalAccountId: shop,
      externalCustomerId: customerGid,
      externalSubscriptionId: `gid://shopify/SubscriptionContract/${counter}`,
      externalId: `shopify:${counter}:${counter * 10}`,
      declineType: "soft",
      status,
      amountDueMinor: opts.amount ?? 2500,
      currency: opts.currency ?? "usd",
      recoveredAmountMinor: status === "recovered" ? (opts.amount ?? 2500) : null,
      startedAt: at,
      endedAt: status === "pending" ? null : at,
      lastFailureAt: at,
      errorCode: "insufficient_funds",
      nextActionKind: status === "pending" ? "retry" : null,
      nextActionAt: status === "pending" ? new Date(at.getTime() + 86_400_000) : null,
      nextActionReason: status === "pending" ? "Retrying tomorrow morning." : "Recovered.",
    },
  });
}

/** What the block's fetch sends from the extension sandbox: the session token as a Bearer token, cross-origin. */
async function blockRequest(shop: string, customerGid: string, opts: { secret?: string } = {}) {
  await storeOfflineSession(shop);
  const token = await sessionTokenFor(shop, opts.secret);
  const request = new Request(`http://localhost:3000/api/shopify-ext/customers/${encodeURIComponent(customerGid)}/recoveries`, {
    headers: { authorization: `Bearer ${token}`, origin: ORIGIN },
  });
  // Remix hands the loader the decoded segment.
  return loader({ request, params: { id: customerGid }, context: {} });
}

function expectCors(res: Response) {
  expect(res.headers.get("access-control-allow-origin")).toBe(ORIGIN);
  expect(res.headers.get("access-control-allow-headers")).toBe("Authorization, Content-Type");
  expect(res.headers.get("access-control-allow-methods")).toBe("GET, OPTIONS");
}

describe("GET /api/shopify-ext/customers/:id/recoveries", () => {
  it("answers only that shop's open recoveries for that customer", async () => {
    const shop = "block-shop.myshopify.com";
    const other = "other-shop.myshopify.com";
    const mine = await linkShop({ shopDomain: shop });
    const theirs = await linkShop({ shopDomain: other });
    const open1 = await seedRecovery(mine, shop, ALICE, { amount: 2500, currency: "usd" });
    const open2 = await seedRecovery(mine, shop, ALICE, { amount: 3000, currency: "jpy" });
    await seedRecovery(mine, shop, ALICE, { status: "recovered" });
    await seedRecovery(mine, shop, ALICE, { status: "failed" });
    await seedRecovery(mine, shop, BOB);
    await seedRecovery(theirs, other, ALICE);

    const res = await blockRequest(shop, ALICE);
    expect(res.status).toBe(200);
    expectCors(res);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const body = (await res.json()) as { items: Array<{ id: string; status: string; stripeCustomerId: string; amountDueCents: number; currency: string }> };
    expect(body.items.map((i) => i.id)).toEqual([open2.id, open1.id]);
    expect(body.items.every((i) => i.status === "pending" && i.stripeCustomerId === ALICE)).toBe(true);
    expect(body.items[0]).toMatchObject({ amountDueCents: 3000, currency: "jpy", nextActionReason: "Retrying tomorrow morning." });
  });

  it("keeps an older open recovery behind twenty newer closed ones", async () => {
    const shop = "busy-shop.myshopify.com";
    const mine = await linkShop({ shopDomain: shop });
    const carol = "gid://shopify/Customer/7003";
    const old = await seedRecovery(mine, shop, carol);
    for (let i = 0; i < 20; i += 1) await seedRecovery(mine, shop, carol, { status: "recovered" });

    const body = (await (await blockRequest(shop, carol)).json()) as { items: Array<{ id: string }> };
    expect(body.items.map((i) => i.id)).toEqual([old.id]);
  });

  it("shows nothing of another shop's customer", async () => {
    const shop = "nosy-shop.myshopify.com";
    const other = "private-shop.myshopify.com";
    await linkShop({ shopDomain: shop });
    const theirs = await linkShop({ shopDomain: other });
    const gid = "gid://shopify/Customer/2001";
    await seedRecovery(theirs, other, gid);

    const res = await blockRequest(shop, gid);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [] });
  });

  it("shows nothing for a shop that has no workspace yet", async () => {
    const res = await blockRequest("unknown-shop.myshopify.com", ALICE);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ items: [] });
  });

  it("refuses a session token signed with another secret, with CORS so the block can read it", async () => {
    const shop = "forged-shop.myshopify.com";
    const mine = await linkShop({ shopDomain: shop });
    await seedRecovery(mine, shop, ALICE);
    const res = await blockRequest(shop, ALICE, { secret: "not-the-secret" });
    expect(res.status).toBe(401);
    expectCors(res);
  });

  it("refuses a request without a session token (401, not the login redirect a page load gets)", async () => {
    const request = new Request(`http://localhost:3000/api/shopify-ext/customers/${encodeURIComponent(ALICE)}/recoveries`, { headers: { origin: ORIGIN } });
    const res = await loader({ request, params: { id: ALICE }, context: {} });
    expect(res.status).toBe(401);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expectCors(res);
  });

  it("answers 400 problem+json for an id that is not a customer GID", async () => {
    await linkShop({ shopDomain: "typo-shop.myshopify.com" });
    const res = await blockRequest("typo-shop.myshopify.com", "1001");
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expectCors(res);
  });

  it("answers the preflight with 204 and the CORS headers, without a token", async () => {
    const request = new Request(`http://localhost:3000/api/shopify-ext/customers/${encodeURIComponent(ALICE)}/recoveries`, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "GET", "access-control-request-headers": "authorization" },
    });
    const res = await loader({ request, params: { id: ALICE }, context: {} });
    expect(res.status).toBe(204);
    expectCors(res);
    expect(await res.text()).toBe("");
  });

  it("answers 503 problem+json when Shopify is not configured", async () => {
    delete process.env.SHOPIFY_API_KEY;
    const request = new Request(`http://localhost:3000/api/shopify-ext/customers/${encodeURIComponent(ALICE)}/recoveries`, { headers: { origin: ORIGIN } });
    const res = await loader({ request, params: { id: ALICE }, context: {} });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toMatchObject({ code: "not_configured" });
    expectCors(res);
  });
});
