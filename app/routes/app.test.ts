import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../tests/factories";
import { configureShopify, sessionTokenFor, storeOfflineSession } from "../../tests/helpers/shopify";
import { loader as overview } from "./app._index";

beforeEach(configureShopify);
afterEach(() => {
  delete process.env.SHOPIFY_API_KEY;
  delete process.env.SHOPIFY_API_SECRET;
});

/** A request from the embedded admin: App Bridge's session token as a Bearer token, an offline session already stored. */
async function adminRequest(shop: string, path = "/app") {
  await storeOfflineSession(shop);
  return new Request(`http://localhost:3000${path}`, { headers: { authorization: `Bearer ${await sessionTokenFor(shop)}` } });
}

describe("the embedded Shopify admin", () => {
  it("links a new shop to a workspace of its own and shows its overview", async () => {
    const request = await adminRequest("new-shop.myshopify.com");
    const data = await overview({ request, params: {}, context: {} });
    const shop = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain: "new-shop.myshopify.com" } });
    expect(data.shop).toBe("new-shop.myshopify.com");
    expect(data.summary.workspaceId).toBe(shop.workspaceId);
    expect(data.recoveries.items).toEqual([]);
    // The same shop again: the same workspace.
    const again = await overview({ request: await adminRequest("new-shop.myshopify.com"), params: {}, context: {} });
    expect(again.summary.workspaceId).toBe(shop.workspaceId);
    expect(await db().shopifyShop.count()).toBe(1);
  });

  it("shows the dashboard's cards and trend: at-risk revenue, active retries, failed vs recovered per day", async () => {
    const shopDomain = "cards-shop.myshopify.com";
    await overview({ request: await adminRequest(shopDomain), params: {}, context: {} });
    const { workspaceId } = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain } });
    const failedAt = new Date(Date.now() - 3600_000);
    for (const [n, amount] of [
      [1, 4489],
      [2, 1500],
    ] as const) {
      await db().recovery.create({
        data: {
          workspaceId,
          provider: "shopify",
          externalAccountId: shopDomain,
          externalId: `shopify:cards:${n}`,
          externalCustomerId: `gid://shopify/Customer/${n}`,
          declineType: "soft",
          amountDueMinor: amount,
          currency: "usd",
          startedAt: failedAt,
          lastFailureAt: failedAt,
          nextActionKind: n === 1 ? "retry" : "email",
          nextActionAt: new Date(Date.now() + 3600_000),
        },
      });
    }
    const data = await overview({ request: await adminRequest(shopDomain), params: {}, context: {} });
    expect(data.extras).toEqual({ atRiskRevenueCents: 5989, openRecoveries: 2, activeRetries: 1, incremental: null });
    expect(data.trend).toHaveLength(30);
    expect(data.trend.reduce((n, d) => n + d.failed, 0)).toBe(2);
    expect(data.recoveries.items).toHaveLength(2);
  });

  it("names Shopify recoveries in the list as the recovery page does, not by their internal key", async () => {
    const shopDomain = "words-shop.myshopify.com";
    await overview({ request: await adminRequest(shopDomain), params: {}, context: {} });
    const { workspaceId } = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain } });
    const failedAt = new Date(Date.now() - 3600_000);
    await db().recovery.create({
      data: {
        workspaceId,
        provider: "shopify",
        externalAccountId: shopDomain,
        externalId: "shopify:7001:1",
        externalCustomerId: "gid://shopify/Customer/42",
        declineType: "soft",
        amountDueMinor: 4489,
        currency: "usd",
        startedAt: failedAt,
        lastFailureAt: failedAt,
      },
    });
    const data = await overview({ request: await adminRequest(shopDomain), params: {}, context: {} });
    expect(data.recoveries.items.map((i) => i.reference)).toEqual([{ title: "Contract #7001, billing attempt #1", subtitle: "Shopify customer #42" }]);
    // DunningDog's attempt is untouched beside it.
    expect(data.recoveries.items[0]!.attempt.stripeInvoiceId).toBe("shopify:7001:1");
  });

  it("refuses a session token signed with another secret", async () => {
    const shop = "forged.myshopify.com";
    await adminRequest(shop);
    const token = await sessionTokenFor(shop, "not-the-secret");
    const request = new Request("http://localhost:3000/app", { headers: { authorization: `Bearer ${token}` } });
    const thrown = await overview({ request, params: {}, context: {} }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(Response);
    expect((thrown as Response).status).toBe(401);
    expect(await db().shopifyShop.count({ where: { shopDomain: shop } })).toBe(0);
  });

  it("says plainly when Shopify is not configured", async () => {
    delete process.env.SHOPIFY_API_KEY;
    const thrown = (await overview({ request: new Request("http://localhost:3000/app"), params: {}, context: {} }).catch((e: unknown) => e)) as {
      init?: ResponseInit;
      data?: unknown;
    };
    expect(thrown.init?.status).toBe(503);
    expect(String(thrown.data)).toContain("SHOPIFY_API_KEY");
  });
});

describe("a recovery's page inside the Shopify admin", () => {
  it("shows the shop's own recovery with its timeline, and 404s another workspace's", async () => {
    const { loader: detail } = await import("./app.recoveries.$id");
    const request = await adminRequest("detail-shop.myshopify.com");
    await overview({ request, params: {}, context: {} });
    const shop = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain: "detail-shop.myshopify.com" } });
    const recovery = await db().recovery.create({
      data: {
        workspaceId: shop.workspaceId,
        provider: "shopify",
        externalAccountId: shop.shopDomain,
        externalId: "shopify:1:1",
        externalCustomerId: "gid://shopify/Customer/1",
        declineType: "soft",
        amountDueMinor: 4489,
        currency: "usd",
        startedAt: new Date(),
        lastFailureAt: new Date(),
      },
    });
    const page = await detail({ request: await adminRequest("detail-shop.myshopify.com"), params: { id: recovery.id }, context: {} });
    expect(page).toMatchObject({ basePath: "/app", attempt: { id: recovery.id, amountDueCents: 4489 } });

    const other = await adminRequest("other-shop.myshopify.com");
    const thrown = (await detail({ request: other, params: { id: recovery.id }, context: {} }).catch((e: unknown) => e)) as { init?: ResponseInit };
    expect(thrown.init?.status).toBe(404);
  });
});

describe("settings inside the Shopify admin", () => {
  it("shows the shared settings with the connected shop instead of Stripe accounts and team; Shopify staff may change them", async () => {
    const { loader: page } = await import("./app.settings");
    const shopDomain = "settings-shop.myshopify.com";
    const data = await page({ request: await adminRequest(shopDomain, "/app/settings"), params: {}, context: {} });
    const { workspaceId } = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain } });
    expect(data).toMatchObject({ home: "shopify", shop: shopDomain, settings: { workspaceId }, access: { role: "admin", manageSettings: true, refusal: null } });
    expect(data).not.toHaveProperty("accounts");
    expect(data).not.toHaveProperty("members");
    expect(data.timezones).toContain("Europe/Paris");
  });

  it("saves quiet hours for the shop's own workspace, and knows no Stripe or team intents", async () => {
    const { action } = await import("./app.settings");
    const shopDomain = "quiet-shop.myshopify.com";
    const post = async (body: unknown) => {
      await storeOfflineSession(shopDomain);
      const request = new Request("http://localhost:3000/app/settings", {
        method: "POST",
        headers: { authorization: `Bearer ${await sessionTokenFor(shopDomain)}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return action({ request, params: {}, context: {} });
    };
    const other = await makeWorkspace();
    expect(await post({ intent: "quiet-hours", quietHours: { start: 22, end: 7 }, timezone: "America/New_York" })).toMatchObject({ ok: true, toast: "Quiet hours saved" });
    const { workspaceId } = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain } });
    expect(await db().workspace.findUniqueOrThrow({ where: { id: workspaceId } })).toMatchObject({
      timezone: "America/New_York",
      retrySettings: { quietHours: { start: 22, end: 7 } },
    });
    expect((await db().workspace.findUniqueOrThrow({ where: { id: other.workspace.id } })).retrySettings).toBeNull();

    for (const body of [
      { intent: "invite", email: "sam@shop.example", role: "admin" },
      { intent: "remove-member", userId: other.owner.id },
      { intent: "disconnect", stripeAccountId: "acct_x" },
    ]) {
      const refused = (await post(body)) as { init: ResponseInit; data: { ok: boolean } };
      expect(refused.init.status).toBe(400);
      expect(refused.data.ok).toBe(false);
    }
    expect(await db().membership.count({ where: { workspaceId: other.workspace.id } })).toBe(1);
  });
});
