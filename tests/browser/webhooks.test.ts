// Webhooks in a real browser, at desktop and phone widths: the empty page says what a webhook is;
// "Add endpoint" takes a URL and a description, and the signing secret is shown once (gone after a
// reload); a failed delivery shows in the log with its status code, error and answer, and Replay
// queues it again; "Export CSV" saves the log, with its filter, as a file.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signingSecretOf } from "~/domain/webhooks/endpoints.server";
import { SESSION_COOKIE } from "~/http/auth.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { openPage, SHOTS, startBrowserApp, visible, type BrowserApp, settled, fitsWidth } from "./server";

let app: BrowserApp;

beforeAll(async () => {
  app = await startBrowserApp();
}, 300_000);

afterAll(async () => {
  await app?.close();
});

/** A delivery the schedule gave up on (written directly: delivering is not what this page does). */
async function seedFailedDelivery(workspaceId: string, endpointId: string) {
  const event = await db().webhookEvent.create({ data: { workspaceId, type: "payment.failed", dedupeKey: `dead-${endpointId}`, payload: { payment_id: "pay_1" } } });
  return db().webhookDelivery.create({
    data: {
      workspaceId,
      endpointId,
      eventId: event.id,
      status: "failed",
      attempts: 10,
      lastStatusCode: 500,
      lastError: "The endpoint answered HTTP 500.",
      lastResponseBody: "Internal Server Error: database is down",
      lastAttemptAt: new Date(),
    },
  });
}

for (const viewport of [
  { width: 1280, height: 900 },
  { width: 375, height: 812 },
]) {
  describe(`webhooks at ${viewport.width} px`, () => {
    it("adds an endpoint, shows its secret once, and replays a failed delivery from the log", async () => {
      const m = await makeWorkspace({ name: `Hooks ${viewport.width}` });
      const shot = (what: string) => path.join(SHOTS, `webhooks-${what}-${viewport.width}.png`);
      const { page, problems } = await openPage(app, viewport);
      await page.context().addCookies([{ name: SESSION_COOKIE, value: m.sessionToken, url: app.base }]);

      await page.goto(`${app.base}/dashboard/webhooks`);
      await settled(page);
      expect(await page.title()).toBe("Webhooks · Recoup");
      await visible(page.getByText("No webhook endpoints yet"));
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("empty"), fullPage: true });

      // The form: a public https URL and a description, every event by default.
      await page.getByRole("button", { name: "Add endpoint" }).first().click();
      const form = page.getByRole("dialog", { name: "Add endpoint" });
      await visible(form.getByLabel("Endpoint URL"));
      const url = `https://hooks.example.com/recoup-${viewport.width}`;
      await form.getByLabel("Endpoint URL").fill(url);
      await form.getByLabel("Description").fill("Billing service");
      expect(await form.getByLabel("All events").isChecked()).toBe(true);
      await fitsWidth(page, viewport.width);
      await form.getByRole("button", { name: "Add endpoint" }).click();

      // The secret, once, with its copy button.
      const created = page.getByRole("dialog", { name: "Endpoint added" });
      await visible(created.getByLabel("Signing secret"), 10_000);
      const saved = await db().webhookEndpoint.findFirstOrThrow({ where: { workspaceId: m.workspace.id } });
      expect(saved).toMatchObject({ url, description: "Billing service" });
      const secret = signingSecretOf(saved);
      expect(await created.getByLabel("Signing secret").inputValue()).toBe(secret);
      await visible(created.getByRole("button", { name: "Copy secret" }));
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("secret") });
      await created.getByRole("button", { name: "Done" }).click();
      await created.waitFor({ state: "hidden" });
      await visible(page.getByRole("heading", { name: url }));

      // A reload shows the endpoint, never its secret.
      const delivery = await seedFailedDelivery(m.workspace.id, saved.id);
      await page.reload();
      await settled(page);
      await visible(page.getByRole("heading", { name: url }));
      expect(await page.content()).not.toContain(secret);
      expect(await page.getByLabel("Signing secret").count()).toBe(0);

      // The log: the failed delivery, its status code, error and (folded) answer, and Replay.
      const log = page.getByRole("list", { name: "Deliveries" });
      await visible(log.getByText("payment.failed"));
      await visible(log.getByText("Failed", { exact: true }));
      await visible(log.getByText(/^HTTP 500 · 10 attempts/));
      await visible(log.getByText("The endpoint answered HTTP 500."));
      await log.getByRole("button", { name: "Show response body" }).click();
      await visible(log.getByText("Internal Server Error: database is down"));
      await settled(page);
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("log"), fullPage: true });
      const replay = log.getByRole("button", { name: `Replay payment.failed to ${url}` });
      expect(await replay.isEnabled()).toBe(true);
      await replay.click();
      await visible(page.getByRole("status").getByText("Replay queued", { exact: false }));
      await visible(log.getByText("Pending", { exact: true }));
      expect(await db().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ status: "pending", replays: 1 });

      // Export: the log with its filter, counted as it arrives, saved as a file.
      await page.getByRole("combobox", { name: "Status" }).selectOption("pending");
      await page.waitForURL(/[?&]status=pending/);
      await settled(page);
      const exportLink = page.getByRole("link", { name: "Export CSV" });
      expect(await exportLink.getAttribute("href")).toBe("/dashboard/export/webhook-deliveries.csv?status=pending");
      const [download] = await Promise.all([page.waitForEvent("download"), exportLink.click()]);
      expect(download.suggestedFilename()).toBe("webhook-deliveries.csv");
      const lines = (await readFile((await download.path())!, "utf8")).replace(/^\uFEFF/, "").trimEnd().split("\r\n");
      expect(lines[0]).toBe(
        "delivery_id,event_id,event_type,endpoint_id,endpoint_url,status,attempts,replays,last_response_status,last_response_time_ms,last_error,created_at,last_attempt_at,next_retry_at,delivered_at",
      );
      expect(lines).toHaveLength(2);
      expect(lines[1]).toContain(`${delivery.id},${delivery.eventId},payment.failed,${saved.id},${url},pending,`);
      await visible(page.getByText("Exported 1 row"));
      await fitsWidth(page, viewport.width);
      await page.screenshot({ path: shot("exported"), fullPage: true });
      expect(problems).toEqual([]);
      await page.context().close();
    });
  });
}
