import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { findRecoveriesFor } from "~/domain/recovery/timeline.server";
import { workspaceForShop } from "~/domain/shopify/shops.server";
import { AppError } from "~/http/errors";
import { apiHandler, json } from "~/http/problem.server";
import { shopify } from "~/shopify.server";

// The customer page block (extensions/shopify/customer-recoveries) runs in Shopify's extension
// sandbox, so its calls are cross-origin; they carry the admin's session token as a Bearer token,
// never a cookie. Every answer, errors and preflights too, carries these headers.
const SHOPIFY_EXTENSION_CORS_HEADERS = {
  "Access-Control-Allow-Origin": "https://extensions.shopifycdn.com",
  "Access-Control-Allow-Headers": "Authorization, Content-Type",
  "Access-Control-Allow-Methods": "GET, OPTIONS",
  // Set by authenticate.admin when the app must ask for the session token again.
  "Access-Control-Expose-Headers": "X-Shopify-API-Request-Failure-Reauthorize-Url",
  "Access-Control-Max-Age": "600",
  Vary: "Origin",
} as const;

// Shopify recoveries keep the customer GID in stripeCustomerId (ADR 0007).
const CustomerGid = z.string().regex(/^gid:\/\/shopify\/Customer\/\d+$/, "must be a Shopify customer GID (gid://shopify/Customer/…)");

const handle = apiHandler<LoaderFunctionArgs>(async ({ request, params }) => {
  // Remix sends OPTIONS to the loader; the preflight carries no token to check.
  if (request.method === "OPTIONS") return new Response(null, { status: 204 });
  const shopifyApp = shopify();
  // Without a token authenticate.admin treats the call as a page load and redirects to the login page.
  if (!/^bearer \S/i.test(request.headers.get("authorization") ?? "")) {
    throw new AppError("unauthorized", "Send the Shopify admin's session token as `Authorization: Bearer …`.");
  }
  const { session } = await shopifyApp.authenticate.admin(request);
  const externalCustomerId = CustomerGid.parse(params.id);
  // A shop without a workspace (never opened the app, or uninstalled) has nothing to show.
  const workspaceId = await workspaceForShop(session.shop);
  // Open ones only, filtered in the query: a customer's 20 newest may all be closed.
  const items = workspaceId ? await findRecoveriesFor({ workspaceId, externalCustomerId, status: "pending" }) : [];
  return json({ items }, { headers: { "Cache-Control": "no-store" } });
});

export async function loader(args: LoaderFunctionArgs): Promise<Response> {
  const answer = await handle(args);
  // A Response thrown by authenticate.admin may have immutable headers: copy it before adding ours.
  const response = new Response(answer.body, answer);
  for (const [name, value] of Object.entries(SHOPIFY_EXTENSION_CORS_HEADERS)) response.headers.set(name, value);
  return response;
}
