// The dashboard as a workplace, in a real browser at desktop and phone widths: the frame's bell
// (unread count, popover, mark all as read), page titles, the styled 404 with its way back, the
// warning before leaving a sequence with unsaved edits (and none after saving), and the
// searchable time zone picker.
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { makeTeammate, makeWorkspace } from "../factories";
import { openDashboardNav, openPage, SHOTS, startBrowserApp, visible, type BrowserApp, settled } from "./server";

let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

/** A workspace (saved under an old zone name), its owner signed in, notifications for the owner and for a teammate. */
async function merchant(name: string) {
  const made = await makeWorkspace({ name });
  await db().workspace.update({ where: { id: made.workspace.id }, data: { timezone: "Asia/Calcutta" } });
  const mate = await makeTeammate(made.workspace.id, "admin");
  const mine = { workspaceId: made.workspace.id, userId: made.owner.id };
  await db().notification.createMany({
    data: [
      { ...mine, dedupeKey: "a", title: "Recovery rate below 20%", body: "14% of failed revenue won back today.", link: "/dashboard/settings", createdAt: new Date("2026-12-01T09:30:00Z") },
      { ...mine, dedupeKey: "b", title: "Webhook endpoint disabled", body: "https://hooks.example.com failed 20 times in a row.", link: "/dashboard/webhooks", createdAt: new Date("2026-12-02T09:30:00Z") },
      { ...mine, dedupeKey: "c", title: "Large failed payment", body: "$1,200.00 from Jane Doe failed.", createdAt: new Date("2026-12-03T09:30:00Z") },
      { workspaceId: made.workspace.id, userId: mate.user.id, dedupeKey: "d", title: "Teammate only", body: "Not the owner's." },
    ],
  });
  return { ...made, mate };
}

async function signedIn(viewport: { width: number; height: number }, token: string) {
  const opened = await openPage(app, viewport);
  await opened.page.context().addCookies([{ name: SESSION_COOKIE, value: token, url: app.base }]);
  return opened;
}

/** On a phone the sections are behind the menu button: open it first. */
async function navTo(page: Page, label: string) {
  await openDashboardNav(page);
  await page.getByRole("navigation", { name: "Dashboard" }).getByRole("link", { name: label, exact: true }).click();
}

/** Chromium logs a 4xx page as a console error: take out the one a step expects, leave the rest. */
function expectStatus(problems: string[], status: number) {
  const index = problems.findIndex((p) => p.includes(`status of ${status}`));
  expect(index, `a ${status}`).toBeGreaterThanOrEqual(0);
  problems.splice(index, 1);
}

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 375, height: 812 },
]) {
  describe(`the dashboard's frame at ${viewport.width} px`, () => {
    it("the bell shows the unread count; opening it lists them in the workspace's zone, and “Mark all as read” clears the badge", async () => {
      const m = await merchant(`Harbor Tea ${viewport.width}`);
      const { page, problems } = await signedIn(viewport, m.sessionToken);
      await page.goto(`${app.base}/dashboard`);
      await settled(page);
      const bell = page.getByRole("button", { name: /^Notifications/ });
      await visible(bell);
      expect(await bell.getAttribute("aria-label")).toBe("Notifications, 3 unread");
      expect(await page.getByTestId("notifications-badge").textContent()).toBe("3");

      await bell.click();
      const popover = page.getByRole("dialog", { name: "Notifications" });
      await visible(popover.getByText("Webhook endpoint disabled"));
      await visible(popover.getByText("Recovery rate below 20%"));
      // 09:30 UTC is 15:00 in Kolkata (the workspace saved as Asia/Calcutta).
      await visible(popover.getByText("Dec 2, 2026, 15:00 GMT+5:30", { exact: false }));
      expect(await popover.getByText("Teammate only").count()).toBe(0);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: path.join(SHOTS, `frame-bell-${viewport.width}.png`) });

      await popover.getByRole("button", { name: "Mark all as read" }).click();
      await expect.poll(() => page.getByTestId("notifications-badge").count(), { timeout: 10_000 }).toBe(0);
      expect(await bell.getAttribute("aria-label")).toBe("Notifications");
      // The badge goes at once; the answer follows.
      await expect.poll(() => db().notification.count({ where: { workspaceId: m.workspace.id, userId: m.owner.id, readAt: null } }), { timeout: 10_000 }).toBe(0);
      expect(await db().notification.count({ where: { workspaceId: m.workspace.id, userId: m.mate.user.id, readAt: null } })).toBe(1);

      // Still clear after a full reload: it was saved, not only hidden.
      await page.reload();
      await settled(page);
      await visible(page.getByRole("button", { name: "Notifications", exact: true }));
      expect(await page.getByTestId("notifications-badge").count()).toBe(0);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it("names each page in its title, and an unknown address shows the styled 404 with a way back", async () => {
      const m = await merchant(`Quay Coffee ${viewport.width}`);
      const { page, problems } = await signedIn(viewport, m.sessionToken);
      await page.goto(`${app.base}/dashboard`);
      await settled(page);
      expect(await page.title()).toBe("Overview · Recoup");

      await navTo(page, "Settings");
      await page.waitForURL(/\/dashboard\/settings$/);
      await expect.poll(() => page.title()).toBe("Settings · Recoup");
      await navTo(page, "Notifications");
      await page.waitForURL(/\/dashboard\/notifications$/);
      await expect.poll(() => page.title()).toBe("Notifications · Recoup");
      await visible(page.getByRole("heading", { name: "Large failed payment" }));

      const res = await page.goto(`${app.base}/dashboard/no-such-page`);
      expect(res?.status()).toBe(404);
      expectStatus(problems, 404);
      await visible(page.getByRole("heading", { name: "This page doesn't exist" }));
      expect(await page.title()).toBe("Page not found · Recoup");
      // Inside the frame: the bell and the sections are still there.
      await visible(page.getByRole("button", { name: /^Notifications/ }));
      await page.screenshot({ path: path.join(SHOTS, `frame-404-${viewport.width}.png`), fullPage: true });
      await page.getByRole("link", { name: "Go to the overview" }).click();
      await page.waitForURL(`${app.base}/dashboard`);
      await expect.poll(() => page.title()).toBe("Overview · Recoup");
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it("warns before leaving the sequence editor with unsaved changes, and not after saving", async () => {
      const m = await merchant(`Pier Bakery ${viewport.width}`);
      const { page, problems } = await signedIn(viewport, m.sessionToken);
      await page.goto(`${app.base}/dashboard/dunning`);
      await settled(page);
      await page.getByText("Default recovery sequence").click();
      await page.waitForURL(/\/dashboard\/dunning\/(?!new)\w+$/);
      await settled(page);
      await expect.poll(() => page.title()).toBe("Default recovery sequence · Dunning · Recoup");
      const editorUrl = page.url();

      await page.getByLabel("Name", { exact: true }).fill("Gentle reminders");
      await navTo(page, "Settings");
      // (On a phone Polaris' dialog element has no size of its own: its content is fixed to the bottom.)
      const ask = page.getByRole("dialog", { name: "Discard unsaved changes?" });
      await visible(ask.getByRole("heading", { name: "Discard unsaved changes?" }));
      await page.screenshot({ path: path.join(SHOTS, `frame-unsaved-${viewport.width}.png`) });
      await ask.getByRole("button", { name: "Keep editing" }).click();
      await ask.getByRole("heading", { name: "Discard unsaved changes?" }).waitFor({ state: "hidden" });
      expect(page.url()).toBe(editorUrl);
      expect(await page.getByLabel("Name", { exact: true }).inputValue()).toBe("Gentle reminders");

      // Saved, nothing is lost by leaving: no question.
      await page.getByRole("button", { name: "Save", exact: true }).click();
      await visible(page.getByText("Sequence saved"));
      await navTo(page, "Settings");
      await page.waitForURL(/\/dashboard\/settings$/);
      expect(await page.getByRole("dialog", { name: "Discard unsaved changes?" }).count()).toBe(0);
      expect(problems).toEqual([]);
      await page.context().close();
    });

    it("the time zone picker shows an old name as today's, and finds a zone by typing a city", async () => {
      const m = await merchant(`Dock Books ${viewport.width}`);
      const { page, problems } = await signedIn(viewport, m.sessionToken);
      await page.goto(`${app.base}/dashboard/settings`);
      await settled(page);
      const zone = page.getByRole("combobox", { name: "Your timezone" });
      await visible(zone);
      // Saved as Asia/Calcutta, shown under today's name.
      expect(await zone.inputValue()).toBe("Kolkata (Asia) · UTC+05:30");

      await zone.click();
      await zone.fill("kyiv");
      await page.getByRole("option", { name: /^Kyiv \(Europe\) · UTC\+0[23]:00$/ }).click();
      expect(await zone.inputValue()).toMatch(/^Kyiv \(Europe\) · UTC\+0[23]:00$/);
      const quiet = page.getByRole("region", { name: "Quiet hours and timezone" });
      await quiet.getByRole("button", { name: "Save" }).click();
      await visible(page.getByText("Quiet hours saved"));
      await expect.poll(async () => (await db().workspace.findUniqueOrThrow({ where: { id: m.workspace.id } })).timezone).toBe("Europe/Kyiv");

      await zone.click();
      await zone.fill("Kolkata");
      const kolkata = page.getByRole("option", { name: "Kolkata (Asia) · UTC+05:30" });
      await visible(kolkata);
      // Only the zones that match are listed.
      expect(await page.getByRole("listbox").getByRole("option").count()).toBe(1);
      await page.screenshot({ path: path.join(SHOTS, `frame-timezone-${viewport.width}.png`) });
      await kolkata.click();
      await quiet.getByRole("button", { name: "Save" }).click();
      await expect.poll(async () => (await db().workspace.findUniqueOrThrow({ where: { id: m.workspace.id } })).timezone).toBe("Asia/Kolkata");
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });
}
