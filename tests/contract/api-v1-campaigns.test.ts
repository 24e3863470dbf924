// LostChurn 19–28: campaigns over the API, in LostChurn's shapes, with the lifecycle's 409s, the
// templates, the overlap check and the simulation replaying the workspace's own failures.
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import * as listRoute from "~/routes/api.v1.campaigns";
import * as oneRoute from "~/routes/api.v1.campaigns.$id";
import * as activateRoute from "~/routes/api.v1.campaigns.$id.activate";
import * as pauseRoute from "~/routes/api.v1.campaigns.$id.pause";
import * as completeRoute from "~/routes/api.v1.campaigns.$id.complete";
import * as archiveRoute from "~/routes/api.v1.campaigns.$id.archive";
import * as templatesRoute from "~/routes/api.v1.campaigns.templates";
import * as fromTemplateRoute from "~/routes/api.v1.campaigns.from-template";
import * as overlapRoute from "~/routes/api.v1.campaigns.overlap";
import * as simulateRoute from "~/routes/api.v1.campaigns.simulate";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeRecovery, makeWorkspace } from "../factories";
import { useV1Caller } from "../helpers/openapi";

const v1 = useV1Caller({
  "/api/v1/campaigns": listRoute,
  "/api/v1/campaigns/{id}": oneRoute,
  "/api/v1/campaigns/{id}/activate": activateRoute,
  "/api/v1/campaigns/{id}/pause": pauseRoute,
  "/api/v1/campaigns/{id}/complete": completeRoute,
  "/api/v1/campaigns/{id}/archive": archiveRoute,
  "/api/v1/campaigns/templates": templatesRoute,
  "/api/v1/campaigns/from-template": fromTemplateRoute,
  "/api/v1/campaigns/overlap": overlapRoute,
  "/api/v1/campaigns/simulate": simulateRoute,
});
afterAll(() => testClock.reset());

const LIST = "/api/v1/campaigns";
const ONE = "/api/v1/campaigns/{id}";
const at = (template: string, id: string) => template.replace("{id}", id);

const step = (delay: number, n = 1) => ({ delay_hours: delay, subject_template: `Email ${n} for {{customer_name}}`, body_template: `Pay {{amount}}: {{update_payment_url}}` });

async function create(token: string, body: Record<string, unknown>) {
  return v1.call("POST", LIST, LIST, { token, body, expect: 201 });
}

describe("campaigns: create, read, list", () => {
  it("creates a draft with LostChurn's fields, reads it back with its steps, lists it with filters and pagination", async () => {
    const ws = await makeWorkspace();
    const made = await create(ws.apiKey, {
      name: "Soft Decline Recovery",
      trigger: "soft_decline",
      filters_json: JSON.stringify({ min_amount_cents: 1000, currencies: ["USD"] }),
      steps: [step(24, 1), step(96, 2)],
    });
    expect(made.body.meta?.merchant_id).toBe(ws.workspace.id);
    expect(made.data).toMatchObject({
      name: "Soft Decline Recovery",
      status: "draft",
      trigger: "soft_decline",
      filters: { min_amount_cents: 1000, currencies: ["usd"] },
      priority: 100,
      total_steps: 2,
      steps: [
        { position: 1, channel: "email", delay_hours: 24, subject_template: "Email 1 for {{customer_name}}" },
        { position: 2, channel: "email", delay_hours: 96 },
      ],
      results: { enrolled: 0, recovered: 0 },
    });
    expect(JSON.parse(made.data.filters_json)).toEqual({ min_amount_cents: 1000, currencies: ["usd"] });

    const got = await v1.call("GET", ONE, at(ONE, made.data.id), { params: { id: made.data.id }, token: ws.apiKey, expect: 200 });
    expect(got.data).toEqual(made.data);

    await create(ws.apiKey, { name: "Everyone", steps: [step(72)] });
    const all = await v1.call("GET", LIST, LIST, { token: ws.apiKey, expect: 200 });
    // The workspace's default sequence is a campaign too (DunningDog's records, ADR 0070).
    expect(all.body.pagination).toMatchObject({ page: 1, per_page: 25, total: 3, total_pages: 1 });
    const soft = await v1.call("GET", LIST, `${LIST}?trigger=soft_decline`, { token: ws.apiKey, expect: 200 });
    expect(soft.data.map((c: { name: string }) => c.name)).toEqual(["Soft Decline Recovery"]);
    const drafts = await v1.call("GET", LIST, `${LIST}?status=draft&per_page=1`, { token: ws.apiKey, expect: 200 });
    expect(drafts.body.pagination).toMatchObject({ page: 1, per_page: 1, total: 2, total_pages: 2 });
    const active = await v1.call("GET", LIST, `${LIST}?status=active`, { token: ws.apiKey, expect: 200 });
    expect(active.data.map((c: { name: string }) => c.name)).toEqual(["Default recovery sequence"]);
  });

  it("refuses bad input in LostChurn's error shape: no steps, an unknown trigger, bad filters_json, an SMS step, an unknown placeholder", async () => {
    const ws = await makeWorkspace();
    const refuse = async (body: unknown, path?: string) => {
      const res = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body, expect: 400 });
      expect(res.error.code).toBe("VALIDATION_ERROR");
      if (path) expect(JSON.stringify(res.error)).toContain(path);
      return res;
    };
    await refuse({ name: "x", steps: [] }, "steps");
    await refuse({ name: "", steps: [step(1)] }, "name");
    await refuse({ name: "x", trigger: "whenever", steps: [step(1)] }, "trigger");
    await refuse({ name: "x", steps: [step(1)], filters_json: "{not json" }, "filters_json");
    await refuse({ name: "x", steps: [step(1)], filters_json: JSON.stringify({ colour: "red" }) }, "filters_json");
    await refuse({ name: "x", steps: [step(1)], filters_json: JSON.stringify({ min_amount_cents: 500, max_amount_cents: 100 }) }, "min_amount_cents");
    await refuse({ name: "x", steps: [{ ...step(1), channel: "sms" }] }, "channel");
    const placeholder = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { name: "x", steps: [{ ...step(1), body_template: "Hi {{first_name}}" }] }, expect: 400 });
    expect(placeholder.error).toMatchObject({ type: "unknown_placeholder" });
  });

  it("scopes: read lists, write creates; a read-only key cannot create; another workspace's campaign is a 404", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:campaigns"], name: "r" });
    await v1.call("GET", LIST, LIST, { token: reader.key, expect: 200 });
    const denied = await v1.call("POST", LIST, LIST, { token: reader.key, body: { name: "x", steps: [step(1)] }, expect: 403 });
    expect(denied.error.code).toBe("INSUFFICIENT_SCOPE");
    const theirs = await create(other.apiKey, { name: "Theirs", steps: [step(1)] });
    const missing = await v1.call("GET", ONE, at(ONE, theirs.data.id), { params: { id: theirs.data.id }, token: ws.apiKey, expect: 404 });
    expect(missing.error.code).toBe("NOT_FOUND");
    await v1.call("PUT", ONE, at(ONE, theirs.data.id), { params: { id: theirs.data.id }, token: ws.apiKey, body: { name: "Mine now" }, expect: 404 });
    await v1.call("POST", "/api/v1/campaigns/{id}/activate", at("/api/v1/campaigns/{id}/activate", theirs.data.id), { params: { id: theirs.data.id }, token: ws.apiKey, expect: 404 });
    expect((await db().dunningSequence.findUniqueOrThrow({ where: { id: theirs.data.id } })).status).toBe("draft");
  });
});

describe("campaigns: lifecycle", () => {
  it("draft → active ⇄ paused → completed → archived; updates only in draft or paused (409 otherwise); wrong starts are 409s naming the status", async () => {
    const ws = await makeWorkspace();
    const { data: c } = await create(ws.apiKey, { name: "Lifecycle", steps: [step(24)] });
    const call = (cmd: string, expect: number) => v1.call("POST", `/api/v1/campaigns/{id}/${cmd}`, `/api/v1/campaigns/${c.id}/${cmd}`, { params: { id: c.id }, token: ws.apiKey, expect });

    const renamed = await v1.call("PUT", ONE, at(ONE, c.id), { params: { id: c.id }, token: ws.apiKey, body: { name: "Lifecycle v2", trigger: "card_expired", priority: 10 }, expect: 200 });
    expect(renamed.data).toMatchObject({ name: "Lifecycle v2", trigger: "card_expired", priority: 10, status: "draft" });

    const paused0 = await call("pause", 409);
    expect(paused0.error).toMatchObject({ type: "campaign_state_conflict", status: "draft", allowed_statuses: ["active"] });

    const active = await call("activate", 200);
    expect(active.data).toMatchObject({ status: "active" });
    expect(active.data.activated_at).not.toBeNull();
    expect((await call("activate", 409)).error.message).toMatch(/is active/);
    const locked = await v1.call("PUT", ONE, at(ONE, c.id), { params: { id: c.id }, token: ws.apiKey, body: { name: "Sneaky" }, expect: 409 });
    expect(locked.error).toMatchObject({ type: "campaign_state_conflict", status: "active", allowed_statuses: ["draft", "paused"] });

    expect((await call("pause", 200)).data.status).toBe("paused");
    await v1.call("PUT", ONE, at(ONE, c.id), { params: { id: c.id }, token: ws.apiKey, body: { filters_json: "{\"psps\":[\"stripe\"]}" }, expect: 200 });
    expect((await call("activate", 200)).data.status).toBe("active");
    expect((await call("archive", 409)).error.allowed_statuses).toEqual(["draft", "paused", "completed"]);
    const done = await call("complete", 200);
    expect(done.data.status).toBe("completed");
    expect(done.data.ended_at).not.toBeNull();
    await call("activate", 409);
    await v1.call("PUT", ONE, at(ONE, c.id), { params: { id: c.id }, token: ws.apiKey, body: { name: "Again" }, expect: 409 });
    expect((await call("archive", 200)).data.status).toBe("archived");
    // DunningDog's isEnabled follows the status.
    expect((await db().dunningSequence.findUniqueOrThrow({ where: { id: c.id } })).isEnabled).toBe(false);
  });
});

describe("campaigns: templates", () => {
  it("lists the templates and creates a draft from one, named as asked", async () => {
    const ws = await makeWorkspace();
    const list = await v1.call("GET", "/api/v1/campaigns/templates", "/api/v1/campaigns/templates", { token: ws.apiKey, expect: 200 });
    const ids = list.data.map((t: { id: string }) => t.id);
    expect(ids).toContain("tmpl_soft_decline");
    const soft = list.data.find((t: { id: string }) => t.id === "tmpl_soft_decline");
    expect(soft).toMatchObject({ trigger: "soft_decline", total_steps: soft.steps.length });

    const made = await v1.call("POST", "/api/v1/campaigns/from-template", "/api/v1/campaigns/from-template", {
      token: ws.apiKey,
      body: { template_id: "tmpl_soft_decline", name: "Our soft declines" },
      expect: 201,
    });
    expect(made.data).toMatchObject({ name: "Our soft declines", status: "draft", trigger: "soft_decline", template_id: "tmpl_soft_decline", total_steps: soft.steps.length });
    expect(made.data.steps.map((s: { subject_template: string }) => s.subject_template)).toEqual(soft.steps.map((s: { subject_template: string }) => s.subject_template));

    const unknown = await v1.call("POST", "/api/v1/campaigns/from-template", "/api/v1/campaigns/from-template", { token: ws.apiKey, body: { template_id: "tmpl_nope" }, expect: 404 });
    expect(unknown.error).toMatchObject({ code: "NOT_FOUND", type: "template_not_found" });
  });
});

describe("campaigns: overlap and simulation on the workspace's own failures", () => {
  async function history() {
    testClock.set(new Date("2026-11-20T12:00:00Z"));
    const ws = await makeWorkspace();
    const day = 86_400_000;
    const t0 = new Date("2026-11-20T12:00:00Z").getTime();
    // Six failures in the last 30 days: three soft (insufficient funds), two expired cards, one big soft one in EUR.
    const specs = [
      { declineCode: "insufficient_funds", amountDueMinor: 2500, currency: "usd", days: 3, recovered: 5 },
      { declineCode: "insufficient_funds", amountDueMinor: 4000, currency: "usd", days: 10, recovered: null },
      { declineCode: "insufficient_funds", amountDueMinor: 1500, currency: "usd", days: 20, recovered: 1 },
      { declineCode: "expired_card", amountDueMinor: 2500, currency: "usd", days: 5, recovered: null },
      { declineCode: "expired_card", amountDueMinor: 9900, currency: "usd", days: 25, recovered: 12 },
      { declineCode: "insufficient_funds", amountDueMinor: 50_000, currency: "eur", days: 8, recovered: null },
    ];
    for (const [i, s] of specs.entries()) {
      const startedAt = new Date(t0 - s.days * day);
      await makeRecovery(ws.workspace.id, {
        externalId: `in_hist_${i}`,
        externalCustomerId: `cus_hist_${i}`,
        declineCode: s.declineCode,
        amountDueMinor: s.amountDueMinor,
        currency: s.currency,
        startedAt,
        lastFailureAt: startedAt,
        livemode: true,
        ...(s.recovered !== null
          ? { status: "recovered", endedAt: new Date(startedAt.getTime() + s.recovered * day), recoveredAmountMinor: s.amountDueMinor }
          : { status: "pending" }),
      });
    }
    return ws;
  }

  it("overlap: which active campaigns claim the same failures, how many, and who wins by precedence", async () => {
    const ws = await history();
    const body = { trigger: "soft_decline", filters_json: JSON.stringify({ currencies: ["usd"] }) };
    const res = await v1.call("POST", "/api/v1/campaigns/overlap", "/api/v1/campaigns/overlap", { token: ws.apiKey, body, expect: 200 });
    // The default campaign (payment_failed, no filters) claims all six; the proposal the three soft declines in USD.
    expect(res.data).toMatchObject({ overlaps: true, failures_checked: 6, would_claim: 3, would_win: 3 });
    expect(res.data.campaigns).toEqual([
      expect.objectContaining({ name: "Default recovery sequence", shared_failures: 3, winner: "this_campaign", reason: expect.stringMatching(/more specific/) }),
    ]);
    // With a worse priority number, the default wins.
    const lower = await v1.call("POST", "/api/v1/campaigns/overlap", "/api/v1/campaigns/overlap", { token: ws.apiKey, body: { ...body, priority: 200 }, expect: 200 });
    expect(lower.data).toMatchObject({ would_claim: 3, would_win: 0 });
    expect(lower.data.campaigns[0]).toMatchObject({ winner: "existing_campaign", reason: expect.stringMatching(/priority 100 is ahead of 200/) });
    // Excluding the default leaves nothing to overlap with.
    const defaultId = res.data.campaigns[0].campaign_id;
    const alone = await v1.call("POST", "/api/v1/campaigns/overlap", "/api/v1/campaigns/overlap", { token: ws.apiKey, body: { ...body, exclude_campaign_id: defaultId }, expect: 200 });
    expect(alone.data).toMatchObject({ overlaps: false, campaigns: [] });
  });

  it("simulate: enrollments, emails by step on the engine's own plan, recoveries after each email", async () => {
    const ws = await history();
    const res = await v1.call("POST", "/api/v1/campaigns/simulate", "/api/v1/campaigns/simulate", {
      token: ws.apiKey,
      body: { trigger: "card_expired", lookback_days: 30, steps: [{ delay_hours: 0 }, { delay_hours: 120 }] },
      expect: 200,
    });
    expect(res.data).toMatchObject({ lookback_days: 30, failures_considered: 6, would_enroll: 2, claimed_by_other_campaigns: 0, steps_source: "request" });
    // expired card 5 days ago (open): email 1 at once, email 2 at day 5 (due now at the latest).
    // expired card 25 days ago, recovered on day 12: both emails went before it was won back.
    expect(res.data.by_step[0]).toMatchObject({ position: 1, emails_sent: 2 });
    expect(res.data.by_step[1]!.emails_sent + res.data.by_step[1]!.still_scheduled).toBe(2);
    expect(res.data.by_step[1]).toMatchObject({ recoveries_after: 1 });
    expect(res.data).toMatchObject({ expected_recoveries: 1, expected_recovery_rate: 0.5, recovered_amounts: [{ currency: "usd", amount_cents: 9900 }] });

    // A window of 7 days sees only the failures of the last week.
    const week = await v1.call("POST", "/api/v1/campaigns/simulate", "/api/v1/campaigns/simulate", { token: ws.apiKey, body: { trigger: "payment_failed", lookback_days: 7 }, expect: 200 });
    expect(week.data).toMatchObject({ failures_considered: 2, steps_source: "standard_template" });
    // The default campaign claims the same payments and was updated earlier: the newer proposal wins at equal priority and specificity.
    expect(week.data.overlaps[0]).toMatchObject({ name: "Default recovery sequence", shared_failures: 2 });
    const bad = await v1.call("POST", "/api/v1/campaigns/simulate", "/api/v1/campaigns/simulate", { token: ws.apiKey, body: { trigger: "payment_failed", lookback_days: 0 }, expect: 400 });
    expect(bad.error.code).toBe("VALIDATION_ERROR");
  });
});
