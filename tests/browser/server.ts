// For browser test files: the built app served by the real web server, the fake Stripe behind it,
// and Debian's chromium driven by playwright-core: the setup every browser test file shares.
import { expect } from "vitest";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from "playwright-core";
import type { FakeStripe } from "../fakes/stripe-server";
import { setUpStripe } from "../helpers/stripe";
import { startBuiltWeb } from "../helpers/web";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
export const SHOTS = path.resolve("test-results/screenshots");

export interface BrowserApp {
  base: string;
  stripe: FakeStripe;
  browser: Browser;
  close(): Promise<void>;
}

/** Builds if needed, starts the fake Stripe, the web server on a free port and chromium. */
export async function startBrowserApp(opts: { stripeUserId?: string } = {}): Promise<BrowserApp> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium was not found at ${CHROMIUM}. Install Debian's package (apt-get install -y chromium) or point CHROMIUM_PATH at a chromium binary.`,
    );
  }
  mkdirSync(SHOTS, { recursive: true });

  const stripe = await setUpStripe(opts);
  process.env.STRIPE_CONNECT_AUTHORIZE_URL = `${stripe.url}/oauth/authorize`;
  const web = await startBuiltWeb();
  const base = web.base;

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  return {
    base,
    stripe,
    browser,
    async close() {
      await browser.close();
      await web.close();
      await stripe.close();
    },
  };
}

/** Waits (briefly) for the element to be on screen; the failure names the locator. */
export async function visible(locator: Locator, timeout = 5_000) {
  await locator.waitFor({ state: "visible", timeout });
}

/**
 * A page that collects script errors, console errors from our origin (hydration mismatches
 * included) and every CSP violation. `userAgent` and `prepare` (routes, exposed functions) set up its context first.
 */
export async function openPage(
  app: BrowserApp,
  viewport: { width: number; height: number },
  opts: { userAgent?: string; prepare?: (context: BrowserContext) => Promise<void> } = {},
): Promise<{ page: Page; problems: string[] }> {
  const context = await app.browser.newContext({ viewport, deviceScaleFactor: 1, ...(opts.userAgent ? { userAgent: opts.userAgent } : {}) });
  await opts.prepare?.(context);
  const problems: string[] = [];
  // Any Content-Security-Policy violation fails the page's test, whatever origin it concerns: a
  // blocked script or style is a page that does not work as built.
  await context.exposeFunction("__recoupCspViolation", (text: string) => problems.push(`csp: ${text}`));
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      const report = (window as unknown as { __recoupCspViolation(text: string): void }).__recoupCspViolation;
      void report(`${e.effectiveDirective} blocked ${e.blockedURI || "inline"} on ${e.documentURI} (${e.sourceFile}:${e.lineNumber}) ${e.sample}`);
    });
  });
  const page = await context.newPage();
  page.on("pageerror", (error) => problems.push(`pageerror: ${error.message}`));
  // Only our origin: a resource chromium cannot fetch from another host is logged with that
  // host's URL, and is not our page's error.
  page.on("console", (message) => {
    if (message.type() === "error" && message.location().url.startsWith(app.base)) problems.push(`console: ${message.text()} (${message.location().url})`);
  });
  return { page, problems };
}

/**
 * On a phone the dashboard's sections are in a drawer behind the frame's "Toggle menu": opens it
 * (again, if a click came before the page had hydrated). Nothing to do on wider screens.
 */
export async function openDashboardNav(page: Page) {
  const toggle = page.getByRole("button", { name: "Toggle menu" });
  if (!(await toggle.isVisible())) return;
  // Open is the Frame's own class, not what is on screen: a drawer still sliding shut after a link's
  // click looks visible, and its links are gone before a click lands.
  const open = page.locator('[id="AppFrameNav"][class*="Navigation--visible"]');
  for (let tries = 0; tries < 5 && (await open.count()) === 0; tries++) {
    await toggle.click();
    await open.waitFor({ state: "attached", timeout: 2_000 }).catch(() => undefined);
  }
  await page.getByRole("navigation", { name: "Dashboard" }).waitFor({ state: "visible" });
}

/** Polaris measures the page as it hydrates: let it finish before looking (and before screenshots). */
export async function settled(page: Page) {
  await page.waitForLoadState("networkidle");
}

/** Nothing wider than the viewport: no sideways scrolling on a phone. */
export async function fitsWidth(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}
