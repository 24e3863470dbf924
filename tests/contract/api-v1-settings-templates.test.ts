import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { createSequence } from "~/domain/campaigns/sequences.server";
import { getWorkspaceSettings } from "~/domain/settings/settings.server";
import * as quietHoursRoute from "~/routes/api.v1.settings.quiet-hours";
import * as goalRoute from "~/routes/api.v1.settings.recovery-goal";
import * as previewRoute from "~/routes/api.v1.templates.preview.$id";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { useV1Caller } from "../helpers/openapi";

type Ws = Awaited<ReturnType<typeof makeWorkspace>>;
const v1 = useV1Caller({
  "/api/v1/settings/quiet-hours": quietHoursRoute,
  "/api/v1/settings/recovery-goal": goalRoute,
  "/api/v1/templates/preview/{id}": previewRoute,
});
afterAll(() => {
  testClock.reset();
});

const QH = "/api/v1/settings/quiet-hours";
const GOAL = "/api/v1/settings/recovery-goal";
const PREVIEW = "/api/v1/templates/preview/{id}";

describe("quiet hours", () => {
  it("reads and sets them: the engine's settings and the workspace's timezone change", async () => {
    const ws = await makeWorkspace();
    const before = await v1.call("GET", QH, QH, { token: ws.apiKey, expect: 200 });
    expect(before.body.meta?.merchant_id).toBe(ws.workspace.id);
    expect(before.data).toMatchObject({ enabled: false, start_hour: null, end_hour: null, timezone: "UTC", applies_in: "customer_timezone_else_workspace" });

    const set = await v1.call("POST", QH, QH, { token: ws.apiKey, body: { start_hour: 22, end_hour: 8, timezone: "America/New_York" }, expect: 200 });
    expect(set.data).toMatchObject({ enabled: true, start_hour: 22, end_hour: 8, timezone: "America/New_York" });
    const settings = await getWorkspaceSettings(ws.workspace.id);
    expect(settings.retry.effective.quietHours).toEqual({ start: 22, end: 8 });
    expect(settings.timezone).toBe("America/New_York");
    expect((await v1.call("GET", QH, QH, { token: ws.apiKey, expect: 200 })).data).toEqual(set.data);

    const off = await v1.call("POST", QH, QH, { token: ws.apiKey, body: { start_hour: 22, end_hour: 8, timezone: "Europe/Paris", enabled: false }, expect: 200 });
    expect(off.data).toMatchObject({ enabled: false, start_hour: null, end_hour: null, timezone: "Europe/Paris" });
    expect((await getWorkspaceSettings(ws.workspace.id)).retry.effective.quietHours).toBeNull();
  });

  it("refuses bad hours, an unknown timezone, equal hours, unknown fields and hours that swallow every retry hour, with field errors", async () => {
    const ws = await makeWorkspace();
    const refuse = async (body: unknown, path: string) => {
      const res = await v1.call("POST", QH, QH, { token: ws.apiKey, body, expect: 400 });
      expect(res.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
      expect(res.error.errors!.map((e) => e.path)).toContain(path);
      return res;
    };
    await refuse({ start_hour: 24, end_hour: 8, timezone: "UTC" }, "body.start_hour");
    await refuse({ start_hour: -1, end_hour: 8, timezone: "UTC" }, "body.start_hour");
    await refuse({ start_hour: 21.5, end_hour: 8, timezone: "UTC" }, "body.start_hour");
    await refuse({ start_hour: "22", end_hour: 8, timezone: "UTC" }, "body.start_hour");
    await refuse({ start_hour: 22, end_hour: 8, timezone: "Mars/Olympus_Mons" }, "body.timezone");
    await refuse({ start_hour: 22, end_hour: 8 }, "body.timezone");
    await refuse({ start_hour: 9, end_hour: 9, timezone: "UTC" }, "body.end_hour");
    await refuse({ start_hour: 22, end_hour: 8, timezone: "UTC", colour: "blue" }, "body.colour");
    // The default retry hours are 8 to 11 local: quiet hours from 6 to 12 leave none.
    const swallow = await refuse({ start_hour: 6, end_hour: 12, timezone: "UTC" }, "body.start_hour");
    expect(swallow.error.message).toContain("cover all of the retry hours");
    const json = await v1.call("POST", QH, QH, { token: ws.apiKey, body: "{", expect: 400 });
    expect(json.error).toMatchObject({ code: "VALIDATION_ERROR", type: "invalid_json" });
    const tooLarge = await v1.call("POST", QH, QH, { token: ws.apiKey, body: { start_hour: 1, end_hour: 2, timezone: "x".repeat(300_000) }, expect: 413 });
    expect(tooLarge.error).toMatchObject({ code: "PAYLOAD_TOO_LARGE", type: "payload_too_large" });
    expect(tooLarge.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect((await getWorkspaceSettings(ws.workspace.id)).retry.effective.quietHours).toBeNull();
  });

  it("needs read for GET and write for POST", async () => {
    const ws = await makeWorkspace();
    await v1.call("GET", QH, QH, { expect: 401 });
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    await v1.call("GET", QH, QH, { token: reader.key, expect: 200 });
    const refused = await v1.call("POST", QH, QH, { token: reader.key, body: { start_hour: 22, end_hour: 8, timezone: "UTC" }, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "write:settings" });
    expect(refused.error.message).toBe('This API key lacks the "write:settings" scope.');
    const writer = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["write:settings"] });
    await v1.call("POST", QH, QH, { token: writer.key, body: { start_hour: 22, end_hour: 8, timezone: "UTC" }, expect: 200 });
  });
});

async function recovered(ws: Ws, opts: { amount: number; recovered: number | null; startedAt: Date; endedAt?: Date; currency?: string }) {
  return db().recovery.create({
    data: {
      workspaceId: ws.workspace.id,
      externalId: `in_goal_${Math.random().toString(36).slice(2, 10)}`,
      externalCustomerId: "cus_goal",
      declineType: "soft",
      amountDueMinor: opts.amount,
      currency: opts.currency ?? "usd",
      status: opts.recovered === null ? "pending" : "recovered",
      recoveredAmountMinor: opts.recovered,
      startedAt: opts.startedAt,
      lastFailureAt: opts.startedAt,
      endedAt: opts.recovered === null ? null : (opts.endedAt ?? opts.startedAt),
    },
  });
}

describe("recovery goal", () => {
  it("reports this period's progress before a goal is set, then against the goal", async () => {
    testClock.set(new Date("2026-05-20T12:00:00Z"));
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    await recovered(ws, { amount: 10_000, recovered: 10_000, startedAt: new Date("2026-05-02T10:00:00Z") });
    await recovered(ws, { amount: 10_000, recovered: null, startedAt: new Date("2026-05-03T10:00:00Z") });
    await recovered(ws, { amount: 5_000, recovered: 5_000, startedAt: new Date("2026-04-10T10:00:00Z") }); // last month
    await recovered(ws, { amount: 9_999, recovered: 9_999, startedAt: new Date("2026-05-04T10:00:00Z"), currency: "eur" }); // not the reporting currency
    await recovered(other, { amount: 50_000, recovered: 50_000, startedAt: new Date("2026-05-05T10:00:00Z") });

    const none = await v1.call("GET", GOAL, GOAL, { token: ws.apiKey, expect: 200 });
    expect(none.data).toMatchObject({
      configured: false,
      target_rate: null,
      period: "monthly",
      currency: "usd",
      period_start: "2026-05-01T00:00:00.000Z",
      period_end: "2026-06-01T00:00:00.000Z",
      progress: { failed_revenue_cents: 20_000, recovered_revenue_cents: 10_000, current_rate: 0.5, rate_progress: null, achieved: false },
    });

    const set = await v1.call("POST", GOAL, GOAL, { token: ws.apiKey, body: { target_rate: 0.4, target_amount_cents: 20_000 }, expect: 200 });
    expect(set.data).toMatchObject({
      configured: true,
      target_rate: 0.4,
      target_amount_cents: 20_000,
      period: "monthly",
      progress: { current_rate: 0.5, rate_progress: 1.25, amount_progress: 0.5, achieved: false },
    });
    const reached = await v1.call("POST", GOAL, GOAL, { token: ws.apiKey, body: { target_rate: 0.5, target_amount_cents: null }, expect: 200 });
    expect(reached.data).toMatchObject({ target_rate: 0.5, target_amount_cents: null, progress: { rate_progress: 1, amount_progress: null, achieved: true } });

    // A quarter from April: last month's recovery counts too.
    const quarter = await v1.call("POST", GOAL, GOAL, { token: ws.apiKey, body: { target_rate: 0.9, period: "quarterly" }, expect: 200 });
    expect(quarter.data).toMatchObject({
      period: "quarterly",
      period_start: "2026-04-01T00:00:00.000Z",
      period_end: "2026-07-01T00:00:00.000Z",
      progress: { failed_revenue_cents: 25_000, recovered_revenue_cents: 15_000, current_rate: 0.6, achieved: false },
    });
    // Another workspace sees its own.
    expect((await v1.call("GET", GOAL, GOAL, { token: other.apiKey, expect: 200 })).data).toMatchObject({ configured: false, progress: { recovered_revenue_cents: 50_000 } });
    testClock.reset();
  });

  it("refuses rates outside 0–1, unknown periods, amounts that are not positive integers and unknown fields", async () => {
    const ws = await makeWorkspace();
    for (const [body, path] of [
      [{ target_rate: 1.5 }, "body.target_rate"],
      [{ target_rate: -0.1 }, "body.target_rate"],
      [{ target_rate: "0.3" }, "body.target_rate"],
      [{}, "body.target_rate"],
      [{ target_rate: 0.3, period: "weekly" }, "body.period"],
      [{ target_rate: 0.3, target_amount_cents: 10.5 }, "body.target_amount_cents"],
      [{ target_rate: 0.3, target_amount_cents: 0 }, "body.target_amount_cents"],
      [{ target_rate: 0.3, goal: "more" }, "body.goal"],
    ] as const) {
      const res = await v1.call("POST", GOAL, GOAL, { token: ws.apiKey, body, expect: 400 });
      expect(res.error.type, JSON.stringify(body)).toBe("validation_failed");
      expect(res.error.errors!.map((e) => e.path), JSON.stringify(body)).toContain(path);
    }
    expect(await db().recoveryGoal.count({ where: { workspaceId: ws.workspace.id } })).toBe(0);
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    await v1.call("POST", GOAL, GOAL, { token: reader.key, body: { target_rate: 0.3 }, expect: 403 });
    await v1.call("GET", GOAL, GOAL, { token: reader.key, expect: 200 });
  });
});

describe("GET /api/v1/templates/preview/{id}", () => {
  it("renders a step with sample data and the workspace's branding, by step id or sequence id, and lists the placeholders", async () => {
    const ws = await makeWorkspace();
    await db().workspace.update({ where: { id: ws.workspace.id }, data: { senderName: "Story Coffee", brandColor: "#0b7a5a" } });
    const sequence = await createSequence({
      workspaceId: ws.workspace.id,
      name: "Soft decline",
      isEnabled: false,
      steps: [
        { delayHours: 0, subjectTemplate: "Your payment of {{amount}} could not be processed", bodyTemplate: "Hi {{customer_name}},\n\n{{update_payment_url}}\n\n{{merchant_name}}" },
        { delayHours: 72, subjectTemplate: "Still due: {{amount}} {{currency}}", bodyTemplate: "Hi {{ customer_name }}, ({{decline_reason}})" },
      ],
    });
    const [first, second] = sequence.steps;
    const bySequence = await v1.call("GET", PREVIEW, `/api/v1/templates/preview/${sequence.id}`, { token: ws.apiKey, params: { id: sequence.id }, expect: 200 });
    expect(bySequence.data).toMatchObject({
      id: sequence.id,
      step_id: first!.id,
      sequence_id: sequence.id,
      position: 1,
      total_steps: 2,
      subject: "Your payment of $49.00 could not be processed",
      used_placeholders: ["{{customer_name}}", "{{amount}}", "{{update_payment_url}}", "{{merchant_name}}"],
    });
    expect(bySequence.data.text_preview).toContain("Hi Jane Doe,");
    expect(bySequence.data.text_preview).toContain("Story Coffee");
    expect(bySequence.data.html_preview).toContain("#0b7a5a");
    expect(bySequence.data.placeholders).toEqual([
      "{{customer_name}}",
      "{{amount}}",
      "{{currency}}",
      "{{decline_reason}}",
      "{{retry_date}}",
      "{{update_payment_url}}",
      "{{merchant_name}}",
      "{{pay_link_url}}",
    ]);
    const details = bySequence.data.placeholder_details as Array<{ placeholder: string; description: string; sample_value: string }>;
    expect(details.find((d) => d.placeholder === "{{amount}}")).toMatchObject({ sample_value: "$49.00", description: expect.stringContaining("amount") });

    const byStep = await v1.call("GET", PREVIEW, `/api/v1/templates/preview/${second!.id}`, { token: ws.apiKey, params: { id: second!.id }, expect: 200 });
    expect(byStep.data).toMatchObject({ step_id: second!.id, position: 2, delay_hours: 72, subject: "Still due: $49.00 USD", used_placeholders: ["{{customer_name}}", "{{amount}}", "{{currency}}", "{{decline_reason}}"] });
    expect(byStep.data.text_preview).toContain("Hi Jane Doe, (your card has insufficient funds)");
  });

  it("is 404 for another workspace's step or sequence and for unknown ids; needs a key with read", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const sequence = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: ws.workspace.id }, include: { steps: true } });
    for (const id of [sequence.id, sequence.steps[0]!.id, "nope"]) {
      const res = await v1.call("GET", PREVIEW, `/api/v1/templates/preview/${id}`, { token: other.apiKey, params: { id }, expect: 404 });
      expect(res.error).toMatchObject({ code: "NOT_FOUND", type: "template_not_found" });
    }
    await v1.call("GET", PREVIEW, `/api/v1/templates/preview/${sequence.id}`, { params: { id: sequence.id }, expect: 401 });
    const payments = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:payments"] });
    await v1.call("GET", PREVIEW, `/api/v1/templates/preview/${sequence.id}`, { token: payments.key, params: { id: sequence.id }, expect: 403 });
    const templates = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:templates"] });
    await v1.call("GET", PREVIEW, `/api/v1/templates/preview/${sequence.id}`, { token: templates.key, params: { id: sequence.id }, expect: 200 });
    await v1.call("GET", PREVIEW, `/api/v1/templates/preview/x`, { token: ws.apiKey, params: { id: "x".repeat(201) }, expect: 400 });
  });
});
