import { describe, expect, it } from "vitest";
import { ZodError } from "zod";
import { runDunningStep } from "~/domain/dunning/messages.server";
import { renderEmail } from "~/domain/dunning/templates";
import { retrySettingsFor } from "~/domain/recovery/engine.server";
import { DEFAULT_RETRY_SETTINGS } from "~/domain/recovery/policy";
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { zoneWhereItIsNoon } from "../../../tests/helpers/daytime";
import { getWorkspaceSettings, updateQuietHours, updateRetryPolicy, updateSenderAndBranding, updateTimezone } from "./settings.server";

/** The field and message of a validation failure. */
async function rejection(promise: Promise<unknown>): Promise<{ path: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ZodError) return { path: error.issues[0]!.path.join("."), message: error.issues[0]!.message };
    if (error instanceof AppError) {
      const first = (error.meta?.errors as Array<{ path: string }> | undefined)?.[0];
      return { path: first?.path ?? error.code, message: error.message };
    }
    throw error;
  }
  throw new Error("expected a rejection");
}

describe("updateRetryPolicy: each limit, just inside and just outside", () => {
  const cases: Array<[string, Record<string, unknown>, boolean]> = [
    ["maxRetries 1", { maxRetries: 1 }, true],
    ["maxRetries 10", { maxRetries: 10 }, true],
    ["maxRetries 0", { maxRetries: 0 }, false],
    ["maxRetries 11", { maxRetries: 11 }, false],
    ["maxRetries 2.5", { maxRetries: 2.5 }, false],
    ["retryWindowDays 7", { retryWindowDays: 7 }, true],
    ["retryWindowDays 35", { retryWindowDays: 35 }, true],
    ["retryWindowDays 6", { retryWindowDays: 6 }, false],
    ["retryWindowDays 36", { retryWindowDays: 36 }, false],
    ["preferredLocalHours [0, 24]", { preferredLocalHours: [0, 24] }, true],
    ["preferredLocalHours [23, 24]", { preferredLocalHours: [23, 24] }, true],
    ["preferredLocalHours [8, 8]", { preferredLocalHours: [8, 8] }, false],
    ["preferredLocalHours [11, 8]", { preferredLocalHours: [11, 8] }, false],
    ["preferredLocalHours [-1, 8]", { preferredLocalHours: [-1, 8] }, false],
    ["preferredLocalHours [8, 25]", { preferredLocalHours: [8, 25] }, false],
    ["quietHours 21 to 8", { quietHours: { start: 21, end: 8 } }, true],
    ["quietHours 0 to 23", { quietHours: { start: 0, end: 23 }, preferredLocalHours: [23, 24] }, true],
    ["quietHours 8 to 8", { quietHours: { start: 8, end: 8 } }, false],
    ["quietHours 22 to 24", { quietHours: { start: 22, end: 24 } }, false],
    ["quietHours null", { quietHours: null }, true],
    ["paydayAware false", { paydayAware: false }, true],
    ["paydayAware 'yes'", { paydayAware: "yes" }, false],
    ["an unknown setting", { fallbackTimezone: "Europe/Paris" }, false],
  ];

  it.each(cases)("%s", async (_name, patch, accepted) => {
    const { workspace } = await makeWorkspace();
    const update = updateRetryPolicy({ workspaceId: workspace.id, patch: patch as never });
    if (accepted) await expect(update).resolves.toBeTruthy();
    else await expect(update).rejects.toBeInstanceOf(ZodError);
  });

  it("explains the retry cap in terms of the card networks", async () => {
    const { workspace } = await makeWorkspace();
    const { path, message } = await rejection(updateRetryPolicy({ workspaceId: workspace.id, patch: { maxRetries: 11 } }));
    expect(path).toBe("maxRetries");
    expect(message).toMatch(/At most 10 retries: card networks cap the attempts on one card/);
    expect(message).toMatch(/Visa 20 in 30 days, Mastercard 10 declines in 24 hours/);
  });

  it("stores only what the merchant set, as overrides retrySettingsFor() lays over the defaults", async () => {
    const { workspace } = await makeWorkspace();
    await db().workspace.update({ where: { id: workspace.id }, data: { timezone: "Europe/Paris" } });
    await updateRetryPolicy({ workspaceId: workspace.id, patch: { maxRetries: 4 } });
    const settings = await updateRetryPolicy({ workspaceId: workspace.id, patch: { retryWindowDays: 14, quietHours: { start: 22, end: 7 } } });

    const stored = await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } });
    expect(stored.retrySettings).toEqual({ maxRetries: 4, retryWindowDays: 14, quietHours: { start: 22, end: 7 } });
    expect(retrySettingsFor(stored)).toEqual({
      ...DEFAULT_RETRY_SETTINGS,
      maxRetries: 4,
      retryWindowDays: 14,
      quietHours: { start: 22, end: 7 },
      fallbackTimezone: "Europe/Paris",
    });
    expect(settings.retry.effective).toEqual(retrySettingsFor(stored));
    expect(settings.retry.overrides).toEqual({ maxRetries: 4, retryWindowDays: 14, quietHours: { start: 22, end: 7 } });
  });

  it("refuses quiet hours that cover every retry hour, since the preferred hours would silently stop applying", async () => {
    const { workspace } = await makeWorkspace();
    const { path, message } = await rejection(updateRetryPolicy({ workspaceId: workspace.id, patch: { quietHours: { start: 7, end: 12 } } }));
    expect(path).toBe("preferredLocalHours");
    expect(message).toMatch(/Quiet hours \(7:00 to 12:00\) cover all of the retry hours \(7:00 to 10:00\)/);
    // One hour left outside is enough.
    await expect(updateRetryPolicy({ workspaceId: workspace.id, patch: { quietHours: { start: 8, end: 12 } } })).resolves.toBeTruthy();
  });

  it("is a 404 for an unknown workspace", async () => {
    await expect(updateRetryPolicy({ workspaceId: "nope", patch: { maxRetries: 3 } })).rejects.toMatchObject({ code: "not_found" });
  });
});

describe("timezone and quiet hours", () => {
  it("accepts an IANA zone and refuses anything else", async () => {
    const { workspace } = await makeWorkspace();
    await expect(updateTimezone({ workspaceId: workspace.id, timezone: "America/New_York" })).resolves.toMatchObject({ timezone: "America/New_York" });
    for (const timezone of ["Mars/Olympus", "GMT+25", ""]) {
      const { path, message } = await rejection(updateTimezone({ workspaceId: workspace.id, timezone }));
      expect(path).toBe("");
      expect(message).toMatch(/timezone/i);
    }
  });

  it("the workspace timezone is the policy's fallback, even over an old stored fallbackTimezone", async () => {
    const { workspace } = await makeWorkspace();
    await db().workspace.update({ where: { id: workspace.id }, data: { retrySettings: { fallbackTimezone: "Asia/Tokyo", maxRetries: 3 } } });
    const settings = await updateQuietHours({ workspaceId: workspace.id, quietHours: { start: 21, end: 8 }, timezone: "Europe/Berlin" });
    expect(settings.retry.effective).toMatchObject({ fallbackTimezone: "Europe/Berlin", maxRetries: 3, quietHours: { start: 21, end: 8 } });
    const stored = await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } });
    expect(stored.retrySettings).toEqual({ maxRetries: 3, quietHours: { start: 21, end: 8 } });
    expect(stored.timezone).toBe("Europe/Berlin");
  });

  it("quiet hours and timezone are saved together or not at all", async () => {
    const { workspace } = await makeWorkspace();
    const { path } = await rejection(updateQuietHours({ workspaceId: workspace.id, quietHours: { start: 21, end: 8 }, timezone: "Nowhere/Special" }));
    expect(path).toBe("timezone");
    const stored = await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } });
    expect(stored.retrySettings).toBeNull();
    expect(stored.timezone).toBe("UTC");
  });
});

describe("updateSenderAndBranding", () => {
  it("saves, normalises and clears", async () => {
    const { workspace } = await makeWorkspace({ name: "Story Coffee" });
    const saved = await updateSenderAndBranding({
      workspaceId: workspace.id,
      senderName: "  Story Coffee Roasters ",
      replyTo: "Billing@StoryCoffee.example",
      brandColor: "#0B7A5A",
      logoUrl: "https://cdn.example.com/logo.png",
    });
    expect(saved.sender).toMatchObject({ senderName: "Story Coffee Roasters", replyTo: "billing@storycoffee.example" });
    expect(saved.branding).toMatchObject({ brandColor: "#0b7a5a", logoUrl: "https://cdn.example.com/logo.png", accent: "#0b7a5a" });

    // Left out: unchanged. Empty: cleared (back to the defaults).
    const cleared = await updateSenderAndBranding({ workspaceId: workspace.id, brandColor: "", logoUrl: null });
    expect(cleared.sender.senderName).toBe("Story Coffee Roasters");
    expect(cleared.branding).toMatchObject({ brandColor: null, logoUrl: null, accent: "#1a56db" });
  });

  it.each([
    ["brandColor", "#1a56db", true],
    ["brandColor", "#1A56DB", true],
    ["brandColor", "#1a56d", false],
    ["brandColor", "#1a56dbb", false],
    ["brandColor", "1a56db", false],
    ["brandColor", "red", false],
    ["logoUrl", "https://example.com/l.png", true],
    ["logoUrl", "http://example.com/l.png", false],
    ["logoUrl", "javascript:alert(1)", false],
    ["logoUrl", "/logo.png", false],
    ["replyTo", "billing@example.com", true],
    ["replyTo", "billing@", false],
    ["senderName", "A".repeat(80), true],
    ["senderName", "A".repeat(81), false],
    ["senderName", "Acme\r\nBcc: x@y.z", false],
  ])("%s %j accepted: %s", async (field, value, accepted) => {
    const { workspace } = await makeWorkspace();
    const update = updateSenderAndBranding({ workspaceId: workspace.id, [field]: value });
    if (accepted) await expect(update).resolves.toBeTruthy();
    else expect((await rejection(update)).path).toBe(field);
  });

  it("says what to enter, in plain words", async () => {
    const { workspace } = await makeWorkspace();
    expect((await rejection(updateSenderAndBranding({ workspaceId: workspace.id, logoUrl: "http://x.test/l.png" }))).message).toBe(
      "Enter the logo's full address, starting with https://.",
    );
    expect((await rejection(updateSenderAndBranding({ workspaceId: workspace.id, brandColor: "blue" }))).message).toBe(
      "Enter a colour as # and six hex digits, such as #1a56db.",
    );
  });
});

describe("branding reaches the dunning emails", () => {
  it("the button wears the brand colour and the logo heads the email", async () => {
    const { workspace } = await makeWorkspace({ name: "Story Coffee" });
    await updateSenderAndBranding({ workspaceId: workspace.id, brandColor: "#0b7a5a", logoUrl: "https://cdn.example.com/story.png" });
    // The customer's daytime (emails go 08:00–20:00 their time), and the first step's day 3 reached.
    const customer = await db().customer.create({
      data: { workspaceId: workspace.id, externalId: "cus_brand", email: "ada@example.com", name: "Ada", timezone: zoneWhereItIsNoon() },
    });
    const step = await db().dunningStep.findFirstOrThrow({ where: { workspaceId: workspace.id }, orderBy: { position: "asc" } });
    const startedAt = new Date(now().getTime() - step.delayHours * 3_600_000);
    const recovery = await db().recovery.create({
      data: {
        workspaceId: workspace.id,
        externalId: "in_brand",
        externalCustomerId: customer.externalId,
        customerId: customer.id,
        declineType: "soft",
        amountDueMinor: 2500,
        currency: "usd",
        startedAt,
        lastFailureAt: startedAt,
      },
    });
    const outcome = await runDunningStep({ recoveryId: recovery.id, stepId: step.id });
    expect(outcome.outcome).toBe("created");
    const message = await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id } });
    expect(message.bodyHtml).toContain("background:#0b7a5a;");
    expect(message.bodyHtml).toContain('<img src="https://cdn.example.com/story.png" alt="Story Coffee"');
  });

  it("renderEmail shows the merchant's name when there is no usable logo", () => {
    const render = (logoUrl: string | null) =>
      renderEmail({
        subject: "s",
        body: "b",
        values: { customer_name: "", amount: "", currency: "", decline_reason: "", retry_date: "", update_payment_url: "", merchant_name: "", pay_link_url: "" },
        branding: { merchantName: "Acme & Co", logoUrl },
      }).html;
    expect(render(null)).toContain(">Acme &amp; Co</p>");
    expect(render("http://insecure.example/logo.png")).not.toContain("<img");
    expect(render('https://x.example/l.png" onerror="alert(1)')).toContain('src="https://x.example/l.png&quot; onerror=&quot;alert(1)"');
  });
});

describe("getWorkspaceSettings", () => {
  it("shows Recoup's defaults for a new workspace", async () => {
    const { workspace } = await makeWorkspace({ name: "Fresh" });
    const settings = await getWorkspaceSettings(workspace.id);
    expect(settings.retry.overrides).toEqual({});
    expect(settings.retry.effective).toEqual({ ...DEFAULT_RETRY_SETTINGS, fallbackTimezone: "UTC" });
    expect(settings.retry.limits).toEqual({ maxRetries: { min: 1, max: 10 }, retryWindowDays: { min: 7, max: 35 } });
    expect(settings.sender).toEqual({ senderName: null, replyTo: null, defaultName: "Fresh" });
    expect(settings.branding).toEqual({ brandColor: null, logoUrl: null, accent: "#1a56db", effectiveLogoUrl: null });
  });
});
