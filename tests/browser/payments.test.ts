// Payments in a real browser, at desktop and phone widths: open them from the dashboard's nav,
// create a payment request in the form (its link and QR code appear), find it in the list, open
// it and cancel it; the providers page shows the connected Stripe account; and the customer's
// /pay/<code> page on a phone opens the (fake) Stripe's hosted checkout, while a cancelled link's
// page says it can no longer be paid.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cancelPaymentRequest, createPaymentRequest } from "~/domain/collect/payment-requests.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { db } from "~/utils/db.server";
import { connectStripeAccount, makeRecovery, makeWorkspace } from "../factories";
import { openPage, SHOTS, startBrowserApp, visible, type BrowserApp, openDashboardNav, settled, fitsWidth } from "./server";

let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

async function merchant(name: string) {
  const m = await makeWorkspace({ name });
  const account = await connectStripeAccount(m.workspace.id, `acct_browser${Math.random().toString(36).slice(2, 10)}`);
  return { ...m, account: account.stripeAccountId };
}

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 375, height: 812 },
]) {
  describe(`payments at ${viewport.width} px`, () => {
    it("creates a payment request, finds it in the list, opens it and cancels it; the providers page shows Stripe connected", async () => {
      const m = await merchant(`Kitchens ${viewport.width}`);
      const shot = (what: string) => path.join(SHOTS, `payments-${what}-${viewport.width}.png`);
      const { page, problems } = await openPage(app, viewport);
      await page.context().addCookies([{ name: SESSION_COOKIE, value: m.sessionToken, url: app.base }]);

      // Payments, from the dashboard's nav: nothing yet, and what a pay-link is.
      await page.goto(`${app.base}/dashboard`);
      await settled(page);
      await openDashboardNav(page);
      await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Payments" }).click();
      await page.waitForURL(/\/dashboard\/payments$/);
      await settled(page);
      await visible(page.getByText("No payment requests yet"));
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("empty"), fullPage: true });

      // The form: an amount in pounds and pence, a UK mobile read as E.164.
      await page.getByRole("button", { name: "Create a payment request" }).click();
      const form = page.getByRole("dialog", { name: "Create payment request" });
      await visible(form.getByLabel("Amount"));
      const description = `Kitchen deposit ${viewport.width}`;
      await form.getByLabel("Amount").fill("24.99");
      await form.getByLabel("Description").fill(description);
      await form.getByLabel("Customer name").fill("Ada Lovelace");
      await form.getByLabel("Customer mobile").fill("07911 123456");
      await visible(form.getByText("Saved as +447911123456"));
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("form") });
      await form.getByRole("button", { name: "Create payment request" }).click();

      // Its link to send, with the copy button and the QR code.
      const created = page.getByRole("dialog", { name: "Payment request created" });
      await visible(created.getByRole("img", { name: "QR code of the pay-link" }), 10_000);
      const saved = await db().paymentRequest.findFirstOrThrow({ where: { workspaceId: m.workspace.id } });
      expect(saved).toMatchObject({ amountMinor: 2499, currency: "GBP", description, customerMobile: "+447911123456", createdVia: "dashboard" });
      expect(await created.getByLabel("Link to send").inputValue()).toBe(`${app.base}/pay/${saved.shortCode}`);
      await visible(created.getByRole("button", { name: "Copy link" }));
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("created") });
      await created.getByRole("button", { name: "Done" }).click();
      await created.waitFor({ state: "hidden" });

      // In the list, then its page.
      const row = page.getByRole("link", { name: description });
      await visible(row);
      await visible(page.getByText("£24.99").first());
      await settled(page);
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("list"), fullPage: true });
      await row.click();
      await page.waitForURL(new RegExp(`/dashboard/payments/${saved.id}$`));
      await settled(page);
      await visible(page.getByRole("heading", { name: "£24.99" }));
      await visible(page.getByTestId("lands-on"));
      expect(await page.getByTestId("lands-on").textContent()).toBe(`Lands on now: Stripe ${m.account} (primary)`);
      await visible(page.getByRole("list", { name: "History" }).getByText("Created"));
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("detail"), fullPage: true });

      // Cancel it.
      await page.getByRole("button", { name: "Cancel payment request" }).click();
      const confirm = page.getByRole("dialog", { name: "Cancel this payment request?" });
      await confirm.getByRole("button", { name: "Cancel payment request" }).click();
      await visible(page.getByRole("status").getByText("Payment request cancelled", { exact: false }));
      await visible(page.getByRole("list", { name: "History" }).getByText("Cancelled: the link can no longer be paid"));
      expect(await page.getByRole("button", { name: "Cancel payment request" }).count()).toBe(0);
      expect((await db().paymentRequest.findUniqueOrThrow({ where: { id: saved.id } })).status).toBe("cancelled");
      await settled(page);
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("cancelled"), fullPage: true });

      // The providers page: the Stripe account, connected, and the routing chain's primary.
      await page.goto(`${app.base}/dashboard/payments/providers`);
      await settled(page);
      await visible(page.getByRole("heading", { name: `Stripe ${m.account}` }));
      await visible(page.getByText("Connected", { exact: true }));
      const routing = await db().routingConfig.findUniqueOrThrow({ where: { workspaceId: m.workspace.id } });
      expect(await page.getByLabel("Primary").inputValue()).toBe(routing.primaryConnectionId);
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("providers"), fullPage: true });
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it("creates a pay-link for an open recovery from its page", async () => {
      const m = await merchant(`Gym ${viewport.width}`);
      const recovery = await makeRecovery(m.workspace.id, { status: "pending", amountDueMinor: 4900, currency: "gbp", lastFailureAt: new Date(), startedAt: new Date() });
      const { page, problems } = await openPage(app, viewport);
      await page.context().addCookies([{ name: SESSION_COOKIE, value: m.sessionToken, url: app.base }]);
      await page.goto(`${app.base}/dashboard/recoveries/${recovery.id}`);
      await settled(page);
      await visible(page.getByRole("heading", { name: "Pay-link" }));
      await page.getByRole("button", { name: "Create pay-link" }).click();
      await visible(page.getByRole("img", { name: "QR code of the pay-link" }), 10_000);
      const link = await db().paymentRequest.findFirstOrThrow({ where: { recoveryId: recovery.id } });
      expect(link).toMatchObject({ amountMinor: 4900, currency: "GBP", status: "open" });
      expect(await page.getByLabel("Link to send").inputValue()).toBe(`${app.base}/pay/${link.shortCode}`);
      expect(await page.getByRole("button", { name: "Create pay-link" }).count()).toBe(0);
      await settled(page);
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: path.join(SHOTS, `payments-recovery-${viewport.width}.png`), fullPage: true });
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });
}

describe("the customer's pay page at 375 px", () => {
  it("shows the amount and the Pay button without sideways scrolling, and opens Stripe's hosted checkout", async () => {
    const m = await merchant("Harley Street Clinic");
    const link = await createPaymentRequest({ workspaceId: m.workspace.id, livemode: false, createdVia: "dashboard", amountMinor: 2499, currency: "GBP", description: "Consultation", customerName: "Ada" });
    const { page, problems } = await openPage(app, { width: 375, height: 812 });
    await page.goto(`${app.base}/pay/${link.shortCode}`);
    await settled(page);
    await visible(page.getByText("£24.99", { exact: true }));
    const pay = page.getByRole("button", { name: "Pay £24.99" });
    await visible(pay);
    expect(await pay.isVisible()).toBe(true);
    const box = (await pay.boundingBox())!;
    expect(box.x).toBeGreaterThanOrEqual(0);
    expect(box.x + box.width).toBeLessThanOrEqual(375);
    // Both on the first screen of a phone, without scrolling.
    expect(box.y + box.height).toBeLessThanOrEqual(812);
    expect((await page.getByText("£24.99", { exact: true }).boundingBox())!.y).toBeLessThan(812);
    await fitsWidth(page, 375);
    await page.screenshot({ path: path.join(SHOTS, "pay-link-375.png"), fullPage: true });

    await pay.click();
    await page.waitForURL(new RegExp(`^${app.stripe.url.replace(/[.:/]/g, "\\$&")}/fake-checkout/cs_`), { timeout: 15_000 });
    await settled(page);
    const transaction = await db().transaction.findFirstOrThrow({ where: { paymentRequestId: link.id } });
    expect(page.url()).toBe(transaction.checkoutUrl);
    await page.screenshot({ path: path.join(SHOTS, "pay-link-checkout-375.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("a cancelled link's page says it can no longer be paid", async () => {
    const m = await merchant("Harley Street Dental");
    const link = await createPaymentRequest({ workspaceId: m.workspace.id, livemode: false, createdVia: "dashboard", amountMinor: 1500, currency: "GBP", description: "Check-up" });
    await cancelPaymentRequest({ workspaceId: m.workspace.id, livemode: false, id: link.id });
    const { page, problems } = await openPage(app, { width: 375, height: 812 });
    await page.goto(`${app.base}/pay/${link.shortCode}`);
    await settled(page);
    await visible(page.getByRole("heading", { name: "This payment link was cancelled" }));
    await visible(page.getByText("It can no longer be paid", { exact: false }));
    expect(await page.getByRole("button", { name: /^Pay / }).count()).toBe(0);
    await fitsWidth(page, 375);
    await page.screenshot({ path: path.join(SHOTS, "pay-link-cancelled-375.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
