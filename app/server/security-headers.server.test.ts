import { describe, expect, it } from "vitest";
import { frameAncestorsOf, inlineScriptHashes, securityHeaders, surfaceOf } from "./security-headers.server";

const headersFor = (url: string, appUrl = "http://localhost:3000", extra: Partial<Parameters<typeof securityHeaders>[0]> = {}) =>
  securityHeaders({ url: new URL(url, "http://localhost:3000"), nonce: "abc123", appUrl, ...extra });

describe("securityHeaders", () => {
  it("sorts paths into surfaces", () => {
    expect(["/api/v1/payments", "/api/health", "/webhooks/shopify"].map(surfaceOf)).toEqual(["api", "api", "api"]);
    expect(["/app", "/app/settings", "/auth/session-token", "/auth/exit-iframe"].map(surfaceOf)).toEqual(["embedded", "embedded", "embedded", "embedded"]);
    expect(["/", "/dashboard", "/recover/tok", "/docs/api", "/apple", "/auth/sign-in"].map(surfaceOf)).toEqual(["page", "page", "page", "page", "page", "page"]);
  });

  it("pages: the nonce for scripts, never framed, nosniff, a referrer policy; HSTS only over https", () => {
    const page = headersFor("/recover/tok");
    expect(page["Content-Security-Policy"]).toContain("script-src 'self' 'nonce-abc123'");
    expect(page["Content-Security-Policy"]).toContain("frame-ancestors 'none'");
    expect(page["X-Frame-Options"]).toBe("DENY");
    expect(page["X-Content-Type-Options"]).toBe("nosniff");
    expect(page["Referrer-Policy"]).toBe("strict-origin-when-cross-origin");
    expect(page["Strict-Transport-Security"]).toBeUndefined();
    expect(headersFor("/recover/tok", "https://recoup.example.com")["Strict-Transport-Security"]).toBe("max-age=31536000; includeSubDomains");
  });

  it("the embedded app: framed by its shop and the admin (or what Shopify's helper chose), App Bridge allowed, no X-Frame-Options", () => {
    const app = headersFor("/app/settings?shop=story-coffee.myshopify.com");
    expect(app["Content-Security-Policy"]).toContain("frame-ancestors https://story-coffee.myshopify.com https://admin.shopify.com");
    expect(app["Content-Security-Policy"]).toContain("https://cdn.shopify.com");
    expect(app["X-Frame-Options"]).toBeUndefined();
    expect(headersFor("/app?shop=evil.example.com")["Content-Security-Policy"]).toMatch(/frame-ancestors https:\/\/admin\.shopify\.com(;|$)/);
    const helper = "frame-ancestors https://a.myshopify.com https://admin.shopify.com https://*.spin.dev;";
    expect(headersFor("/app", undefined, { frameAncestors: frameAncestorsOf(helper) })["Content-Security-Policy"]).toContain(
      "frame-ancestors https://a.myshopify.com https://admin.shopify.com https://*.spin.dev",
    );
  });

  it("APIs: nothing to run, nothing to frame", () => {
    expect(headersFor("/api/v1/payments")["Content-Security-Policy"]).toBe("default-src 'none'; frame-ancestors 'none'");
  });

  it("hashes the inline scripts of a page React did not render", () => {
    const html = `<script data-api-key="k" src="https://cdn.shopify.com/x.js"></script><script>window.open("a")</script>`;
    expect(inlineScriptHashes(html, (t) => `H(${t})`)).toEqual(['sha256-H(window.open("a"))']);
  });
});
