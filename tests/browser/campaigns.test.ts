// Campaigns in a real browser, at desktop and phone widths: open them from the dashboard's nav,
// start one from a template, change its name and a filter, watch the email preview follow, run
// the simulation on the workspace's own failed payments, then activate it and see its status change.
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getCampaign } from "~/domain/campaigns/campaigns.server";
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

const DAY = 86_400_000;

/** A merchant whose last month holds two expired cards (one won back) and a temporary decline. */
async function merchantWithHistory(name: string) {
  const merchant = await makeWorkspace({ name });
  await db().workspace.update({ where: { id: merchant.workspace.id }, data: { senderName: `${name} Roasters` } });
  await connectStripeAccount(merchant.workspace.id);
  const now = Date.now();
  const failures = [
    { declineCode: "expired_card", amountDueMinor: 2500, days: 5, recoveredAfterDays: null },
    { declineCode: "expired_card", amountDueMinor: 9900, days: 25, recoveredAfterDays: 12 },
    { declineCode: "insufficient_funds", amountDueMinor: 4000, days: 10, recoveredAfterDays: null },
  ];
  for (const f of failures) {
    const startedAt = new Date(now - f.days * DAY);
    await makeRecovery(merchant.workspace.id, {
      declineCode: f.declineCode,
      amountDueMinor: f.amountDueMinor,
      startedAt,
      lastFailureAt: startedAt,
      ...(f.recoveredAfterDays === null
        ? { status: "pending" }
        : { status: "recovered", endedAt: new Date(startedAt.getTime() + f.recoveredAfterDays * DAY), recoveredAmountMinor: f.amountDueMinor }),
    });
  }
  return merchant;
}

const previewSubject = (page: Page) => page.getByTestId("preview-subject");

/** A Page's secondary action: a button on wide screens, in the actions menu when Polaris folds them. */
async function pageAction(page: Page, name: string) {
  const button = page.getByRole("button", { name, exact: true });
  if (await button.isVisible()) return button.click();
  await page.getByRole("button", { name: "View actions" }).click();
  await page.getByRole("button", { name, exact: true }).click();
}

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 375, height: 812 },
]) {
  describe(`campaigns at ${viewport.width} px`, () => {
    it("creates a campaign from a template, edits it with the live preview, simulates it and activates it", async () => {
      const merchant = await merchantWithHistory(`Story ${viewport.width}`);
      const sender = `Story ${viewport.width} Roasters`;
      const shot = (what: string) => path.join(SHOTS, `campaigns-${what}-${viewport.width}.png`);
      const { page, problems } = await openPage(app, viewport);
      await page.context().addCookies([{ name: SESSION_COOKIE, value: merchant.sessionToken, url: app.base }]);

      // Campaigns, from the dashboard's nav.
      await page.goto(`${app.base}/dashboard`);
      await settled(page);
      await openDashboardNav(page);
      await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: "Campaigns" }).click();
      await page.waitForURL(/\/dashboard\/campaigns$/);
      await settled(page);
      await visible(page.getByRole("link", { name: "Default recovery sequence" }));
      await visible(page.getByText("Any failed payment").first());
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("list"), fullPage: true });

      // From a template: the picker lists them with what each is for.
      await pageAction(page, "Start from a template");
      const picker = page.getByRole("dialog", { name: "Start from a template" });
      await visible(picker.getByText("For payments declined because the card expired", { exact: false }));
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("templates") });
      await picker.getByRole("button", { name: "Use the template Expired card" }).click();
      await page.waitForURL(/\/dashboard\/campaigns\/(?!new)\w+$/);
      const campaignId = new URL(page.url()).pathname.split("/").pop()!;
      // The new draft's editor, filled from the template (the toast that says so is transient: the
      // saved state is what the merchant relies on).
      await expect.poll(() => page.getByRole("textbox", { name: "Name", exact: true }).inputValue(), { timeout: 10_000 }).toBe("Expired card");
      expect(await getCampaign({ workspaceId: merchant.workspace.id, id: campaignId })).toMatchObject({ status: "draft", templateId: "tmpl_card_expired" });
      await settled(page);

      // The same live preview as the sequence editor, with the sender's name.
      await expect.poll(() => previewSubject(page).textContent(), { timeout: 10_000 }).toBe(`Your card on file with ${sender} has expired`);
      const subject = page.getByLabel("Subject").first();
      await subject.fill("{{merchant_name}}: your card has expired");
      await expect.poll(() => previewSubject(page).textContent(), { timeout: 10_000 }).toBe(`${sender}: your card has expired`);

      // Its name and a filter: payments of 10.00 or more.
      await page.getByRole("textbox", { name: "Name", exact: true }).fill("Expired cards over $10");
      await page.getByLabel("Smallest amount").fill("10");
      await visible(page.getByText("Unsaved changes"));
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await visible(page.getByRole("status").getByText("Campaign saved"));
      await expect.poll(() => page.getByText("Unsaved changes").count()).toBe(0);
      const saved = await getCampaign({ workspaceId: merchant.workspace.id, id: campaignId });
      expect(saved).toMatchObject({ name: "Expired cards over $10", status: "draft", trigger: "card_expired", filters: { min_amount_cents: 1000 } });
      expect(saved.steps[0]!.subjectTemplate).toBe("{{merchant_name}}: your card has expired");

      // Simulate before activating: both expired cards, the one won back after its emails, and the default campaign it overlaps.
      await page.getByRole("button", { name: "Simulate", exact: true }).click();
      await expect.poll(() => page.getByTestId("simulation-would-enroll").textContent(), { timeout: 15_000 }).toBe("2");
      expect(await page.getByTestId("simulation-rate").textContent()).toBe("50%");
      expect(await page.getByTestId("simulation-recoveries").textContent()).toBe("1");
      const overlaps = page.getByRole("list", { name: "Overlapping campaigns" });
      await visible(overlaps.getByText("Default recovery sequence"));
      await visible(overlaps.getByText("This campaign wins", { exact: true }));
      await visible(overlaps.getByText("2 shared failed payments", { exact: false }));
      await visible(page.getByRole("list", { name: "Simulated emails" }).getByText("Email 2"));
      await settled(page);
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("simulated"), fullPage: true });

      // Activate: the status changes, and the targeting and emails lock until it is paused.
      await page.getByRole("button", { name: "Activate", exact: true }).click();
      await visible(page.getByRole("status").getByText("\u201cExpired cards over $10\u201d is active", { exact: false }));
      await visible(page.getByRole("heading", { name: "Pause it to edit" }));
      await visible(page.getByRole("button", { name: "Pause", exact: true }));
      expect(await page.getByText("Draft", { exact: true }).count()).toBe(0);
      expect(await page.getByText("Active", { exact: true }).count()).toBeGreaterThanOrEqual(1);
      expect(await page.getByRole("textbox", { name: "Name", exact: true }).isDisabled()).toBe(true);
      expect((await getCampaign({ workspaceId: merchant.workspace.id, id: campaignId })).status).toBe("active");
      await settled(page);
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("active"), fullPage: true });

      // Back in the list, with its new status.
      await page.goto(`${app.base}/dashboard/campaigns?status=active`);
      await settled(page);
      await visible(page.getByRole("link", { name: "Expired cards over $10" }));
      await fitsWidth(page, viewport.width);
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });
}
