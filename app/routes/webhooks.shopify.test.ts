import { createHmac, randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { Session } from "@shopify/shopify-api";
import { EncryptedPrismaSessionStorage } from "~/integrations/shopify/session-storage.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { makeWorkspace } from "../../tests/factories";
import { findEverywhere } from "../../tests/helpers/db-scan";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { advanceTime, pendingJobs, runDueJobs } from "../../tests/helpers/jobs";
import { useFakeSmtp } from "../../tests/helpers/smtp";
import * as route from "./webhooks.shopify";

const SECRET = "shopify-test-secret";
const smtp = useFakeSmtp();

beforeAll(() => {
  process.env.SHOPIFY_API_KEY = "shopify-test-key";
  process.env.SHOPIFY_API_SECRET = SECRET;
  resetEnv();
});

function post(topic: string, shop: string, payload: unknown, opts: { webhookId?: string; secret?: string; omit?: string } = {}) {
  const body = JSON.stringify(payload);
  const headers: Record<string, string> = {
    "content-type": "application/json",
    "x-shopify-hmac-sha256": createHmac("sha256", opts.secret ?? SECRET).update(body).digest("base64"),
    "x-shopify-topic": topic,
    "x-shopify-shop-domain": shop,
    "x-shopify-api-version": "2025-10",
    "x-shopify-webhook-id": opts.webhookId ?? randomUUID(),
    "x-shopify-triggered-at": new Date().toISOString(),
  };
  if (opts.omit) delete headers[opts.omit];
  return callRoute(route, "/webhooks/shopify", { method: "POST", body, headers });
}

async function installedShop(shopDomain: string) {
  const ws = await makeWorkspace({ ownerEmail: `owner@${shopDomain}` });
  await db().shopifyShop.create({ data: { shopDomain, workspaceId: ws.workspace.id } });
  await new EncryptedPrismaSessionStorage().storeSession(new Session({ id: `offline_${shopDomain}`, shop: shopDomain, state: "s", isOnline: false, accessToken: "shpat_token" }));
  const customer = await db().customer.create({
    data: { workspaceId: ws.workspace.id, provider: "shopify", externalId: "gid://shopify/Customer/7001", email: `buyer-${shopDomain}@example.com`, name: "Buyer" },
  });
  return { ...ws, customer };
}

describe("POST /webhooks/shopify", () => {
  it("verifies the HMAC, stores the webhook once and answers 200; a redelivery is a duplicate", async () => {
    const shop = "dupe.myshopify.com";
    await installedShop(shop);
    const id = randomUUID();
    const first = await post("app/uninstalled", shop, { id: 1, domain: shop }, { webhookId: id });
    expect(first.status).toBe(200);
    expect(await jsonOf(first)).toEqual({ received: true, duplicate: false });
    const again = await post("app/uninstalled", shop, { id: 1, domain: shop }, { webhookId: id });
    expect(await jsonOf(again)).toEqual({ received: true, duplicate: true });
    expect(await db().shopifyWebhook.count({ where: { webhookId: id } })).toBe(1);
  });

  it("refuses a wrong HMAC (401), missing headers (400) and GET (405) with problem+json, storing nothing", async () => {
    const shop = "refuse.myshopify.com";
    const wrong = await post("customers/redact", shop, { shop_domain: shop }, { secret: "not-the-secret" });
    const missing = await post("customers/redact", shop, { shop_domain: shop }, { omit: "x-shopify-webhook-id" });
    const get = await callRoute(route, "/webhooks/shopify", { method: "GET" });
    expect([wrong.status, missing.status]).toEqual([401, 400]);
    for (const res of [wrong, missing]) expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await jsonOf<{ code: string }>(wrong)).code).toBe("invalid_signature");
    expect(get.status).toBe(405);
    expect(await db().shopifyWebhook.count({ where: { shopDomain: shop } })).toBe(0);
  });

  it("app/uninstalled: sessions removed at once, data kept for the grace period, then erased", async () => {
    const shop = "leaving.myshopify.com";
    const ws = await installedShop(shop);
    await post("app/uninstalled", shop, { id: 2, domain: shop });
    await runDueJobs();
    expect(await db().shopifySession.count({ where: { shop } })).toBe(0);
    expect((await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain: shop } })).uninstalledAt).not.toBeNull();
    expect(await db().customer.count({ where: { workspaceId: ws.workspace.id } })).toBe(1);
    expect((await pendingJobs("shopify-shop-erase")).filter((j) => (j.data as { shopDomain: string }).shopDomain === shop)).toHaveLength(1);
    await advanceTime(49 * 3_600_000);
    await runDueJobs();
    expect(await db().workspace.count({ where: { id: ws.workspace.id } })).toBe(0);
    expect(await findEverywhere(ws.workspace.id)).toEqual([]);
    expect(await findEverywhere(`buyer-${shop}@example.com`)).toEqual([]);
  });

  it("customers/redact erases that customer everywhere, and only them", async () => {
    const shop = "redact.myshopify.com";
    const ws = await installedShop(shop);
    const other = await db().customer.create({ data: { workspaceId: ws.workspace.id, provider: "shopify", externalId: "gid://shopify/Customer/7002", email: "stays@example.com" } });
    await post("customers/redact", shop, { shop_id: 1, shop_domain: shop, customer: { id: 7001, email: ws.customer.email }, orders_to_redact: [] });
    await runDueJobs();
    expect(await findEverywhere(ws.customer.email!)).toEqual([]);
    expect(await findEverywhere("gid://shopify/Customer/7001")).toEqual([]);
    expect(await db().customer.findUnique({ where: { id: other.id } })).not.toBeNull();
  });

  it("shop/redact erases every row and pending job of the shop", async () => {
    const shop = "gone.myshopify.com";
    const ws = await installedShop(shop);
    await post("shop/redact", shop, { shop_id: 9, shop_domain: shop });
    await runDueJobs();
    for (const needle of [ws.workspace.id, shop, ws.customer.email!]) expect(await findEverywhere(needle), needle).toEqual([]);
  });

  it("customers/data_request mails the owner everything held about the customer", async () => {
    const shop = "asks.myshopify.com";
    const ws = await installedShop(shop);
    await post("customers/data_request", shop, { shop_id: 3, shop_domain: shop, customer: { id: 7001, email: ws.customer.email }, data_request: { id: 99 } });
    await runDueJobs();
    const mail = await smtp.waitFor((m) => m.subject === `Customer data request from ${shop}`);
    expect(mail.text).toContain(ws.customer.email!);
    expect(mail.text).toContain("gid://shopify/Customer/7001");
  });

  it("stores subscription billing topics and hands them to the dunning engine's job", async () => {
    const shop = "billing.myshopify.com";
    await installedShop(shop);
    const res = await post("subscription_billing_attempts/failure", shop, { id: 1, subscription_contract_id: 5, error_code: "insufficient_funds" });
    expect(res.status).toBe(200);
    const row = await db().shopifyWebhook.findFirstOrThrow({ where: { shopDomain: shop } });
    expect(row).toMatchObject({ topic: "subscription_billing_attempts/failure", status: "pending" });
    expect((await pendingJobs("shopify-webhook")).map((j) => j.data)).toContainEqual({ shopifyWebhookId: row.id });
  });
});
