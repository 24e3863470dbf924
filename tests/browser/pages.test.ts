// What a customer and a merchant see, in a real browser: the built app served by the real
// web server, Debian's chromium driven by playwright-core, the fake Stripe behind it all.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSignInLink } from "~/domain/auth/sessions.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { createRecoveryToken } from "~/domain/recovery/links.server";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../fakes/stripe-server";
import { makeWorkspace } from "../factories";
import { runDueJobs } from "../helpers/jobs";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";
import { SHOTS, openPage as openAppPage, startBrowserApp, visible, type BrowserApp } from "./server";

const CONNECTED_ACCOUNT = "acct_browser_connect";

let app: BrowserApp | undefined;
let stripe: FakeStripe;
let base: string;
let openToken: string;
let paidToken: string;
let merchant: Awaited<ReturnType<typeof merchantWithOpenInvoice>>;

async function failedInvoice(opts: { amount: number; declineCode: string }) {
  const m = await merchantWithOpenInvoice(stripe, { amount: opts.amount });
  const failed = stripe.failInvoice(m.account, m.invoiceId, { declineCode: opts.declineCode, nextPaymentAttempt: null });
  const res = await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  expect(res.status).toBe(200);
  await runDueJobs();
  const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  return { ...m, recovery };
}

const openPage = (viewport: { width: number; height: number }) => openAppPage(app!, viewport);

beforeAll(async () => {
  // Stripe's authorize page is played by the browser test itself (page.route below).
  app = await startBrowserApp({ stripeUserId: CONNECTED_ACCOUNT });
  ({ stripe, base } = app);

  const open = await failedInvoice({ amount: 4900, declineCode: "insufficient_funds" });
  merchant = open;
  await db().workspace.update({ where: { id: open.workspace.id }, data: { senderName: "Story Coffee Roasters" } });
  openToken = createRecoveryToken(open.recovery.id);

  const paid = await failedInvoice({ amount: 1200, declineCode: "insufficient_funds" });
  await db().recovery.update({
    where: { id: paid.recovery.id },
    data: { status: "recovered", recoveredAmountMinor: 1200, endedAt: new Date(), nextActionKind: null, nextActionAt: null },
  });
  paidToken = createRecoveryToken(paid.recovery.id);
}, 300_000);

afterAll(async () => {
  await app?.close();
});

describe("the customer's update-payment page on a 375 px phone", () => {
  it("shows who, how much and why, fits the screen, and the button opens Stripe's portal", async () => {
    const { page, problems } = await openPage({ width: 375, height: 812 });
    const res = await page.goto(`${base}/recover/${openToken}`);
    expect(res?.status()).toBe(200);

    await visible(page.getByText("Story Coffee Roasters").first());
    await visible(page.getByText("$49.00", { exact: true }));
    await visible(page.getByText("Your bank declined the payment because the card's balance was too low."));
    expect(await page.content()).not.toContain("insufficient_funds");
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    const button = page.getByRole("button", { name: "Update payment method" });
    const box = await button.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.height).toBeGreaterThanOrEqual(44);
    await page.screenshot({ path: path.join(SHOTS, "recover-375.png"), fullPage: true });
    expect(problems).toEqual([]);

    await button.click();
    await page.waitForURL(/\/fake-portal\//);
    await visible(page.getByRole("heading", { name: "Fake Stripe billing portal" }));
    const portal = stripe.requestsTo("POST", "/v1/billing_portal/sessions").at(-1)!;
    expect(portal).toMatchObject({ stripeAccount: merchant.account, body: { customer: merchant.customerId } });
    // The portal sends the customer back to this server's own done page.
    const back = String(portal.body.return_url);
    expect(back.startsWith(`${base}/recover/`) && back.endsWith("/done")).toBe(true);
    await page.context().close();
  });

  it("a paid recovery says there is nothing to pay, with no button", async () => {
    const { page, problems } = await openPage({ width: 375, height: 812 });
    await page.goto(`${base}/recover/${paidToken}`);
    await visible(page.getByRole("heading", { name: "Nothing to pay — this payment was already made" }));
    expect(await page.getByRole("button").count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "recover-paid-375.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("the page Stripe sends the customer back to thanks them", async () => {
    const { page, problems } = await openPage({ width: 375, height: 812 });
    await page.goto(`${base}/recover/${openToken}/done`);
    await visible(page.getByText("We'll retry your payment shortly", { exact: false }));
    await page.screenshot({ path: path.join(SHOTS, "recover-done-375.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("an unknown link is a friendly 404", async () => {
    const { page } = await openPage({ width: 375, height: 812 });
    const res = await page.goto(`${base}/recover/not-a-real-token`);
    expect(res?.status()).toBe(404);
    await visible(page.getByRole("heading", { name: "This link has expired or was already used" }));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.context().close();
  });
});

describe("the standalone dashboard", () => {
  it("signs in through a magic link and shows the summary and the recovery", async () => {
    const { page, problems } = await openPage({ width: 1280, height: 800 });
    const link = await createSignInLink({ userId: merchant.owner.id, workspaceId: merchant.workspace.id, appUrl: base });
    await page.goto(link);
    await page.waitForURL(`${base}/dashboard`);

    for (const label of ["Recovered", "Recovery rate", "Failed revenue", "At risk"]) {
      await visible(page.getByRole("heading", { name: label, exact: true }));
    }
    const row = page.getByRole("row").filter({ hasText: merchant.invoiceId });
    await visible(row);
    await visible(row.getByText("$49.00"));
    await visible(row.getByText("Recovering"));
    await page.screenshot({ path: path.join(SHOTS, "dashboard-1280.png"), fullPage: true });

    // As a phone opens it (Polaris picks its layout when the page loads).
    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await visible(page.getByText(merchant.invoiceId).first());
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(SHOTS, "dashboard-375.png"), fullPage: true });

    // The window selector drives the URL, and the page follows it.
    await page.getByLabel("Period").selectOption("lifetime");
    await page.waitForURL(/window=lifetime/);
    await visible(page.getByText(/^\d+ of the \d+ payments? that failed all time, won back so far$/));
    expect(problems).toEqual([]);

    // Signed out, the dashboard is the sign-in page again.
    // From the member's menu in the frame's top bar.
    await page.getByRole("button", { name: /'s menu$/ }).click();
    await page.getByRole("menuitem", { name: "Sign out" }).click();
    await visible(page.getByRole("heading", { name: "Sign in to Recoup" }));
    expect((await page.context().cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);
    await page.context().close();
  });

  it("without a session is the sign-in page, which explains how to get a link on a server without email", async () => {
    const { page } = await openPage({ width: 375, height: 812 });
    const res = await page.goto(`${base}/dashboard`);
    expect(res?.status()).toBe(200);
    expect(page.url()).toBe(`${base}/auth/sign-in?redirectTo=%2Fdashboard`);
    await visible(page.getByText("npm run cli -- sign-in-link --email you@example.com"));
    await page.screenshot({ path: path.join(SHOTS, "dashboard-signin-375.png"), fullPage: true });
    await page.context().close();
  });

  it("a new workspace is told how to connect Stripe, and the button goes through Connect and back", async () => {
    const { page, problems } = await openPage({ width: 1280, height: 800 });
    const { sessionToken } = await makeWorkspace({ name: "Fresh Bakery" });
    await page.context().addCookies([{ name: SESSION_COOKIE, value: sessionToken, url: base }]);
    await page.goto(`${base}/dashboard`);
    await visible(page.getByText("Connect Stripe to start recovering failed payments"));
    await page.screenshot({ path: path.join(SHOTS, "dashboard-empty-1280.png"), fullPage: true });

    // Stripe's authorize page: the merchant approves at once and comes back with a code.
    let authorize: URL | undefined;
    await page.route(`${stripe.url}/oauth/authorize**`, async (route) => {
      authorize = new URL(route.request().url());
      const back = new URL(authorize.searchParams.get("redirect_uri")!);
      back.search = new URLSearchParams({ code: "ac_browser", state: authorize.searchParams.get("state")! }).toString();
      await route.fulfill({ status: 302, headers: { location: back.toString() } });
    });
    await page.getByRole("button", { name: "Connect Stripe" }).click();
    await page.waitForURL(/\/dashboard\?connected=/);
    expect(authorize?.searchParams.get("redirect_uri")).toBe(`${base}/api/stripe/connect/callback`);
    await visible(page.getByText(`Account ${CONNECTED_ACCOUNT} is connected.`, { exact: false }));
    await page.screenshot({ path: path.join(SHOTS, "dashboard-connected-1280.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
