import { Session } from "@shopify/shopify-api";
import { afterEach, describe, expect, it } from "vitest";
import { EncryptedPrismaSessionStorage } from "~/integrations/shopify/session-storage.server";
import { db } from "~/utils/db.server";
import { shopify, shopifyConfigured } from "./shopify.server";

afterEach(() => {
  delete process.env.SHOPIFY_API_KEY;
  delete process.env.SHOPIFY_API_SECRET;
});

describe("Shopify wiring", () => {
  it("says plainly that Shopify is not configured", () => {
    expect(shopifyConfigured()).toBe(false);
    expect(() => shopify()).toThrow(/SHOPIFY_API_KEY/);
  });

  it("builds the app object when configured", () => {
    process.env.SHOPIFY_API_KEY = "test-api-key";
    process.env.SHOPIFY_API_SECRET = "test-api-secret";
    const app = shopify();
    expect(typeof app.authenticate.admin).toBe("function");
    expect(typeof app.authenticate.webhook).toBe("function");
  });

  it("stores session tokens encrypted and reads them back", async () => {
    const storage = new EncryptedPrismaSessionStorage();
    const session = new Session({ id: "offline_shop.myshopify.com", shop: "shop.myshopify.com", state: "s", isOnline: false, accessToken: "shpat_secret_token", scope: "read_customers" });
    expect(await storage.storeSession(session)).toBe(true);
    const row = await db().shopifySession.findUniqueOrThrow({ where: { id: session.id } });
    expect(row.accessToken).not.toContain("shpat_");
    expect((await storage.loadSession(session.id))!.accessToken).toBe("shpat_secret_token");
    expect((await storage.findSessionsByShop("shop.myshopify.com"))[0]!.accessToken).toBe("shpat_secret_token");
    expect(await storage.deleteSession(session.id)).toBe(true);
  });
});
