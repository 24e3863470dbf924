// A campaign end to end (issue 12): its trigger and filters enroll the right recoveries from real
// inbound events (the ingest endpoint, stored then processed by jobs), its emails go out over SMTP
// in step order, pausing it holds the next email and activating it again sends it.
import { describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import * as ingestRoute from "~/routes/api.v1.ingest.payment-event";
import * as campaignsRoute from "~/routes/api.v1.campaigns";
import * as activateRoute from "~/routes/api.v1.campaigns.$id.activate";
import * as pauseRoute from "~/routes/api.v1.campaigns.$id.pause";
import * as recoveryRoute from "~/routes/api.v1.recoveries.$id";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { callRoute, jsonOf } from "../helpers/http";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";

const HOUR = 3_600_000;
const env = useStripeAndMail();

type Json = { data: Record<string, unknown> & { id: string } };

async function api(mod: Parameters<typeof callRoute>[0], url: string, key: string, opts: { method?: string; body?: unknown; params?: Record<string, string> } = {}) {
  const res = await callRoute(mod, url, { method: opts.method ?? "GET", token: key, body: opts.body, params: opts.params });
  return { status: res.status, body: await jsonOf<Json>(res) };
}

const mailsTo = (address: string) => env.smtp.messages.filter((m) => (m.to as { text: string }).text.includes(address)).map((m) => m.subject ?? "");

describe("a campaign with a trigger and filters, from inbound events to emails", () => {
  it("enrolls only what it claims, sends its steps in order over SMTP, holds them while paused and resumes when activated", async () => {
    testClock.set(new Date("2026-11-02T10:00:00Z"));
    const { workspace } = await makeWorkspace({ name: "Fjord Tea" });
    const key = (await createApiKey({ workspaceId: workspace.id, scopes: ["read", "write"], name: "bridge" })).key;

    // Expired cards on Adyen of at least €10: two emails, two days apart.
    const made = await api(campaignsRoute, "/api/v1/campaigns", key, {
      method: "POST",
      body: {
        name: "Adyen expired cards",
        trigger: "card_expired",
        filters_json: JSON.stringify({ psps: ["adyen"], min_amount_cents: 1000 }),
        steps: [
          { delay_hours: 0, subject_template: "Adyen step 1 for {{customer_name}}", body_template: "Your card expired. {{update_payment_url}}" },
          { delay_hours: 72, subject_template: "Adyen step 2 for {{customer_name}}", body_template: "Still expired. {{update_payment_url}}" },
        ],
      },
    });
    expect(made.status).toBe(201);
    const campaignId = made.body.data.id;
    expect((await api(activateRoute, `/api/v1/campaigns/${campaignId}/activate`, key, { method: "POST", params: { id: campaignId } })).status).toBe(200);

    const failure = (over: Record<string, unknown>) => ({
      event_type: "payment_failed",
      provider: "adyen",
      currency: "eur",
      customer_timezone: "Europe/London",
      decline_code: "Expired Card",
      ...over,
    });
    const events = [
      failure({ event_id: "e1", external_id: "psp_claimed", amount_cents: 4900, customer_email: "claimed@example.com", customer_name: "Ada" }),
      failure({ event_id: "e2", external_id: "psp_small", amount_cents: 500, customer_email: "small@example.com", customer_name: "Bo" }),
      failure({ event_id: "e3", external_id: "bt_1", provider: "braintree", decline_code: "2004", amount_cents: 4900, customer_email: "braintree@example.com", customer_name: "Cy" }),
      failure({ event_id: "e4", external_id: "psp_soft", decline_code: "Not enough balance", amount_cents: 4900, customer_email: "soft@example.com", customer_name: "Di" }),
    ];
    for (const e of events) expect((await callRoute(ingestRoute, "/api/v1/ingest/payment-event", { method: "POST", token: key, body: e })).status).toBe(202);
    await runDueJobs();

    const recoveries = await db().recovery.findMany({ where: { workspaceId: workspace.id }, select: { id: true, externalId: true, sequenceId: true } });
    const byRef = Object.fromEntries(recoveries.map((r) => [r.externalId, r]));
    const defaultId = (await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: workspace.id, name: "Default recovery sequence" } })).id;
    // Only the Adyen expired card of €49 is the campaign's; the others (too small, another PSP, not an expired card) follow the default.
    expect(byRef.psp_claimed!.sequenceId).toBe(campaignId);
    expect([byRef.psp_small!.sequenceId, byRef.bt_1!.sequenceId, byRef.psp_soft!.sequenceId]).toEqual([defaultId, defaultId, defaultId]);
    const enrollments = await db().campaignEnrollment.findMany({ where: { workspaceId: workspace.id } });
    expect(enrollments.map((e) => [e.recoveryId, e.campaignId]).sort()).toEqual(recoveries.map((r) => [r.id, r.sequenceId]).sort());

    // Step 1 goes out (a card-update request may come first: three emails at most, a day apart).
    await advanceTime(30 * HOUR);
    await runDueJobs();
    expect(mailsTo("claimed@example.com").filter((s) => s.startsWith("Adyen step"))).toEqual(["Adyen step 1 for Ada"]);
    for (const other of ["small@example.com", "braintree@example.com", "soft@example.com"]) {
      expect(mailsTo(other).some((s) => s.startsWith("Adyen step")), other).toBe(false);
    }
    const shown = await api(recoveryRoute, `/api/v1/recoveries/${byRef.psp_claimed!.id}`, key, { params: { id: byRef.psp_claimed!.id } });
    expect(shown.body.data).toMatchObject({ campaign_id: campaignId, current_step: 1, total_steps: 2 });

    // Paused: step 2 falls due and is held.
    expect((await api(pauseRoute, `/api/v1/campaigns/${campaignId}/pause`, key, { method: "POST", params: { id: campaignId } })).status).toBe(200);
    await advanceTime(72 * HOUR);
    await runDueJobs();
    expect(mailsTo("claimed@example.com").filter((s) => s.startsWith("Adyen step"))).toEqual(["Adyen step 1 for Ada"]);
    expect(await db().campaignEnrollment.findFirstOrThrow({ where: { recoveryId: byRef.psp_claimed!.id } })).toMatchObject({ status: "paused", currentStep: 1 });

    // Active again: the held step goes out, once, and the enrollment completes.
    expect((await api(activateRoute, `/api/v1/campaigns/${campaignId}/activate`, key, { method: "POST", params: { id: campaignId } })).status).toBe(200);
    await runDueJobs();
    await advanceTime(12 * HOUR);
    await runDueJobs();
    expect(mailsTo("claimed@example.com").filter((s) => s.startsWith("Adyen step"))).toEqual(["Adyen step 1 for Ada", "Adyen step 2 for Ada"]);
    expect(await db().campaignEnrollment.findFirstOrThrow({ where: { recoveryId: byRef.psp_claimed!.id } })).toMatchObject({ status: "completed", currentStep: 2, endReason: "all_steps_sent" });
    await advanceTime(10 * 24 * HOUR);
    await runDueJobs();
    expect(mailsTo("claimed@example.com").filter((s) => s.startsWith("Adyen step"))).toHaveLength(2);
  });
});
