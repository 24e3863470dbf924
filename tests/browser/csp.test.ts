// The Content-Security-Policy in a real browser: Remix's pages run under it (their inline scripts
// carry the request's nonce), and an inline script without it is blocked and reported, which
// fails any browser test through openPage's `problems`.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPage, startBrowserApp, visible, type BrowserApp } from "./server";

let app: BrowserApp | undefined;

beforeAll(async () => {
  app = await startBrowserApp();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

describe("the CSP in chromium", () => {
  it("the sign-in page hydrates and works under it, and an injected inline script is blocked and reported", async () => {
    const { page, problems } = await openPage(app!, { width: 1280, height: 800 });
    const res = await page.goto(`${app!.base}/auth/sign-in`);
    expect(res?.headers()["content-security-policy"]).toContain("'nonce-");
    await visible(page.getByRole("button", { name: /sign-in link/i }));
    // Hydrated: Remix's inline scripts ran (their nonce matched).
    await page.waitForFunction(() => Boolean((window as unknown as { __remixContext?: unknown }).__remixContext));
    expect(problems).toEqual([]);

    await page.evaluate(() => {
      const script = document.createElement("script");
      script.textContent = "window.__injected = true";
      document.body.appendChild(script);
    });
    await page.waitForTimeout(200);
    expect(await page.evaluate(() => (window as unknown as { __injected?: boolean }).__injected)).toBeUndefined();
    expect(problems.join("\n")).toMatch(/csp: script-src(-elem)? blocked inline/);
  });
});
