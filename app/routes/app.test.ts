import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
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
    const recovery = await db().recoveryAttempt.create({
      data: {
        workspaceId: shop.workspaceId,
        provider: "shopify",
        stripeAccountId: shop.shopDomain,
        stripeInvoiceId: "shopify:1:1",
        stripeCustomerId: "gid://shopify/Customer/1",
        declineType: "soft",
        amountDueCents: 4489,
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
