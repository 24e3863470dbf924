// The dashboard's lists as a workplace, in a real browser at desktop and phone widths: the
// recoveries list searched by part of a customer's name, narrowed by a filter (in the URL, undone
// by the back button), exported as a CSV of the filtered rows with its progress; a customer's page
// opened from a row; the customers list searched; and the analytics page's charts drawn.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { rollUpWorkspace } from "~/domain/analytics/rollup.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { db } from "~/utils/db.server";
import { connectStripeAccount, makeRecovery, makeWorkspace } from "../factories";
import { openPage, SHOTS, startBrowserApp, visible, type BrowserApp, settled, fitsWidth } from "./server";

let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

/** A merchant with two named customers and their failed payments in November 2026 (this year's, for the analytics' range). */
async function merchant(width: number) {
  const m = await makeWorkspace({ name: `Workplace ${width}` });
  await connectStripeAccount(m.workspace.id, `acct_wp${Math.random().toString(36).slice(2, 10)}`);
  const customer = (name: string, email: string, externalId: string) =>
    db().customer.create({ data: { workspaceId: m.workspace.id, provider: "stripe", externalId, name, email } });
  const ada = await customer("Ada Lovelace", `ada${width}@analytical.example`, `cus_ada${width}`);
  const grace = await customer("Grace Hopper", `grace${width}@navy.example`, `cus_grace${width}`);
  const at = (day: number) => new Date(Date.UTC(2026, 10, day, 12));
  const failure = (invoice: string, c: typeof ada, day: number, over: Parameters<typeof makeRecovery>[1] = {}) =>
    makeRecovery(m.workspace.id, { externalId: invoice, customerId: c.id, externalCustomerId: c.externalId, startedAt: at(day), currency: "usd", amountDueMinor: 2500, ...over });
  await failure(`in_ada_a${width}`, ada, 2, { declineCode: "insufficient_funds", declineCategory: "soft_retry" });
  await failure(`in_ada_b${width}`, ada, 3, { declineCode: "insufficient_funds", declineCategory: "soft_retry", status: "recovered", recoveredAmountMinor: 2500 });
  await failure(`in_grace${width}`, grace, 4, { declineCode: "stolen_card", declineCategory: "hard_customer", failureMessage: "The card was reported stolen." });
  // What the analytics-rollup job does every minute: the analytics page reads its rollups.
  await rollUpWorkspace({ workspaceId: m.workspace.id });
  return { ...m, ada, grace, width };
}

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 375, height: 812 },
]) {
  describe(`the dashboard's lists at ${viewport.width} px`, () => {
    it("searches, filters, exports, opens a customer, and draws the analytics", async () => {
      const m = await merchant(viewport.width);
      const w = viewport.width;
      const shot = (what: string) => path.join(SHOTS, `workplace-${what}-${w}.png`);
      const { page, problems } = await openPage(app, viewport);
      await page.context().addCookies([{ name: SESSION_COOKIE, value: m.sessionToken, url: app.base }]);
      const list = page.locator("#recoveries");

      // Every recovery, each row naming its customer.
      await page.goto(`${app.base}/dashboard`);
      await settled(page);
      await visible(list.getByText(`grace${w}@navy.example`));
      await visible(list.getByText("Ada Lovelace").first());

      // Search by part of the name: only Ada's rows, and the URL says so.
      await page.getByRole("search", { name: "Search and filter recoveries" }).getByLabel("Search recoveries").fill("velac");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.waitForURL(/[?&]q=velac/);
      await settled(page);
      await visible(list.getByText(`in_ada_a${w}`));
      await visible(list.getByText(`in_ada_b${w}`));
      expect(await list.getByText("Grace Hopper").count()).toBe(0);
      await fitsWidth(page, w);
      await page.screenshot({ path: shot("search"), fullPage: true });

      // Nothing matches: say so, and offer the way back.
      await page.getByLabel("Search recoveries").fill("nobody at all");
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.waitForURL(/q=nobody/);
      await visible(page.getByText("No recoveries match"));
      await page.getByRole("link", { name: "Clear filters" }).first().click();
      await page.waitForURL((url) => url.pathname === "/dashboard" && !url.search.includes("q="));
      await settled(page);
      await visible(list.getByText(`in_grace${w}`));

      // A filter narrows the list at once; the back button undoes it.
      await page.getByLabel("Decline").selectOption("hard_customer");
      await page.waitForURL(/category=hard_customer/);
      await settled(page);
      await visible(list.getByText(`in_grace${w}`));
      expect(await list.getByText(`in_ada_a${w}`).count()).toBe(0);
      await page.goBack();
      await page.waitForURL((url) => !url.search.includes("category="));
      await settled(page);
      await visible(list.getByText(`in_ada_a${w}`));
      expect(await page.getByLabel("Decline").inputValue()).toBe("");
      await page.goForward();
      await page.waitForURL(/category=hard_customer/);
      await settled(page);
      await visible(list.getByText(`in_grace${w}`));
      await fitsWidth(page, w);
      await page.screenshot({ path: shot("filtered"), fullPage: true });

      // Export: the filtered rows only, counted as they arrive, saved as a file.
      const exportLink = page.getByRole("link", { name: "Export CSV" });
      expect(await exportLink.getAttribute("href")).toBe("/dashboard/export/recoveries.csv?category=hard_customer");
      const [download] = await Promise.all([page.waitForEvent("download"), exportLink.click()]);
      expect(download.suggestedFilename()).toBe("recoveries.csv");
      const csv = await readFile((await download.path())!, "utf8");
      const lines = csv.replace(/^\uFEFF/, "").trimEnd().split("\r\n");
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(`in_grace${w}`);
      expect(lines[1]).toContain("Grace Hopper");
      expect(lines[1]).toContain("25.00,,USD");
      await visible(page.getByText("Exported 1 row"));
      await page.screenshot({ path: shot("exported") });

      // The customer's page, from the row.
      await list.getByRole("link", { name: "Grace Hopper" }).click();
      await page.waitForURL(new RegExp(`/dashboard/customers/${m.grace.id}$`));
      await settled(page);
      await visible(page.getByRole("heading", { name: "Grace Hopper", level: 1 }));
      await visible(page.getByRole("heading", { name: "Recoveries (1)" }));
      await visible(page.getByText("The card was reported stolen.").first());
      await visible(page.getByText("$25.00").first());
      await fitsWidth(page, w);
      await page.screenshot({ path: shot("customer"), fullPage: true });

      // The customers list, searched by part of an email.
      await page.goto(`${app.base}/dashboard/customers`);
      await settled(page);
      await page.getByRole("textbox", { name: "Search customers" }).fill(`ace${w}@nav`);
      await page.getByRole("button", { name: "Search", exact: true }).click();
      await page.waitForURL(/\/dashboard\/customers\?q=/);
      await settled(page);
      await visible(page.getByRole("link", { name: "Grace Hopper" }));
      expect(await page.getByRole("link", { name: "Ada Lovelace" }).count()).toBe(0);
      await fitsWidth(page, w);

      // The analytics: the charts drawn, the tables beside them.
      await page.goto(`${app.base}/dashboard/analytics?from=2026-11-01&to=2026-11-30`);
      await settled(page);
      await visible(page.getByRole("heading", { name: "By decline code" }));
      for (const label of ["Failed and recovered payments over time", "Failed and recovered payments by decline code", "Failed and recovered payments by campaign"]) {
        await page.getByRole("figure", { name: label }).locator("svg").first().waitFor({ state: "visible", timeout: 15_000 });
      }
      const codes = page.locator("table").first();
      await visible(codes.getByText("50%"));
      await page.getByLabel("Group by").selectOption("week");
      await page.waitForURL(/groupBy=week/);
      await settled(page);
      await page.getByRole("figure", { name: "Failed and recovered payments over time" }).locator("svg").first().waitFor({ state: "visible", timeout: 15_000 });
      await fitsWidth(page, w);
      await page.screenshot({ path: shot("analytics"), fullPage: true });

      expect(problems).toEqual([]);
      await page.context().close();
    });
  });
}

describe("a big export", () => {
  it("shows N of M rows while the file arrives, then saves all of it", async () => {
    const m = await makeWorkspace({ name: "Big export" });
    await connectStripeAccount(m.workspace.id, `acct_big${Math.random().toString(36).slice(2, 10)}`);
    const start = Date.UTC(2026, 9, 1);
    await db().recovery.createMany({
      data: Array.from({ length: 3000 }, (_, i) => ({
        workspaceId: m.workspace.id,
        externalId: `in_big_${i}`,
        externalCustomerId: `cus_big_${i}`,
        declineType: "soft" as const,
        amountDueMinor: 1000 + i,
        currency: "eur",
        failureMessage: "The bank declined the payment without saying why, so Recoup will retry it later.",
        startedAt: new Date(start + i * 1000),
        lastFailureAt: new Date(start + i * 1000),
      })),
    });
    const { page, problems } = await openPage(app, { width: 1280, height: 900 });
    await page.context().addCookies([{ name: SESSION_COOKIE, value: m.sessionToken, url: app.base }]);
    await page.goto(`${app.base}/dashboard`);
    await settled(page);
    // A slow connection, so the file takes seconds to arrive.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: 150_000, uploadThroughput: 150_000 });
    const downloaded = page.waitForEvent("download", { timeout: 60_000 });
    await page.getByRole("link", { name: "Export CSV" }).click();
    await visible(page.getByText(/^\d+ of 3000 rows$/), 15_000);
    await page.screenshot({ path: path.join(SHOTS, "workplace-export-progress-1280.png") });
    const csv = await readFile((await (await downloaded).path())!, "utf8");
    expect(csv.trimEnd().split("\r\n")).toHaveLength(3001);
    await visible(page.getByText("Exported 3000 rows"), 15_000);
    expect(problems).toEqual([]);
    await page.context().close();
  });
});
