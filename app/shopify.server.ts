import "@shopify/shopify-app-remix/adapters/node";
import { data } from "@remix-run/node";
import { ApiVersion, AppDistribution, LogSeverity, shopifyApp } from "@shopify/shopify-app-remix/server";
import { linkShop } from "~/domain/workspaces/shops.server";
import { EncryptedPrismaSessionStorage } from "~/integrations/shopify/session-storage.server";
import { env } from "~/utils/env.server";
import { AppError } from "~/domain/errors";

/** The Admin API version Recoup is written against. */
export const SHOPIFY_API_VERSION = ApiVersion.October25;

/** The Admin API scopes Recoup asks for (shopify.app.toml's access_scopes); SCOPES overrides them. */
export const SHOPIFY_SCOPES = "read_own_subscription_contracts,write_own_subscription_contracts,read_customers,write_customers,read_customer_payment_methods";

export function shopifyConfigured(): boolean {
  return Boolean(process.env.SHOPIFY_API_KEY && process.env.SHOPIFY_API_SECRET);
}

let app: ReturnType<typeof build> | undefined;

function build() {
  return shopifyApp({
    apiKey: process.env.SHOPIFY_API_KEY!,
    apiSecretKey: process.env.SHOPIFY_API_SECRET!,
    appUrl: process.env.SHOPIFY_APP_URL || env().APP_URL,
    scopes: (process.env.SCOPES ?? SHOPIFY_SCOPES).split(",").map((s) => s.trim()),
    apiVersion: SHOPIFY_API_VERSION,
    sessionStorage: new EncryptedPrismaSessionStorage(),
    distribution: AppDistribution.AppStore,
    logger: { level: LogSeverity.Warning },
    future: { unstable_newEmbeddedAuthStrategy: true },
    hooks: {
      afterAuth: async ({ session }) => {
        await linkShop({ shopDomain: session.shop, ownerEmail: session.onlineAccessInfo?.associated_user?.email ?? null });
      },
    },
  });
}

/** The Shopify app object (Shopify's template shape); routes say plainly when Shopify is not configured. */
export function shopify() {
  if (!shopifyConfigured()) {
    throw new AppError("not_configured", "Shopify is not configured: set SHOPIFY_API_KEY and SHOPIFY_API_SECRET (see README).");
  }
  app ??= build();
  return app;
}

/**
 * The embedded admin's workspace: the shop's session token is verified by
 * authenticate.admin; a shop seen for the first time (or back within its
 * uninstall grace period) is linked here too (afterAuth runs only when a new
 * offline token is stored).
 */
export async function authenticateShopAdmin(request: Request) {
  if (!shopifyConfigured()) {
    throw data("Shopify is not configured on this Recoup server: set SHOPIFY_API_KEY and SHOPIFY_API_SECRET (see README).", { status: 503 });
  }
  const { session, admin } = await shopify().authenticate.admin(request);
  const workspaceId = await linkShop({ shopDomain: session.shop });
  return { session, admin, workspaceId };
}
