import type { LoaderFunctionArgs } from "@remix-run/node";
import type { Session } from "@shopify/shopify-api";
import { AppError } from "~/domain/errors";
import { apiHandler, problem } from "~/http/problem.server";
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

/**
 * A route's loader for the extension: OPTIONS is the preflight; otherwise the admin's session token
 * is checked and `fn` runs with the shop's session; every answer is problem+json on failure and
 * carries the CORS headers.
 */
export function shopifyExtensionLoader(fn: (args: LoaderFunctionArgs & { session: Session }) => Promise<Response>) {
  const handle = apiHandler<LoaderFunctionArgs>(async (args) => {
    // Remix sends OPTIONS to the loader; the preflight carries no token to check.
    if (args.request.method === "OPTIONS") return new Response(null, { status: 204 });
    const shopifyApp = shopify();
    // Without a token authenticate.admin treats the call as a page load and redirects to the login page.
    if (!/^bearer \S/i.test(args.request.headers.get("authorization") ?? "")) {
      throw new AppError("unauthorized", "Send the Shopify admin's session token as `Authorization: Bearer …`.");
    }
    let session: Session;
    try {
      ({ session } = await shopifyApp.authenticate.admin(args.request));
    } catch (error) {
      // The library refuses a bad or expired token with a bodiless 401 (its retry header on it, which
      // App Bridge reads): answered as a problem carrying the same headers.
      if (error instanceof Response && error.status === 401) {
        throw problem("unauthorized", "The session token is invalid or expired: send a fresh one from the Shopify admin.", { traceId: args.traceId, headers: error.headers });
      }
      throw error;
    }
    return fn({ ...args, session });
  });
  return async (args: LoaderFunctionArgs): Promise<Response> => {
    const answer = await handle(args);
    // A Response thrown by authenticate.admin may have immutable headers: copy it before adding ours.
    const response = new Response(answer.body, answer);
    for (const [name, value] of Object.entries(SHOPIFY_EXTENSION_CORS_HEADERS)) response.headers.set(name, value);
    return response;
  };
}
