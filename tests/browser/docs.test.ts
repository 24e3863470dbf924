// /docs/api in a real browser: the contents take you to an operation at desktop and phone widths,
// nothing scrolls sideways at 375 px, and the page works with scripts off too.
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SHOTS, openPage, startBrowserApp, visible, type BrowserApp } from "./server";

let app: BrowserApp | undefined;

beforeAll(async () => {
  app = await startBrowserApp();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

const GET_PAYMENT = "get-/api/v1/payments/{id}";

/** The element's box relative to the viewport, once the jump has happened (it fails if the element never comes near the top). */
async function operationBox(page: Page, id: string) {
  await page.waitForFunction(
    (target) => {
      const top = document.getElementById(target)?.getBoundingClientRect().top ?? -1;
      return decodeURIComponent(location.hash) === `#${target}` && top >= 0 && top < window.innerHeight / 4;
    },
    id,
    { timeout: 5_000 },
  );
  return page.evaluate((target) => {
    const r = document.getElementById(target)!.getBoundingClientRect();
    return { top: r.top, bottom: r.bottom, height: window.innerHeight };
  }, id);
}

describe("/docs/api", () => {
  it("at 1280 px: a sticky contents sidebar whose entries take you to the operation, and a copy button for its curl", async () => {
    const { page, problems } = await openPage(app!, { width: 1280, height: 800 });
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: app!.base });
    const res = await page.goto(`${app!.base}/docs/api`);
    expect(res?.status()).toBe(200);
    await visible(page.getByRole("heading", { name: "Recoup API reference", level: 1 }));
    await page.screenshot({ path: path.join(SHOTS, "docs-api-1280.png") });

    const contents = page.getByRole("navigation", { name: "API reference" });
    await contents.getByRole("link", { name: "GET Get a payment" }).click();
    const box = await operationBox(page, GET_PAYMENT);
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.top).toBeLessThan(100);
    await visible(page.locator(`[id="${GET_PAYMENT}"]`).getByText(/Returns a Payment object in data, beside meta\./));
    // The sidebar stayed on screen while the page scrolled.
    const sidebar = await page.getByRole("complementary").boundingBox();
    expect(sidebar!.y).toBeGreaterThanOrEqual(0);
    expect(sidebar!.y).toBeLessThan(50);
    await page.screenshot({ path: path.join(SHOTS, "docs-api-operation-1280.png") });

    // A field's type that names a schema goes to that schema's table.
    const nextAction = page.locator(`[id="${GET_PAYMENT}"]`).getByRole("link", { name: "NextAction" }).first();
    await nextAction.scrollIntoViewIfNeeded();
    const readingAt = await page.evaluate(() => window.scrollY);
    await nextAction.click();
    const schema = await operationBox(page, "schema-NextAction");
    expect(schema.top).toBeGreaterThanOrEqual(0);
    expect(schema.top).toBeLessThan(100);
    // The contents mark where the reader is.
    await visible(contents.locator('a[aria-current="location"]', { hasText: "NextAction" }));
    // Back returns to where the reader was in the operation they came from.
    await page.goBack();
    await page.waitForFunction((t) => decodeURIComponent(location.hash) === `#${t}`, GET_PAYMENT);
    await page.waitForFunction((y) => Math.abs(window.scrollY - y) < 2, readingAt, { timeout: 5_000 });
    await visible(contents.locator('a[aria-current="location"]', { hasText: "Get a payment" }));

    // The copy button (an enhancement: it appears once scripts run) puts the curl on the clipboard.
    await page.goto(`${app!.base}/docs/api#${GET_PAYMENT}`);
    const copy = page.getByRole("button", { name: "Copy the curl example for GET /api/v1/payments/{id}", exact: true });
    await copy.click();
    await visible(copy.getByText("Copied"));
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    expect(copied).toMatch(/^curl -s "http:\/\/127\.0\.0\.1:\d+\/api\/v1\/payments\/[^"]+"/);
    expect(copied).toContain('-H "Authorization: Bearer $RECOUP_API_KEY"');
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("at 375 px: nothing scrolls sideways, and the collapsible contents take you to the operation", async () => {
    const { page, problems } = await openPage(app!, { width: 375, height: 812 });
    await page.goto(`${app!.base}/docs/api`);
    await visible(page.getByRole("heading", { name: "Recoup API reference", level: 1 }));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    // Group headings keep off the screen's edge.
    const heading = await page.getByRole("heading", { name: "Payments", level: 2 }).boundingBox();
    expect(heading!.x).toBeGreaterThanOrEqual(12);
    await page.screenshot({ path: path.join(SHOTS, "docs-api-375.png") });

    await page.getByText("Contents", { exact: true }).click();
    const contents = page.getByRole("navigation", { name: "Contents" });
    await visible(contents);
    await page.screenshot({ path: path.join(SHOTS, "docs-api-contents-375.png") });
    await contents.getByRole("link", { name: "GET Get a payment" }).click();
    const box = await operationBox(page, GET_PAYMENT);
    // Below the sticky "Contents" bar, which closed after the pick.
    expect(box.top).toBeGreaterThanOrEqual(40);
    expect(box.top).toBeLessThan(120);
    expect(await contents.isVisible()).toBe(false);
    // Wide code scrolls inside its own box, not the page.
    const curl = page.locator(`[id="${GET_PAYMENT}"] pre.ar-curl`);
    expect(await curl.evaluate((el) => el.scrollWidth > el.clientWidth)).toBe(true);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(SHOTS, "docs-api-operation-375.png") });

    // The raw schema is there for those who want it, and still fits.
    await page.locator(`[id="${GET_PAYMENT}"]`).getByText("Raw JSON Schema").first().click();
    await visible(page.locator(`[id="${GET_PAYMENT}"] details[open] pre`).first());
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // The schemas are in the contents too; one with a nested object, its fields stacked to fit the phone.
    await page.getByText("Contents", { exact: true }).click();
    await contents.getByText(/^\d+ objects$/).click();
    await contents.getByRole("link", { name: "RecoveryGoal", exact: true }).click();
    const schema = await operationBox(page, "schema-RecoveryGoal");
    expect(schema.top).toBeGreaterThanOrEqual(40);
    expect(schema.top).toBeLessThan(120);
    await visible(page.locator("#schema-RecoveryGoal").getByText("failed_revenue_cents", { exact: true }));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(SHOTS, "docs-api-schema-375.png") });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("works without JavaScript: the contents are links to anchors", async () => {
    const context = await app!.browser.newContext({ viewport: { width: 375, height: 812 }, javaScriptEnabled: false });
    const page = await context.newPage();
    await page.goto(`${app!.base}/docs/api`);
    await page.getByText("Contents", { exact: true }).click();
    await page.getByRole("navigation", { name: "Contents" }).getByRole("link", { name: "POST Create a webhook endpoint" }).click();
    const box = await operationBox(page, "post-/api/v1/webhooks/endpoints");
    expect(box.top).toBeGreaterThanOrEqual(0);
    expect(box.top).toBeLessThan(100);
    // No copy button without scripts, but the curl is there to select.
    expect(await page.getByRole("button", { name: /^Copy the curl example/ }).count()).toBe(0);
    await visible(page.locator('[id="post-/api/v1/webhooks/endpoints"] pre.ar-curl'));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(SHOTS, "docs-api-nojs-375.png") });
    await context.close();
  });
});
