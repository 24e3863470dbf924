// Shopify on the test bench: the app configured, a shop installed with a stored offline session
// (so no token exchange ever reaches the network), and HMAC-signed webhooks posted to the route.
// Import this only after the fake Admin API has started (tests/fakes/shopify-admin.ts).
import { createHmac, randomUUID } from "node:crypto";
import { Session } from "@shopify/shopify-api";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import { EncryptedPrismaSessionStorage } from "~/integrations/shopify/session-storage.server";
import * as webhookRoute from "~/routes/webhooks.shopify";
import { SHOPIFY_SCOPES } from "~/shopify.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { callRoute, jsonOf } from "./http";

const SHOPIFY_TEST_KEY = "shopify-test-key";
const SHOPIFY_TEST_SECRET = "shopify-test-secret";
export const SHOPIFY_TEST_TOKEN = "shpat_test_offline_token";

export function configureShopify() {
  process.env.SHOPIFY_API_KEY = SHOPIFY_TEST_KEY;
  process.env.SHOPIFY_API_SECRET = SHOPIFY_TEST_SECRET;
}

/** A workspace with the shop linked and its offline session stored (encrypted, as in production). */
export async function installShop(shopDomain: string, opts: { name?: string } = {}) {
  const ws = await makeWorkspace({ name: opts.name, ownerEmail: `owner@${shopDomain}` });
  await db().shopifyShop.create({ data: { shopDomain, workspaceId: ws.workspace.id } });
  await storeOfflineSession(shopDomain);
  return ws;
}

/** The shop's offline session, stored as after install: authenticate.admin never exchanges a token. */
export async function storeOfflineSession(shopDomain: string) {
  await new EncryptedPrismaSessionStorage().storeSession(
    new Session({ id: `offline_${shopDomain}`, shop: shopDomain, state: "installed", isOnline: false, accessToken: SHOPIFY_TEST_TOKEN, scope: SHOPIFY_SCOPES }),
  );
}

/** An App Bridge session token for the shop (signed with another secret to forge one). */
export async function sessionTokenFor(shopDomain: string, secret = SHOPIFY_TEST_SECRET) {
  return (await getJwt(shopDomain.replace(/\.myshopify\.com$/, ""), SHOPIFY_TEST_KEY, secret)).token;
}

/** The `X-Shopify-Hmac-Sha256` Shopify sends with this body. */
export const shopifyHmac = (body: string | Buffer) => createHmac("sha256", SHOPIFY_TEST_SECRET).update(body).digest("base64");

/** Posts one webhook as Shopify does; the same webhookId again is a redelivery. */
export async function postShopifyWebhook(topic: string, shop: string, payload: unknown, opts: { webhookId?: string } = {}) {
  const body = JSON.stringify(payload);
  const res = await callRoute(webhookRoute, "/webhooks/shopify", {
    method: "POST",
    body,
    headers: {
      "content-type": "application/json",
      "x-shopify-hmac-sha256": shopifyHmac(body),
      "x-shopify-topic": topic,
      "x-shopify-shop-domain": shop,
      "x-shopify-api-version": "2025-10",
      "x-shopify-webhook-id": opts.webhookId ?? randomUUID(),
      "x-shopify-triggered-at": new Date().toISOString(),
    },
  });
  if (res.status !== 200) throw new Error(`webhook ${topic} answered ${res.status}: ${await res.text()}`);
  return jsonOf<{ received: boolean; duplicate: boolean }>(res);
}
