// The first minutes in a browser: the URL `npm start` prints, a signed-out visit to a dashboard
// page, the outbox (signed-in members only, their workspace's mail only), and the customer page's
// dead ends and broken logos.
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession, createSignInLink } from "~/domain/auth/sessions.server";
import { seedDemoWorkspace } from "~/domain/demo/seed.server";
import { inviteMember } from "~/domain/team/team.server";
import { createRecoveryToken } from "~/domain/recovery/links.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { makeWorkspace } from "../factories";
import { SHOTS, openPage, startBrowserApp, visible, type BrowserApp } from "./server";

let app: BrowserApp | undefined;
let base: string;

beforeAll(async () => {
  app = await startBrowserApp();
  ({ base } = app);
  delete process.env.SMTP_URL;
  resetEnv();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

let counter = 0;
async function recoveryOf(workspaceId: string, data: { status?: "pending" | "failed"; email?: string } = {}) {
  counter += 1;
  const customer = await db().customer.create({
    data: { workspaceId, externalId: `cus_fm_${counter}`, email: data.email ?? `ada${counter}@example.com`, name: "Ada" },
  });
  return db().recovery.create({
    data: {
      workspaceId,
      externalId: `in_fm_${counter}_${Date.now()}`,
      externalCustomerId: customer.externalId,
      customerId: customer.id,
      declineType: "soft",
      declineCode: "insufficient_funds",
      amountDueMinor: 4900,
      currency: "usd",
      startedAt: new Date(),
      lastFailureAt: new Date(),
      status: data.status ?? "pending",
    },
  });
}

describe("the URL npm start prints, and a signed-out visit", () => {
  it("/ leads to sign-in; a dashboard page asked for signed out comes back after the emailed link", async () => {
    const { page } = await openPage(app!, { width: 1280, height: 800 });
    const { workspace, owner } = await makeWorkspace({ name: "First Minutes Co" });

    const root = await page.goto(`${base}/`);
    expect(root?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe("/auth/sign-in");
    await visible(page.getByRole("heading", { name: "Sign in to Recoup" }));
    // No SMTP here: the page says so and where a link comes from instead.
    await visible(page.getByText("This server doesn't send email"));
    await page.screenshot({ path: path.join(SHOTS, "root-signin-1280.png"), fullPage: true });

    await page.goto(`${base}/dashboard/settings`);
    expect(page.url()).toBe(`${base}/auth/sign-in?redirectTo=%2Fdashboard%2Fsettings`);
    // The link the sign-in email would carry (it rides along from the form); it lands on settings.
    const form = await page.locator('input[name="redirectTo"]').first().inputValue();
    expect(form).toBe("/dashboard/settings");
    const link = await createSignInLink({ userId: owner.id, workspaceId: workspace.id, appUrl: base, redirectTo: form });
    await page.goto(link);
    await page.waitForURL(`${base}/dashboard/settings`);

    // Signed in, / is the dashboard.
    await page.goto(`${base}/`);
    await page.waitForURL(`${base}/dashboard`);

    // A link that tries to leave the server lands on the dashboard instead.
    const evil = await createSignInLink({ userId: owner.id, workspaceId: workspace.id, appUrl: base, redirectTo: "//evil.example/" });
    await page.goto(evil);
    await page.waitForURL(`${base}/dashboard`);
    await page.context().close();
  });
});

describe("the outbox", () => {
  it("signed out, it is the sign-in page; signed in, only this workspace's mail, the invitation included", async () => {
    const alpha = await makeWorkspace({ name: "Alpha Outbox" });
    const beta = await makeWorkspace({ name: "Beta Outbox" });
    const alphaRecovery = await recoveryOf(alpha.workspace.id);
    const betaRecovery = await recoveryOf(beta.workspace.id);
    const mail = (recoveryId: string, workspaceId: string, subject: string) =>
      db().dunningMessage.create({
        data: {
          workspaceId,
          recoveryId: recoveryId,
          kind: "sequence",
          dedupeKey: "s1",
          toEmail: "customer@example.com",
          subject,
          bodyText: "b",
          bodyHtml: "<html><head></head><body><p>Hello</p></body></html>",
          scheduledFor: new Date(),
          trackingId: `trk_fm_${subject.length}_${Date.now()}`,
        },
      });
    await mail(alphaRecovery.id, alpha.workspace.id, "Alpha: your payment failed");
    const betaMail = await mail(betaRecovery.id, beta.workspace.id, "Beta: your payment failed");
    await inviteMember({ workspaceId: alpha.workspace.id, email: `mate-${Date.now()}@example.com`, role: "member", appUrl: base });

    const { page } = await openPage(app!, { width: 1280, height: 800 });
    await page.goto(`${base}/outbox`);
    expect(new URL(page.url()).pathname).toBe("/auth/sign-in");
    expect(await page.content()).not.toContain("Beta: your payment failed");

    await page.context().addCookies([{ name: SESSION_COOKIE, value: alpha.sessionToken, url: base }]);
    await page.goto(`${base}/outbox`);
    await visible(page.getByRole("heading", { name: "Outbox · Alpha Outbox" }));
    await visible(page.getByRole("link", { name: "Alpha: your payment failed" }));
    await visible(page.getByRole("link", { name: "You're invited to Alpha Outbox on Recoup" }));
    expect(await page.getByText("Beta: your payment failed").count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "outbox-1280.png"), fullPage: true });

    const other = await page.goto(`${base}/outbox/${betaMail.id}`);
    expect(other?.status()).toBe(404);
    await page.context().close();
  });
});

describe("the demo's overview", () => {
  it("every figure is one cohort: the rate is recovered ÷ failed of it, and euros are shown beside, not dropped", async () => {
    const { workspace } = await seedDemoWorkspace();
    const owner = await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } });
    const { token } = await createSession({ userId: owner.ownerUserId, workspaceId: workspace.id });
    const { page, problems } = await openPage(app!, { width: 1280, height: 900 });
    await page.context().addCookies([{ name: SESSION_COOKIE, value: token, url: base }]);
    await page.goto(`${base}/dashboard?window=30d`);

    const figure = async (label: string) => {
      const value = page.getByRole("heading", { name: label, exact: true }).locator("xpath=following-sibling::p[1]");
      return (await value.innerText({ timeout: 5_000 })).trim();
    };
    const cents = (text: string) => Math.round(Number(text.replace(/[^0-9.]/g, "")) * 100);
    const recovered = cents(await figure("Recovered"));
    const failed = cents(await figure("Failed revenue"));
    const rate = Number((await figure("Recovery rate")).replace("%", ""));
    expect(recovered).toBeLessThanOrEqual(failed);
    expect(Math.abs(rate - (100 * recovered) / failed)).toBeLessThan(0.1);
    await visible(page.getByText(/Payments in other currencies, last 30 days \(not converted\)/));
    await visible(page.getByText(/^EUR: €/));
    await page.screenshot({ path: path.join(SHOTS, "demo-overview-1280.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe("the customer page's dead ends", () => {
  it("a logo that cannot load gives way to the shop's name; a closed payment names the reply-to address", async () => {
    const { workspace } = await makeWorkspace({ name: "Broken Logo Roasters" });
    await db().workspace.update({
      where: { id: workspace.id },
      data: { logoUrl: `${base.replace("http:", "https:")}/no-such-logo.png`, replyTo: "billing@roasters.example" },
    });
    const open = await recoveryOf(workspace.id);
    const closed = await recoveryOf(workspace.id, { status: "failed" });

    const { page, problems } = await openPage(app!, { width: 375, height: 812 });
    await page.goto(`${base}/recover/${createRecoveryToken(open.id)}`);
    await visible(page.getByText("Broken Logo Roasters", { exact: true }));
    expect(await page.locator("img.rc-merchant").count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "recover-broken-logo-375.png"), fullPage: true });

    await page.goto(`${base}/recover/${createRecoveryToken(closed.id)}`);
    await visible(page.getByRole("heading", { name: "This payment request is closed" }));
    const contact = page.getByRole("link", { name: "billing@roasters.example" });
    await visible(contact);
    expect(await contact.getAttribute("href")).toBe("mailto:billing@roasters.example");
    await page.screenshot({ path: path.join(SHOTS, "recover-closed-contact-375.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
