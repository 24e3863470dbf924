// The merchant's path through the standalone dashboard, in Debian's chromium against the built
// app: sign in with the link from a real email, read the overview and its chart, open a
// recovery, send the update link, retry it now, and see both land in the timeline.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { startSmtpServer, type FakeSmtp } from "../fakes/smtp-server";
import type { FakeStripe } from "../fakes/stripe-server";
import { runDueJobs } from "../helpers/jobs";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";
import { SHOTS, openPage as openAppPage, startBrowserApp, visible, type BrowserApp } from "./server";

let app: BrowserApp | undefined;
let stripe: FakeStripe;
let smtp: FakeSmtp;
let base: string;
let merchant: Awaited<ReturnType<typeof merchantWithOpenInvoice>> & { recoveryId: string };

const openPage = (viewport: { width: number; height: number }) => openAppPage(app!, viewport);

const sentTo = (address: string) => (mail: { to?: unknown }) => JSON.stringify(mail.to ?? "").includes(address);

beforeAll(async () => {
  smtp = await startSmtpServer();
  // Both the built server (sign-in links) and this process (dunning emails, via runDueJobs) mail here.
  process.env.SMTP_URL = smtp.url;
  app = await startBrowserApp();
  ({ stripe, base } = app);

  const m = await merchantWithOpenInvoice(stripe, { amount: 4900 });
  await db().workspace.update({ where: { id: m.workspace.id }, data: { name: "Story Coffee Roasters" } });
  const failed = stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
  expect((await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }))).status).toBe(200);
  await runDueJobs();
  const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  merchant = { ...m, recoveryId: recovery.id };
}, 300_000);

afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

describe("the merchant in the standalone dashboard", () => {
  it("signs in with the emailed link, reads the overview, and acts on a recovery", async () => {
    const { page, problems } = await openPage({ width: 1280, height: 800 });

    // Signed out, the dashboard is the sign-in page, asked to come back to it.
    await page.goto(`${base}/dashboard`);
    await page.waitForURL(`${base}/auth/sign-in?redirectTo=%2Fdashboard`);
    await page.getByLabel("Email").fill(merchant.owner.email!);
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await visible(page.getByRole("heading", { name: "Check your email" }));

    // The link, as the merchant would click it: from the email the SMTP server received.
    const mail = await smtp.waitFor(sentTo(merchant.owner.email!));
    const link = new RegExp(`${base.replace(/[.:/]/g, "\\$&")}/auth/magic/[\\w-]+`).exec(mail.text ?? "")?.[0];
    expect(link, `a sign-in link in:\n${mail.text}`).toBeDefined();
    await page.goto(link!);
    await page.waitForURL(`${base}/dashboard`);

    // The overview: the six cards and the trend chart (drawn in the browser once its code loads).
    for (const label of ["Recovered", "Recovery rate", "At-risk revenue", "Active retries", "Failed revenue", "At risk"]) {
      await visible(page.getByRole("heading", { name: label, exact: true }));
    }
    await visible(page.getByText("$49.00").first());
    await visible(page.getByRole("heading", { name: "Failed vs recovered" }));
    await visible(page.getByText("Payments that failed each of the last 30 days (1), and how many of them were recovered since (0)"));
    await page.locator("[data-testid=recovery-trend-chart] svg").first().waitFor({ state: "visible", timeout: 10_000 });
    await page.screenshot({ path: path.join(SHOTS, "overview-chart-1280.png"), fullPage: true });

    // A row opens its recovery.
    await page.getByRole("row").filter({ hasText: merchant.invoiceId }).getByRole("link", { name: merchant.invoiceId }).click();
    await page.waitForURL(`${base}/dashboard/recoveries/${merchant.recoveryId}`);
    await visible(page.getByRole("heading", { name: "$49.00" }));
    const timeline = page.getByRole("list", { name: "Timeline" });
    await visible(timeline.getByText("Stripe's original charge failed"));
    await visible(timeline.getByText("The card has insufficient funds for this payment."));
    await visible(page.getByText("Grace Hopper"));
    await visible(page.getByText("Visa •••• 4242"));

    // On a phone: send update link now. A toast, then the email reaches the customer.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await page.getByRole("button", { name: "Send update link now" }).click();
    await visible(page.getByRole("status").getByText(`Update link on its way to ${merchant.customerId}@example.com.`));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(SHOTS, "recovery-detail-375.png"), fullPage: true });
    await runDueJobs();
    await smtp.waitFor((m) => sentTo(`${merchant.customerId}@example.com`)(m) && (m.subject ?? "").includes("needs updating"));

    // On a desktop: retry now. A toast; the worker (here: this process) charges; the attempt joins the timeline.
    await page.setViewportSize({ width: 1280, height: 800 });
    await page.reload();
    await visible(timeline.getByText("Card update request"));
    await page.getByRole("button", { name: "Retry now" }).click();
    await visible(page.getByRole("status").getByText("Retrying now."));
    await visible(page.getByText("Retrying now, as requested by the merchant."));
    await page.screenshot({ path: path.join(SHOTS, "recovery-detail-1280.png"), fullPage: true });
    await runDueJobs();
    expect(stripe.requestsTo("POST", `/v1/invoices/${merchant.invoiceId}/pay`)).toHaveLength(1);
    await page.reload();
    await visible(timeline.getByText("Recoup retry #1 succeeded"));
    await visible(timeline.getByText("The invoice was paid."));
    expect(await timeline.locator("li").allInnerTexts()).toEqual([
      expect.stringContaining("Stripe's original charge failed"),
      expect.stringContaining("Card update request"),
      expect.stringContaining("Recoup retry #1 succeeded"),
      expect.stringContaining("Recovered"),
    ]);
    await page.screenshot({ path: path.join(SHOTS, "recovery-detail-recovered-1280.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });

  it("answers another workspace's recovery with a 404 page", async () => {
    const { page } = await openPage({ width: 375, height: 812 });
    const other = await merchantWithOpenInvoice(stripe);
    await page.context().addCookies([{ name: "recoup_session", value: other.sessionToken, url: base }]);
    const res = await page.goto(`${base}/dashboard/recoveries/${merchant.recoveryId}`);
    expect(res?.status()).toBe(404);
    await visible(page.getByRole("heading", { name: "Recovery not found" }));
    await visible(page.getByText("doesn't exist in this workspace", { exact: false }));
    await page.context().close();
  });

  it("the sign-in page says the same for an unknown address, on a phone", async () => {
    const { page, problems } = await openPage({ width: 375, height: 812 });
    await page.goto(`${base}/auth/sign-in`);
    await page.getByLabel("Email").fill("nobody-here@example.com");
    await page.screenshot({ path: path.join(SHOTS, "sign-in-375.png"), fullPage: true });
    await page.getByRole("button", { name: "Email me a sign-in link" }).click();
    await visible(page.getByRole("heading", { name: "Check your email" }));
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(SHOTS, "sign-in-sent-375.png"), fullPage: true });
    expect(smtp.messages.some(sentTo("nobody-here@example.com"))).toBe(false);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
