// The sequence editor and Settings in a real browser: edit an email and watch the preview follow,
// save; change the brand colour; create an API key, see it once, revoke it. Screenshots at desktop
// and phone widths.
import path from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "~/domain/auth/sessions.server";
import { getActiveSequence } from "~/domain/campaigns/sequences.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { connectStripeAccount, makeWorkspace } from "../factories";
import { openPage, SHOTS, startBrowserApp, visible, type BrowserApp, settled, fitsWidth } from "./server";

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
    await visible(page.getByText(/In effect now: up to 8 retries within 30 days of the first failure, between 07:00 and 10:00/));

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
    // API keys: listed, not managed.
    await visible(page.getByRole("region", { name: "API keys" }).getByText("Only admins can create, rotate or revoke API keys.", { exact: false }));
    expect(await page.getByRole("button", { name: "Create API key" }).isDisabled()).toBe(true);
    expect(await page.getByRole("button", { name: /^(Rotate|Revoke) / }).count()).toBe(0);
    await page.screenshot({ path: path.join(SHOTS, "settings-member-1280.png"), fullPage: true });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});

describe("API keys on Settings", () => {
  it("creates a key shown once with a copy button, gone after the modal closes and on reload; then revokes it", async () => {
    const keys = await makeWorkspace({ name: "Keys Coffee" });
    await db().apiKey.deleteMany({ where: { workspaceId: keys.workspace.id } });
    const { page, problems } = await openPage(app, { width: 1280, height: 900 });
    await page.context().addCookies([{ name: SESSION_COOKIE, value: keys.sessionToken, url: app.base }]);
    await page.context().grantPermissions(["clipboard-read", "clipboard-write"], { origin: app.base });
    await page.goto(`${app.base}/dashboard/settings`);
    await settled(page);
    const section = page.getByRole("region", { name: "API keys" });
    await visible(section.getByText("No API keys yet"));
    expect(await section.getByRole("link", { name: "API reference" }).first().getAttribute("href")).toBe("/docs/api");

    await section.getByRole("button", { name: "Create API key" }).click();
    const form = page.getByRole("dialog", { name: "Create an API key" });
    await visible(form.getByLabel("Name"));
    // No scope chosen: said beside the scopes, nothing created.
    await form.getByLabel("Name").fill("Billing sync");
    await form.getByRole("button", { name: "Create key" }).click();
    await visible(form.getByText("Choose at least one scope: what the key may do.").first());
    expectRefusal(problems, "/dashboard/settings");
    await form.getByLabel("Read", { exact: true }).check();
    await form.getByLabel("Narrower scopes (optional)").fill("write:payments");
    await form.getByRole("button", { name: "Create key" }).click();

    const shown = page.getByRole("dialog", { name: 'API key "Billing sync" created' });
    await visible(shown.getByText("Copy the key now: it won't be shown again"), 10_000);
    const key = await shown.getByLabel("Your new API key").inputValue();
    expect(key).toMatch(/^rk_live_[0-9A-Za-z]{32}$/);
    const row = await db().apiKey.findFirstOrThrow({ where: { workspaceId: keys.workspace.id } });
    expect(row).toMatchObject({ name: "Billing sync", hashedKey: sha256(key), scopes: ["read", "write:payments"] });
    await shown.getByRole("button", { name: "Copy" }).click();
    await visible(page.getByRole("status").getByText("API key copied"));
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(key);
    await page.screenshot({ path: path.join(SHOTS, "settings-api-key-created-1280.png") });

    await shown.getByRole("button", { name: "Done" }).click();
    await expect.poll(() => page.getByRole("dialog").count()).toBe(0);
    await visible(section.getByText("Billing sync", { exact: true }));
    await visible(section.getByText(`${key.slice(0, 12)}…`));
    await visible(section.getByText("write:payments", { exact: true }));
    expect(await page.content()).not.toContain(key);
    await page.reload();
    await settled(page);
    await visible(section.getByText("Billing sync", { exact: true }));
    expect(await page.content()).not.toContain(key);
    await page.screenshot({ path: path.join(SHOTS, "settings-api-keys-1280.png"), fullPage: true });

    await section.getByRole("button", { name: "Revoke Billing sync" }).click();
    const confirm = page.getByRole("dialog", { name: 'Revoke "Billing sync"?' });
    await visible(confirm.getByText("Requests with this key", { exact: false }));
    await confirm.getByRole("button", { name: "Revoke key" }).click();
    await visible(page.getByRole("status").getByText('"Billing sync" revoked. Requests with it are refused from now on.'));
    await visible(section.getByText("Revoked", { exact: true }));
    expect((await db().apiKey.findUniqueOrThrow({ where: { id: row.id } })).revokedAt).not.toBeNull();
    expect(await section.getByRole("button", { name: "Revoke Billing sync" }).count()).toBe(0);

    await page.setViewportSize({ width: 375, height: 812 });
    await page.reload();
    await visible(section.getByText("Billing sync", { exact: true }));
    await settled(page);
    await fitsWidth(page, 375);
    await page.screenshot({ path: path.join(SHOTS, "settings-api-keys-375.png"), fullPage: true });
    await section.getByRole("button", { name: "Create API key" }).click();
    await visible(page.getByRole("dialog", { name: "Create an API key" }).getByLabel("Narrower scopes (optional)"));
    await fitsWidth(page, 375);
    await page.screenshot({ path: path.join(SHOTS, "settings-api-key-form-375.png") });
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
