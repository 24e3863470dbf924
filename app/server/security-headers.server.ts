/**
 * The security headers of every answer, by surface. One function, so a route cannot forget them
 * and a test can read the policy without a server.
 *
 * - `api` (`/api/…`, `/webhooks/…`): JSON only, nothing to run or frame.
 * - `embedded` (`/app…`): the Shopify admin frames it: `frame-ancestors https://<shop>
 *   https://admin.shopify.com` (https://shopify.dev/docs/apps/build/security/set-up-iframe-protection),
 *   App Bridge from cdn.shopify.com, no X-Frame-Options (it cannot name two ancestors).
 * - `page` (everything else: the dashboard, the customer's /recover pages, /docs/api): never framed.
 *
 * Scripts run only from our origin or with the request's nonce (Remix's inline context and
 * ScrollRestoration scripts carry it); styles allow inline because Polaris and React put styles
 * in `style` attributes and App Bridge adds <style> elements.
 */
export type Surface = "api" | "embedded" | "page";

export function surfaceOf(pathname: string): Surface {
  if (pathname.startsWith("/api/") || pathname === "/api" || pathname.startsWith("/webhooks/")) return "api";
  // Shopify's bounce and exit pages are shown in the admin's iframe too.
  if (pathname === "/app" || pathname.startsWith("/app/") || pathname === "/auth/session-token" || pathname === "/auth/exit-iframe") return "embedded";
  return "page";
}

const SHOPIFY_ADMIN_ANCESTORS = ["https://admin.shopify.com"];
const SHOP_DOMAIN = /^[a-z0-9][a-z0-9-]*\.myshopify\.com$/;

/** The embedded app's frame ancestors: the shop named in the URL (as Shopify's own helper reads it) and the admin. */
function shopifyFrameAncestors(url: URL): string {
  const shop = url.searchParams.get("shop")?.toLowerCase();
  return [...(shop && SHOP_DOMAIN.test(shop) ? [`https://${shop}`] : []), ...SHOPIFY_ADMIN_ANCESTORS].join(" ");
}

/** `frame-ancestors …` out of a policy that holds one (Shopify's addDocumentResponseHeaders sets one). */
export function frameAncestorsOf(policy: string | null | undefined): string | null {
  const directive = policy
    ?.split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith("frame-ancestors "));
  return directive ? directive.slice("frame-ancestors ".length).trim() : null;
}

export interface SecurityHeaderInput {
  url: URL;
  nonce: string;
  /** APP_URL: HSTS only when the app is served over https. */
  appUrl: string;
  /** Vite's dev server injects its own inline scripts: no script policy then. */
  dev?: boolean;
  /** For `embedded`: ancestors Shopify's helper already chose. */
  frameAncestors?: string | null;
  /** `'sha256-…'` sources for inline scripts of a page React did not render (Shopify's bounce page). */
  scriptHashes?: string[];
}

export function securityHeaders({ url, nonce, appUrl, dev = false, frameAncestors, scriptHashes = [] }: SecurityHeaderInput): Record<string, string> {
  const surface = surfaceOf(url.pathname);
  const headers: Record<string, string> = {
    "X-Content-Type-Options": "nosniff",
    // Cross-origin requests learn our origin only, never a /recover/<token> path.
    "Referrer-Policy": "strict-origin-when-cross-origin",
  };
  if (appUrl.startsWith("https:")) headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains";

  if (surface === "api") {
    headers["Content-Security-Policy"] = "default-src 'none'; frame-ancestors 'none'";
    headers["X-Frame-Options"] = "DENY";
    return headers;
  }
  const embedded = surface === "embedded";
  const shopify = embedded ? " https://cdn.shopify.com" : "";
  const ancestors = embedded ? (frameAncestors ?? shopifyFrameAncestors(url)) : "'none'";
  const directives = dev
    ? [`frame-ancestors ${ancestors}`]
    : [
        "default-src 'self'",
        `script-src 'self' 'nonce-${nonce}'${scriptHashes.map((h) => ` '${h}'`).join("")}${shopify}`,
        `style-src 'self' 'unsafe-inline'${shopify}`,
        `img-src 'self' data:${shopify}`,
        `font-src 'self' data:${shopify}`,
        `connect-src 'self'${embedded ? " https://*.shopify.com" : ""}`,
        "object-src 'none'",
        "base-uri 'self'",
        `frame-ancestors ${ancestors}`,
      ];
  headers["Content-Security-Policy"] = directives.join("; ");
  if (!embedded) headers["X-Frame-Options"] = "DENY";
  return headers;
}

/** `sha256-…` of each inline <script> in a small HTML page we did not render ourselves. */
export function inlineScriptHashes(html: string, hash: (text: string) => string): string[] {
  return [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => `sha256-${hash(m[1]!)}`);
}
