// The embedded app as the Shopify admin shows it, in Debian's chromium against the built app: the
// admin's document request (embedded=1, shop, host, id_token), App Bridge's session tokens on
// the client's data requests, the overview and a recovery's page. Screenshots at 1280 and 375 px.
import path from "node:path";
import { Session } from "@shopify/shopify-api";
import { getJwt } from "@shopify/shopify-api/test-helpers";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { linkShop } from "~/domain/workspaces/shops.server";
import { EncryptedPrismaSessionStorage } from "~/integrations/shopify/session-storage.server";
import { db } from "~/utils/db.server";
import { SHOTS, openPage, startBrowserApp, visible, type BrowserApp, settled, fitsWidth } from "./server";

const API_KEY = "recoup-embedded-browser-key";
const SECRET = "recoup-embedded-browser-secret";
const STORE = "story-coffee";
const SHOP = `${STORE}.myshopify.com`;
const HOST = Buffer.from(`admin.shopify.com/store/${STORE}`).toString("base64");
const INVOICE = "shopify:7001:1";
/** How the list names that recovery: the recovery page's words, never the internal key. */
const ROW_TEXT = "Contract #7001, billing attempt #1";
const APP_BRIDGE = "https://cdn.shopify.com/shopifycloud/app-bridge.js";

let app: BrowserApp;
let recoveryId: string;

/** A session token as the admin hands one out: HS256 with the app's secret, aud = api key, a minute to live. */
async function sessionToken(secret = SECRET) {
  const now = Math.floor(Date.now() / 1000);
  return (await getJwt(STORE, API_KEY, secret, { iat: now, nbf: now - 5, exp: now + 60 })).token;
}

/** The URL the Shopify admin puts in its iframe. */
async function adminUrl(pathname: string, token?: string) {
  const query = new URLSearchParams({ embedded: "1", shop: SHOP, host: HOST, id_token: token ?? (await sessionToken()) });
  return `${app.base}${pathname}?${query.toString()}`;
}

// A fake of Shopify's App Bridge script (cdn.shopify.com is out of reach here, as Stripe and
// SMTP are in the other tests): what the app relies on, no more. `window.shopify` with its config
// and `idToken()`, which asks this test process for a fresh session token; as the real script
// does, every same-origin fetch (Remix's data requests) carries it as `Authorization: Bearer`;
// and <ui-nav-menu>, which the admin draws in its own sidebar, is not drawn in the page.
const APP_BRIDGE_STUB = `(() => {
  const script = document.currentScript;
  const params = new URLSearchParams(location.search);
  const idToken = () => window.__recoupSessionToken();
  const realFetch = window.fetch.bind(window);
  window.fetch = async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) return realFetch(input, init);
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : undefined));
    if (!headers.has("Authorization")) headers.set("Authorization", "Bearer " + (await idToken()));
    return realFetch(input, { ...init, headers });
  };
  // A stylesheet, not an attribute on the element: React hydrates <ui-nav-menu> and would see it.
  const hide = document.createElement("style");
  hide.textContent = "ui-nav-menu { display: none; }";
  document.head.appendChild(hide);
  window.shopify = {
    config: { apiKey: script && script.dataset.apiKey, shop: params.get("shop"), host: params.get("host"), locale: "en" },
    environment: { embedded: true, mobile: false, pos: false },
    idToken,
    loading() {},
    toast: { show() {}, hide() {} },
  };
})();`;

/**
 * A page in the admin's iframe: App Bridge faked (`stub: false` serves an empty script: no one to
 * hand out a real token), script errors and console errors from our origin collected.
 */
async function adminPage(viewport: { width: number; height: number }, { stub = true } = {}) {
  // isbot() in authenticate.admin answers 410 to "HeadlessChrome": present as the Chrome it is.
  const userAgent = `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/${app.browser.version()} Safari/537.36`;
  return openPage(app, viewport, {
    userAgent,
    prepare: async (context) => {
      await context.exposeFunction("__recoupSessionToken", () => sessionToken());
      await context.route(APP_BRIDGE, (route) => route.fulfill({ contentType: "text/javascript", body: stub ? APP_BRIDGE_STUB : "" }));
    },
  });
}

beforeAll(async () => {
  process.env.SHOPIFY_API_KEY = API_KEY;
  process.env.SHOPIFY_API_SECRET = SECRET;
  app = await startBrowserApp();
  // Read when the server first builds its Shopify app object, i.e. at the first /app request.
  process.env.SHOPIFY_APP_URL = app.base;

  // Installed already: the offline token is stored, so no token exchange goes to Shopify.
  await new EncryptedPrismaSessionStorage().storeSession(
    new Session({ id: `offline_${SHOP}`, shop: SHOP, state: "state", isOnline: false, accessToken: "shpat_offline", scope: "read_customers" }),
  );
  const workspaceId = await linkShop({ shopDomain: SHOP });
  const failedAt = new Date(Date.now() - 2 * 3600_000);
  const recovery = await db().recovery.create({
    data: {
      workspaceId,
      provider: "shopify",
      externalAccountId: SHOP,
      externalId: INVOICE,
      externalCustomerId: "gid://shopify/Customer/42",
      declineType: "soft",
      declineCode: "insufficient_funds",
      amountDueMinor: 4489,
      currency: "usd",
      startedAt: failedAt,
      lastFailureAt: failedAt,
      retries: {
        create: {
          workspaceId,
          attemptNumber: 1,
          source: "platform",
          idempotencyKey: `shopify-browser-${Date.now()}`,
          status: "failed",
          declineCode: "insufficient_funds",
          amountMinor: 4489,
          currency: "usd",
          attemptedAt: failedAt,
        },
      },
    },
  });
  recoveryId = recovery.id;
}, 300_000);

afterAll(async () => {
  await app?.close();
  delete process.env.SHOPIFY_API_KEY;
  delete process.env.SHOPIFY_API_SECRET;
  delete process.env.SHOPIFY_APP_URL;
});

describe("the embedded app in the Shopify admin", () => {
  it("shows the overview and a recovery with a valid session token, on desktop and phone", async () => {
    const { page, problems } = await adminPage({ width: 1280, height: 900 });
    await page.goto(await adminUrl("/app"));
    await settled(page);
    // The dashboard's six cards and its trend chart.
    for (const label of ["Recovered", "Recovery rate", "At-risk revenue", "Active retries", "Failed revenue", "At risk", "Failed vs recovered"]) {
      await visible(page.getByRole("heading", { name: label, exact: true }));
    }
    await visible(page.getByRole("row").filter({ hasText: ROW_TEXT }).getByText("$44.89"));
    await visible(page.getByRole("row").filter({ hasText: ROW_TEXT }).getByText("Shopify customer #42"));
    await visible(page.locator("th:visible", { hasText: "Subscription / customer" }).first());
    expect(await page.getByText(INVOICE).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "embedded-overview-1280.png"), fullPage: true });

    // A client-side data request (the status tabs): App Bridge's token as a Bearer header.
    const dataRequest = page.waitForRequest((r) => r.url().startsWith(`${app.base}/app.data`));
    await page.getByRole("tab", { name: "Recovered" }).click();
    const request = await dataRequest;
    expect(await request.headerValue("authorization")).toMatch(/^Bearer ey/);
    expect((await request.response())?.status()).toBe(200);
    await page.waitForURL(/status=recovered/);
    await expect.poll(() => page.getByRole("row").filter({ hasText: ROW_TEXT }).count()).toBe(0);
    await page.getByRole("tab", { name: "All" }).click();
    await visible(page.getByRole("row").filter({ hasText: ROW_TEXT }));

    // The recovery's page, loaded as the admin loads it (the embedded list has no row links).
    await page.goto(await adminUrl(`/app/recoveries/${recoveryId}`));
    await settled(page);
    await visible(page.getByRole("heading", { name: "$44.89" }));
    await visible(page.getByText("Shopify subscription contract #7001 · billing attempt #1"));
    const timeline = page.getByRole("list", { name: "Timeline" });
    await visible(timeline.getByText("Shopify's original charge failed"));
    await visible(timeline.getByText("insufficient_funds"));
    await page.screenshot({ path: path.join(SHOTS, "embedded-recovery-1280.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();

    const phone = await adminPage({ width: 375, height: 812 });
    await phone.page.goto(await adminUrl("/app"));
    await settled(phone.page);
    await visible(phone.page.getByRole("heading", { name: "Failed revenue", exact: true }));
    await visible(phone.page.getByText(`${ROW_TEXT} · Shopify customer #42`).first());
    expect(await phone.page.getByText(INVOICE, { exact: false }).count()).toBe(0);
    await visible(phone.page.getByText("$44.89").first());
    await fitsWidth(phone.page, 375);
    await phone.page.screenshot({ path: path.join(SHOTS, "embedded-overview-375.png"), fullPage: true });
    expect(phone.problems).toEqual([]);
    await phone.page.context().close();
  });

  it("does not show the shop's data for a session token signed with another secret", async () => {
    const { page } = await adminPage({ width: 1280, height: 900 }, { stub: false });
    const response = await page.goto(await adminUrl("/app", await sessionToken("not-the-app-secret")));
    // The library sends a document request with a bad token to its bounce page, where the real
    // App Bridge would fetch a genuine token; nothing of the shop is rendered.
    expect(new URL(page.url()).pathname).toBe("/auth/session-token");
    expect(response?.status()).toBe(200);
    const body = await page.content();
    expect(body).not.toContain(INVOICE);
    expect(body).not.toContain(ROW_TEXT);
    expect(body).not.toContain("44.89");
    expect(body).not.toContain("Recovery rate");
    await page.context().close();
  });
});

describe("the dunning emails inside the Shopify admin", () => {
  const previewSubject = (page: Page) => page.getByTestId("preview-subject");

  it("opens the editor from the list, follows a subject edit in the preview, and deletes a sequence through its modal", async () => {
    const { workspaceId } = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain: SHOP } });
    const old = await db().dunningSequence.create({
      data: {
        workspaceId,
        name: "Old winter reminders",
        isEnabled: false,
        status: "draft",
        steps: { create: [{ workspaceId, position: 0, delayHours: 24, subjectTemplate: "Winter", bodyTemplate: "{{update_payment_url}}" }] },
      },
    });

    const { page, problems } = await adminPage({ width: 1280, height: 900 });
    await page.goto(await adminUrl("/app/dunning"));
    await settled(page);
    await visible(page.getByText("Active", { exact: true }));
    // A client-side navigation: the editor's data comes with App Bridge's token.
    await page.getByRole("link", { name: /Default recovery sequence/ }).click();
    await page.waitForURL(/\/app\/dunning\/(?!new)\w+/);
    await expect.poll(() => previewSubject(page).textContent(), { timeout: 10_000 }).toBe(`Your payment to ${STORE} didn't go through`);
    // Where the test email goes, before it is sent: the shop linked first, so it has no address yet.
    await visible(page.getByText("Tests go to the reply-to address in Settings; add one to send a test."));

    await page.getByLabel("Subject").first().fill("About your {{amount}} order at {{merchant_name}}");
    await expect.poll(() => previewSubject(page).textContent(), { timeout: 10_000 }).toBe(`About your $49.00 order at ${STORE}`);
    await visible(page.getByText("Unsaved changes"));
    await expect.poll(() => page.getByText("Updating…").count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "embedded-dunning-editor-1280.png"), fullPage: true });

    // The switched-off sequence is deleted after confirming; the list says so.
    await page.goto(await adminUrl(`/app/dunning/${old.id}`));
    await settled(page);
    await page.getByRole("button", { name: "Delete sequence" }).click();
    const modal = page.getByRole("dialog");
    await visible(modal.getByText("\u201cOld winter reminders\u201d", { exact: false }));
    await modal.getByRole("button", { name: "Delete sequence" }).click();
    await page.waitForURL((url) => url.pathname === "/app/dunning");
    await visible(page.getByRole("status").getByText("\u201cOld winter reminders\u201d deleted."));
    await expect.poll(() => page.getByText("Old winter reminders", { exact: true }).count()).toBe(0);
    expect(await db().dunningSequence.count({ where: { id: old.id } })).toBe(0);
    expect(problems).toEqual([]);
    await page.context().close();

    const phone = await adminPage({ width: 375, height: 812 });
    const active = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId, isEnabled: true } });
    await phone.page.goto(await adminUrl(`/app/dunning/${active.id}`));
    await expect.poll(() => previewSubject(phone.page).textContent(), { timeout: 10_000 }).toBe(`Your payment to ${STORE} didn't go through`);
    await phone.page.getByLabel("Subject").first().fill("Quick note from {{merchant_name}}");
    await expect.poll(() => previewSubject(phone.page).textContent(), { timeout: 10_000 }).toBe(`Quick note from ${STORE}`);
    await settled(phone.page);
    await fitsWidth(phone.page, 375);
    await phone.page.screenshot({ path: path.join(SHOTS, "embedded-dunning-editor-375.png"), fullPage: true });
    expect(phone.problems).toEqual([]);
    await phone.page.context().close();
  });
});

describe("settings inside the Shopify admin", () => {
  it("changes quiet hours with a valid session token and confirms with a toast, on desktop and phone", async () => {
    const { workspaceId } = await db().shopifyShop.findUniqueOrThrow({ where: { shopDomain: SHOP } });
    const { page, problems } = await adminPage({ width: 1280, height: 900 });
    await page.goto(await adminUrl("/app/settings"));
    await settled(page);
    await visible(page.getByRole("heading", { name: "Retry policy" }));
    // The shop in place of Stripe accounts, and no team to manage: Shopify decides who opens the app.
    const shop = page.getByRole("region", { name: "Connected shop" });
    await visible(shop.getByText(SHOP));
    await visible(page.getByText("Shopify decides who can open Recoup", { exact: false }));
    expect(await page.getByRole("button", { name: /Connect Stripe|Send invitation/ }).count()).toBe(0);

    const quiet = page.getByRole("region", { name: "Quiet hours and timezone" });
    await quiet.getByText("Use quiet hours").click();
    await quiet.getByLabel("Quiet from").selectOption("22");
    await quiet.getByLabel("until").selectOption("6");
    // A client-side action: App Bridge's token as a Bearer header.
    const saving = page.waitForRequest((r) => r.method() === "POST" && r.url().startsWith(`${app.base}/app/settings`));
    await quiet.getByRole("button", { name: "Save" }).click();
    expect(await (await saving).headerValue("authorization")).toMatch(/^Bearer ey/);
    await visible(page.getByRole("status").getByText("Quiet hours saved"));
    expect((await db().workspace.findUniqueOrThrow({ where: { id: workspaceId } })).retrySettings).toMatchObject({ quietHours: { start: 22, end: 6 } });
    await page.screenshot({ path: path.join(SHOTS, "embedded-settings-1280.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();

    const phone = await adminPage({ width: 375, height: 812 });
    await phone.page.goto(await adminUrl("/app/settings"));
    await settled(phone.page);
    await visible(phone.page.getByRole("heading", { name: "Quiet hours and timezone" }));
    expect(await phone.page.getByRole("region", { name: "Quiet hours and timezone" }).getByLabel("Quiet from").inputValue()).toBe("22");
    await fitsWidth(phone.page, 375);
    await phone.page.screenshot({ path: path.join(SHOTS, "embedded-settings-375.png"), fullPage: true });
    expect(phone.problems).toEqual([]);
    await phone.page.context().close();
  });
});
