// The sequence editor and Settings in a real browser: edit an email and watch the preview follow,
// save; change the brand colour. Screenshots at desktop and phone widths.
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "~/domain/auth/sessions.server";
import { getActiveSequence } from "~/domain/dunning/sequences.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { db } from "~/utils/db.server";
import { connectStripeAccount, makeWorkspace } from "../factories";
import { openPage, SHOTS, startBrowserApp, visible, type BrowserApp } from "./server";

let app: BrowserApp;
let merchant: Awaited<ReturnType<typeof makeWorkspace>>;

beforeAll(async () => {
  app = await startBrowserApp();
  merchant = await makeWorkspace({ name: "Story Coffee" });
  await db().workspace.update({ where: { id: merchant.workspace.id }, data: { senderName: "Story Coffee Roasters", timezone: "Europe/Paris" } });
  await connectStripeAccount(merchant.workspace.id, "acct_browser_settings");
  await db().user.update({ where: { id: merchant.owner.id }, data: { name: "Olive Owner" } });
  const teammate = await db().user.create({ data: { email: `sam-${Date.now()}@story.example` } });
  await db().membership.create({ data: { workspaceId: merchant.workspace.id, userId: teammate.id, role: "admin" } });
}, 300_000);

afterAll(async () => {
  await app?.close();
});

async function signedIn(viewport: { width: number; height: number }) {
  const opened = await openPage(app, viewport);
  await opened.page.context().addCookies([{ name: SESSION_COOKIE, value: merchant.sessionToken, url: app.base }]);
  return opened;
}

const previewSubject = (page: Page) => page.getByTestId("preview-subject");

/** Chromium logs a 4xx answer as a console error: take out the one a step expects, leave the rest. */
function expectRefusal(problems: string[], path: string) {
  const index = problems.findIndex((p) => p.includes("status of 400") && p.includes(path));
  expect(index, `a 400 from ${path}`).toBeGreaterThanOrEqual(0);
  problems.splice(index, 1);
}

/** Polaris measures the page as it hydrates: let it finish before looking (and before screenshots, which touch inputs). */
async function settled(page: Page) {
  await page.waitForLoadState("networkidle");
}

async function fitsWidth(page: Page, width: number) {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe("the sequence editor", () => {
  it("lists the sequences, and editing a subject changes the live preview, then saves", async () => {
    const { page, problems } = await signedIn({ width: 1280, height: 900 });
    await page.goto(`${app.base}/dashboard/dunning`);
    await settled(page);
    const row = page.getByText("Default recovery sequence");
    await visible(row);
    await visible(page.getByText("Active", { exact: true }));
    await page.screenshot({ path: path.join(SHOTS, "dunning-list-1280.png"), fullPage: true });
    await row.click();
    await page.waitForURL(/\/dashboard\/dunning\/(?!new)\w+$/);

    // The first email's preview, filled with sample data and the sender name.
    await expect.poll(() => previewSubject(page).textContent(), { timeout: 10_000 }).toBe("Your payment to Story Coffee Roasters didn't go through");
    const frame = page.frameLocator('iframe[title="Preview of email 1"]');
    await visible(frame.getByText("Hi Jane Doe,"));

    const subject = page.getByLabel("Subject").first();
    await subject.fill("Jane, about your {{amount}} payment to {{merchant_name}}");
    await expect.poll(() => previewSubject(page).textContent(), { timeout: 10_000 }).toBe("Jane, about your $49.00 payment to Story Coffee Roasters");

    // A placeholder we can't fill is named where the preview was.
    await subject.fill("Hi {{nickname}}");
    await visible(page.getByText("The subject uses {{nickname}}, which isn't a placeholder Recoup can fill.", { exact: false }), 10_000);
    expectRefusal(problems, "/dashboard/dunning/preview");

    // The placeholder list inserts at the cursor.
    await subject.fill("Your payment to ");
    await subject.press("End");
    await page.getByRole("button", { name: "Insert {{merchant_name}}" }).click();
    expect(await subject.inputValue()).toBe("Your payment to {{merchant_name}}");
    await expect.poll(() => previewSubject(page).textContent(), { timeout: 10_000 }).toBe("Your payment to Story Coffee Roasters");
    await visible(page.getByText("Unsaved changes"));
    await expect.poll(() => page.getByText("Updating…").count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "dunning-editor-1280.png"), fullPage: true });

    await page.getByRole("button", { name: "Save" }).click();
    await visible(page.getByRole("status").getByText("Sequence saved"));
    const saved = (await getActiveSequence(merchant.workspace.id))!;
    expect(saved.steps[0]!.subjectTemplate).toBe("Your payment to {{merchant_name}}");
    await expect.poll(() => page.getByText("Unsaved changes").count()).toBe(0);
    expect(problems).toEqual([]);

    // As a phone opens it.
    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await expect.poll(() => previewSubject(page).textContent(), { timeout: 10_000 }).toBe("Your payment to Story Coffee Roasters");
    await settled(page);
    await fitsWidth(page, 375);
    // On a phone the placeholders come with the email being edited.
    await visible(page.getByText("Insert into the text:"));
    await page.screenshot({ path: path.join(SHOTS, "dunning-editor-375.png"), fullPage: true });

    // A new sequence starts from the default emails and, once created, opens at its own address.
    await page.goto(`${app.base}/dashboard/dunning/new`);
    await settled(page);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill("Winter reminders");
    await page.getByRole("button", { name: "Create sequence" }).click();
    await page.waitForURL(/\/dashboard\/dunning\/(?!new)\w+$/);
    await visible(page.getByRole("status").getByText("Sequence created"));
    expect(await db().dunningSequence.count({ where: { workspaceId: merchant.workspace.id, name: "Winter reminders", isEnabled: false } })).toBe(1);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe("Settings", () => {
  it("changes the brand colour, with the swatch and preview following as it is typed", async () => {
    const { page, problems } = await signedIn({ width: 1280, height: 900 });
    await page.goto(`${app.base}/dashboard/settings`);
    await visible(page.getByRole("heading", { name: "Retry policy" }));
    await settled(page);
    await visible(page.getByText("Limits Recoup always keeps"));
    await visible(page.getByText("acct_browser_settings"));
    await visible(page.getByText(/In effect now: up to 6 retries within 21 days/));

    const colour = page.getByLabel("Brand colour", { exact: true });
    const branding = page.getByRole("region", { name: "Branding" });
    // A colour that isn't one is refused beside the field, in plain words, until the field changes.
    await colour.fill("green");
    await branding.getByRole("button", { name: "Save" }).click();
    const refusal = page.getByText("Enter a colour as # and six hex digits, such as #1a56db.");
    await visible(refusal.first());
    expectRefusal(problems, "/dashboard/settings");

    await colour.fill("#0b7a5a");
    await expect.poll(() => refusal.count()).toBeLessThanOrEqual(1); // the toast may still say it
    const buttonPreview = page.getByTestId("brand-button-preview");
    await expect.poll(() => buttonPreview.evaluate((el) => getComputedStyle(el).backgroundColor)).toBe("rgb(11, 122, 90)");
    await branding.getByRole("button", { name: "Save" }).click();
    await visible(page.getByRole("status").getByText("Branding saved"));
    expect((await db().workspace.findUniqueOrThrow({ where: { id: merchant.workspace.id } })).brandColor).toBe("#0b7a5a");
    expect(problems).toEqual([]);
    await page.screenshot({ path: path.join(SHOTS, "settings-1280.png"), fullPage: true });

    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await visible(page.getByRole("heading", { name: "Branding" }));
    await settled(page);
    await fitsWidth(page, 375);
    await page.screenshot({ path: path.join(SHOTS, "settings-375.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe("Settings for a member", () => {
  it("shows the settings with their controls disabled and who to ask", async () => {
    const user = await db().user.create({ data: { email: `mo-${Date.now()}@story.example` } });
    await db().membership.create({ data: { workspaceId: merchant.workspace.id, userId: user.id, role: "member" } });
    const session = await createSession({ userId: user.id, workspaceId: merchant.workspace.id });
    const { page, problems } = await openPage(app, { width: 1280, height: 900 });
    await page.context().addCookies([{ name: SESSION_COOKIE, value: session.token, url: app.base }]);
    await page.goto(`${app.base}/dashboard/settings`);
    await settled(page);
    await visible(page.getByText("You can see these settings, not change them"));
    await visible(page.getByText("Only admins can change settings. Ask Olive Owner (the owner) or an admin", { exact: false }));
    const retry = page.getByRole("region", { name: "Retry policy" });
    expect(await retry.getByRole("button", { name: "Save" }).isDisabled()).toBe(true);
    expect(await retry.getByLabel("Retries per failed payment").isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Disconnect" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Send invitation" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: "Remove" }).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "settings-member-1280.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
