import { afterEach, describe, expect, it } from "vitest";
import { createCampaign, getCampaign, transition } from "~/domain/campaigns/campaigns.server";
import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeRecovery, makeTeammate, makeWorkspace } from "../../tests/factories";
import { thrown } from "../../tests/helpers/thrown";
import * as list from "./dashboard.campaigns._index";
import * as editor from "./dashboard.campaigns.$id";

const cookie = (token?: string): Record<string, string> => (token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {});

const get = (path: string, token?: string, params: Record<string, string> = {}) => ({
  request: new Request(`http://localhost${path}`, { headers: cookie(token) }),
  params,
  context: {},
});

const post = (path: string, body: unknown, token?: string, params: Record<string, string> = {}) => ({
  request: new Request(`http://localhost${path}`, { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify(body) }),
  params,
  context: {},
});

/** What `data(...)` carries, for an action's failures. */
const failure = (result: unknown) => result as { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };

type Answer<I extends string> = Extract<Awaited<ReturnType<typeof editor.action>>, { intent: I }>;

const steps = DEFAULT_SEQUENCE.steps.map((s) => ({ channel: "email", delay_hours: s.delayHours, subject_template: s.subjectTemplate, body_template: s.bodyTemplate }));

async function draftCampaign(workspaceId: string, name: string, over: { trigger?: "payment_failed" | "soft_decline" | "card_expired"; createdAt?: Date } = {}) {
  const created = await createCampaign({ workspaceId, draft: { name, trigger: over.trigger ?? "soft_decline", filters: {}, steps } });
  if (over.createdAt) await db().dunningSequence.update({ where: { id: created.id }, data: { createdAt: over.createdAt } });
  return created;
}

const open = (id: string, token: string) => editor.loader(get(`/dashboard/campaigns/${id}`, token, { id }));
const act = (id: string, body: unknown, token: string) => editor.action(post(`/dashboard/campaigns/${id}`, body, token, { id }));

afterEach(() => testClock.reset());

describe("/dashboard/campaigns", () => {
  it("lists the current campaigns with their status, trigger in words, priority, emails and results; archived ones under their tab", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    await makeWorkspace();
    const winter = await draftCampaign(workspace.id, "Winter soft declines");
    const old = await draftCampaign(workspace.id, "Old expired cards", { trigger: "card_expired" });
    await transition({ workspaceId: workspace.id, id: old.id, command: "archive" });

    const page = await list.loader(get("/dashboard/campaigns", sessionToken));
    expect(page).toMatchObject({ tab: "current", search: "", page: 1, totalPages: 1, total: 2, readOnly: null });
    expect(page.campaigns).toEqual([
      { id: winter.id, name: "Winter soft declines", status: "draft", trigger: "Temporary decline", priority: 100, totalSteps: 3, results: { enrolled: 0, recovered: 0, recoveryRate: 0 } },
      expect.objectContaining({ name: "Default recovery sequence", status: "active", trigger: "Any failed payment" }),
    ]);
    expect(page.templates.map((t) => t.id)).toContain("tmpl_soft_decline");
    expect(page.templates[0]).toEqual({ id: "tmpl_standard_dunning", name: "Standard recovery", description: expect.stringMatching(/^Three emails/), trigger: "Any failed payment", totalSteps: 3 });

    const archived = await list.loader(get("/dashboard/campaigns?status=archived", sessionToken));
    expect(archived.campaigns.map((c) => [c.name, c.status])).toEqual([["Old expired cards", "archived"]]);
    const active = await list.loader(get("/dashboard/campaigns?status=active", sessionToken));
    expect(active.campaigns.map((c) => c.name)).toEqual(["Default recovery sequence"]);
    // A status the page doesn't know shows the current ones rather than failing.
    expect((await list.loader(get("/dashboard/campaigns?status=everything", sessionToken))).tab).toBe("current");
  });

  it("searches by name, any case, within the status tab", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    await draftCampaign(workspace.id, "Winter soft declines");
    await draftCampaign(workspace.id, "Summer expired cards", { trigger: "card_expired" });
    const found = await list.loader(get("/dashboard/campaigns?q=WINTER", sessionToken));
    expect(found.campaigns.map((c) => c.name)).toEqual(["Winter soft declines"]);
    expect(found.search).toBe("WINTER");
    expect((await list.loader(get("/dashboard/campaigns?q=winter&status=active", sessionToken))).campaigns).toEqual([]);
  });

  it("pages 25 at a time, newest first, in every tab", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 27; i++) await draftCampaign(workspace.id, `Campaign ${String(i).padStart(2, "0")}`, { createdAt: new Date(t0 + i * 60_000) });
    const first = await list.loader(get("/dashboard/campaigns", sessionToken));
    expect(first).toMatchObject({ page: 1, totalPages: 2, total: 28 });
    expect(first.campaigns).toHaveLength(25);
    const second = await list.loader(get("/dashboard/campaigns?page=2", sessionToken));
    // The default campaign came with the workspace, after these: it leads the first page.
    expect(first.campaigns[0]!.name).toBe("Default recovery sequence");
    expect(second.campaigns.map((c) => c.name)).toEqual(["Campaign 02", "Campaign 01", "Campaign 00"]);
    const drafts = await list.loader(get("/dashboard/campaigns?status=draft&page=2", sessionToken));
    expect(drafts).toMatchObject({ page: 2, totalPages: 2, total: 27 });
    expect(drafts.campaigns.map((c) => c.name)).toEqual(["Campaign 01", "Campaign 00"]);
  });

  it("without a session sends the browser to sign in and back here", async () => {
    const res = await thrown<Response>(list.loader(get("/dashboard/campaigns")));
    expect([res.status, res.headers.get("Location")]).toEqual([302, "/auth/sign-in?redirectTo=%2Fdashboard%2Fcampaigns"]);
  });

  it("starts a draft from a template and redirects to its editor", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const result = (await list.action(post("/dashboard/campaigns?index", { intent: "from-template", templateId: "tmpl_card_expired" }, sessionToken))) as unknown as Response;
    expect(result.status).toBe(302);
    const location = result.headers.get("Location")!;
    expect(location).toMatch(/^\/dashboard\/campaigns\/\w+\?created=template$/);
    const campaignId = location.split("/").pop()!.split("?")[0]!;
    expect(await getCampaign({ workspaceId: workspace.id, id: campaignId })).toMatchObject({ name: "Expired card", status: "draft", trigger: "card_expired", totalSteps: 2 });
    // The editor opens it.
    expect((await open(campaignId, sessionToken)).form).toMatchObject({ name: "Expired card", trigger: "card_expired" });

    const unknown = failure(await list.action(post("/dashboard/campaigns?index", { intent: "from-template", templateId: "tmpl_nope" }, sessionToken)));
    expect(unknown.init.status).toBe(404);
    expect(unknown.data.message).toMatch(/^No campaign template "tmpl_nope"/);
  });
});

describe("/dashboard/campaigns/:id", () => {
  it("/new starts from the default emails, for every failed payment, amounts in the workspace's currency", async () => {
    const { sessionToken } = await makeWorkspace();
    const page = await open("new", sessionToken);
    expect(page.campaign).toBeNull();
    expect(page.form).toMatchObject({ name: "New campaign", trigger: "payment_failed", priority: "100" });
    expect(page.form.filters).toEqual({
      minAmount: "",
      maxAmount: "",
      amountCurrency: "USD",
      currencies: "",
      declineCategories: [],
      declineCodes: "",
      psps: "",
      customerSegments: [],
      plans: "",
    });
    expect(page.form.steps.map((s) => s.delayHours)).toEqual(DEFAULT_SEQUENCE.steps.map((s) => s.delayHours));
    expect(page.form.steps.every((s) => s.id === undefined)).toBe(true);
    expect(page.options.triggers.find((t) => t.value === "card_expired")).toEqual({ value: "card_expired", label: "Expired card", help: expect.any(String) });
  });

  it("creates a campaign from /new as a draft, amounts typed in major units stored in minor ones", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const { form } = await open("new", sessionToken);
    const posted = {
      ...form,
      name: "Big euro payments",
      trigger: "soft_decline",
      priority: "40",
      filters: { ...form.filters, minAmount: "250.5", maxAmount: "1000", amountCurrency: "eur", currencies: "EUR, gbp", declineCategories: ["soft_retry"], psps: "stripe", customerSegments: ["established"] },
    };
    const result = await act("new", { intent: "save", form: posted }, sessionToken);
    expect(result).toMatchObject({ ok: true, intent: "save", toast: "Campaign created as a draft" });
    const saved = await getCampaign({ workspaceId: workspace.id, id: (result as Answer<"save">).campaign.id });
    expect(saved).toMatchObject({ name: "Big euro payments", status: "draft", trigger: "soft_decline", priority: 40, totalSteps: 3 });
    expect(saved.filters).toEqual({
      min_amount_cents: 25050,
      max_amount_cents: 100000,
      currencies: ["eur", "gbp"],
      decline_categories: ["soft_retry"],
      psps: ["stripe"],
      customer_segments: ["established"],
    });
    // And it opens as it was typed.
    expect((await open(saved.id, sessionToken)).form.filters).toMatchObject({ minAmount: "250.50", maxAmount: "1000.00", amountCurrency: "EUR", currencies: "EUR, GBP" });
  });

  it("saves a draft's edits and answers with the saved form, new steps with their ids", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const draft = await draftCampaign(workspace.id, "Winter");
    const { form, campaign } = await open(draft.id, sessionToken);
    expect(campaign).toMatchObject({ id: draft.id, status: "draft", locked: null, commands: [{ command: "activate", label: "Activate" }, { command: "archive", label: "Archive" }] });
    form.name = "Winter, reworded";
    form.filters.minAmount = "5";
    form.filters.declineCodes = "insufficient_funds, card_velocity_exceeded";
    form.steps.push({ delayHours: 400, subjectTemplate: "Last call from {{merchant_name}}", bodyTemplate: "{{update_payment_url}}" });
    const result = (await act(draft.id, { intent: "save", form }, sessionToken)) as Answer<"save">;
    expect(result).toMatchObject({ ok: true, intent: "save", toast: "Campaign saved" });
    const saved = await getCampaign({ workspaceId: workspace.id, id: draft.id });
    expect(saved).toMatchObject({ name: "Winter, reworded", filters: { min_amount_cents: 500, decline_codes: ["insufficient_funds", "card_velocity_exceeded"] }, totalSteps: 4 });
    expect(result.form.steps.map((s) => s.id)).toEqual(saved.steps.map((s) => s.id));
  });

  it("answers bad fields beside each field, in plain words, and saves nothing", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const draft = await draftCampaign(workspace.id, "Winter");
    const { form } = await open(draft.id, sessionToken);
    const bad = {
      ...form,
      name: " ",
      priority: "first",
      filters: { ...form.filters, minAmount: "$5", maxAmount: "10.123", currencies: "usd, dollars" },
      steps: [{ ...form.steps[0]!, subjectTemplate: "Hi {{first_name}}" }],
    };
    const result = failure(await act(draft.id, { intent: "save", form: bad }, sessionToken));
    expect(result.init.status).toBe(400);
    expect(result.data.fieldErrors).toEqual({
      name: "Name the campaign.",
      priority: "Enter a whole number from 0 to 10000 (lower goes first).",
      "filters.minAmount": "Enter an amount such as 25 or 25.50, without the currency sign.",
      "filters.maxAmount": "USD amounts have at most 2 decimals.",
      "filters.currencies": "\u201cdollars\u201d isn't a currency code: use three letters, such as USD or EUR.",
      "steps.0.subjectTemplate": expect.stringMatching(/^Email 1's subject uses \{\{first_name\}\}, which isn't a placeholder Recoup can fill/),
    });
    const reversed = failure(await act(draft.id, { intent: "save", form: { ...form, filters: { ...form.filters, minAmount: "50", maxAmount: "10" } } }, sessionToken));
    expect(reversed.data.fieldErrors).toEqual({ "filters.minAmount": "The smallest amount is above the largest, so no payment could match." });
    expect((await getCampaign({ workspaceId: workspace.id, id: draft.id })).name).toBe("Winter");
  });

  it("each lifecycle button moves the campaign, and the page offers only what it may do next", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const draft = await draftCampaign(workspace.id, "Winter");
    const commandsOf = async () => (await open(draft.id, sessionToken)).campaign!.commands.map((c) => c.command);

    expect(await act(draft.id, { intent: "transition", command: "activate" }, sessionToken)).toMatchObject({
      ok: true,
      intent: "transition",
      status: "active",
      toast: "\u201cWinter\u201d is active: new failed payments it claims get its emails.",
    });
    expect(await commandsOf()).toEqual(["pause", "complete"]);
    expect(await act(draft.id, { intent: "transition", command: "pause" }, sessionToken)).toMatchObject({ ok: true, status: "paused" });
    expect(await commandsOf()).toEqual(["activate", "complete", "archive"]);
    expect(await act(draft.id, { intent: "transition", command: "complete" }, sessionToken)).toMatchObject({ ok: true, status: "completed" });
    expect(await commandsOf()).toEqual(["archive"]);
    expect(await act(draft.id, { intent: "transition", command: "archive" }, sessionToken)).toMatchObject({ ok: true, status: "archived", toast: "\u201cWinter\u201d is archived." });
    expect(await commandsOf()).toEqual([]);

    // A button pressed in a stale tab: the domain's 409, in its words.
    const refused = failure(await act(draft.id, { intent: "transition", command: "activate" }, sessionToken));
    expect(refused.init.status).toBe(409);
    expect(refused.data.message).toBe("\u201cWinter\u201d is archived; activate applies to a campaign that is draft or paused.");
  });

  it("an active campaign is read-only: the page says to pause it, and a save is the domain's 409", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const draft = await draftCampaign(workspace.id, "Winter");
    const { form } = await open(draft.id, sessionToken);
    await act(draft.id, { intent: "transition", command: "activate" }, sessionToken);
    const page = await open(draft.id, sessionToken);
    expect(page.campaign).toMatchObject({ status: "active", locked: expect.stringMatching(/Pause it to edit\.$/) });

    const result = failure(await act(draft.id, { intent: "save", form: { ...form, name: "Renamed while active" } }, sessionToken));
    expect(result.init.status).toBe(409);
    expect(result.data.message).toBe(
      "\u201cWinter\u201d is active: a campaign's name, trigger, filters, priority and steps change only while it is draft or paused. Pause it first.",
    );
    expect((await getCampaign({ workspaceId: workspace.id, id: draft.id })).name).toBe("Winter");

    // Paused, it saves again.
    await act(draft.id, { intent: "transition", command: "pause" }, sessionToken);
    expect(await act(draft.id, { intent: "save", form: { ...form, name: "Renamed while paused" } }, sessionToken)).toMatchObject({ ok: true });
  });

  it("simulates the campaign as it stands on the workspace's own failures, with the overlap check", async () => {
    testClock.set(new Date("2026-11-20T12:00:00Z"));
    const { workspace, sessionToken } = await makeWorkspace();
    const day = 86_400_000;
    const t0 = new Date("2026-11-20T12:00:00Z").getTime();
    const specs = [
      { declineCode: "insufficient_funds", amountDueMinor: 2500, days: 3, recovered: 5 },
      { declineCode: "insufficient_funds", amountDueMinor: 4000, days: 10, recovered: null },
      { declineCode: "expired_card", amountDueMinor: 2500, days: 5, recovered: null },
      { declineCode: "expired_card", amountDueMinor: 9900, days: 25, recovered: 12 },
    ];
    for (const [i, s] of specs.entries()) {
      const startedAt = new Date(t0 - s.days * day);
      await makeRecovery(workspace.id, {
        externalId: `in_sim_${i}`,
        externalCustomerId: `cus_sim_${i}`,
        declineCode: s.declineCode,
        amountDueMinor: s.amountDueMinor,
        startedAt,
        lastFailureAt: startedAt,
        ...(s.recovered !== null ? { status: "recovered", endedAt: new Date(startedAt.getTime() + s.recovered * day), recoveredAmountMinor: s.amountDueMinor } : { status: "pending" }),
      });
    }
    const draft = await draftCampaign(workspace.id, "Expired cards", { trigger: "card_expired" });
    const { form } = await open(draft.id, sessionToken);
    // Unsaved: two emails, at once and after five days.
    const edited = { ...form, steps: [{ ...form.steps[0]!, delayHours: 0 }, { ...form.steps[1]!, delayHours: 120 }] };
    const result = (await act(draft.id, { intent: "simulate", form: edited, lookbackDays: "30" }, sessionToken)) as Answer<"simulate">;
    expect(result).toMatchObject({ ok: true, intent: "simulate" });
    expect(result.simulation).toMatchObject({ lookbackDays: 30, failuresConsidered: 4, wouldEnroll: 2, claimedByOtherCampaigns: 0, stepsSource: "request" });
    expect(result.simulation.byStep).toHaveLength(2);
    expect(result.simulation.byStep[0]).toMatchObject({ position: 1, emailsSent: 2 });
    expect(result.simulation).toMatchObject({ expectedRecoveries: 1, expectedRecoveryRate: 0.5, recovered: ["$99.00"] });
    // The default campaign claims the same expired cards; this one is more specific and wins.
    expect(result.simulation.overlaps).toEqual([expect.objectContaining({ name: "Default recovery sequence", sharedFailures: 2, winner: "this_campaign" })]);
    expect(result.overlap).toMatchObject({ overlaps: true, failuresChecked: 4, wouldClaim: 2, wouldWin: 2 });
    expect(result.overlap.campaigns[0]).toMatchObject({ name: "Default recovery sequence", reason: expect.stringMatching(/more specific/) });
    // A worse priority number: the default wins them.
    const behind = (await act(draft.id, { intent: "simulate", form: { ...edited, priority: "200" }, lookbackDays: 30 }, sessionToken)) as Answer<"simulate">;
    expect(behind.simulation).toMatchObject({ wouldEnroll: 0, claimedByOtherCampaigns: 2 });
    expect(behind.overlap.campaigns[0]).toMatchObject({ winner: "existing_campaign", reason: expect.stringMatching(/priority 100 is ahead of 200/) });
    // A new campaign simulates before it exists.
    expect(await act("new", { intent: "simulate", form: edited, lookbackDays: "7" }, sessionToken)).toMatchObject({ ok: true, simulation: { failuresConsidered: 2 } });
    // Nothing was written.
    expect(await db().campaignEnrollment.count({ where: { campaignId: draft.id } })).toBe(0);

    const bad = failure(await act(draft.id, { intent: "simulate", form: edited, lookbackDays: "0" }, sessionToken));
    expect([bad.init.status, bad.data.fieldErrors]).toEqual([400, { lookbackDays: "Enter a number of days from 1 to 365." }]);
  });

  it("another workspace's campaign is a 404: to open, save, change status or simulate", async () => {
    const { sessionToken } = await makeWorkspace();
    const other = await makeWorkspace();
    const theirs = await draftCampaign(other.workspace.id, "Theirs");
    expect(await thrown(open(theirs.id, sessionToken))).toMatchObject({ data: "No campaign with that id in this workspace.", init: { status: 404 } });

    const { form } = await open("new", sessionToken);
    for (const body of [
      { intent: "save", form: { ...form, name: "Taken" } },
      { intent: "transition", command: "activate" },
      { intent: "simulate", form, lookbackDays: "30" },
    ]) {
      const refused = failure(await act(theirs.id, body, sessionToken));
      expect(refused.init.status).toBe(404);
      expect(refused.data.message).toBe("No campaign with that id in this workspace.");
    }
    expect(await getCampaign({ workspaceId: other.workspace.id, id: theirs.id })).toMatchObject({ name: "Theirs", status: "draft" });
  });

  it("without a session is a 401", async () => {
    expect(await thrown(editor.action(post("/dashboard/campaigns/new", { intent: "save", form: {} }, undefined, { id: "new" })))).toMatchObject({ init: { status: 401 } });
  });
});

describe("/dashboard/campaigns for a member (docs/decisions/0010-team-roles.md)", () => {
  it("shows campaigns read-only, saying who to ask; changes are refused, a simulation is not", async () => {
    const { workspace } = await makeWorkspace();
    const { sessionToken: token } = await makeTeammate(workspace.id, "member");
    const draft = await draftCampaign(workspace.id, "Winter");

    const listed = await list.loader(get("/dashboard/campaigns", token));
    expect(listed.readOnly).toMatch(/^Only admins can change dunning emails\./);
    const fromTemplate = failure(await list.action(post("/dashboard/campaigns?index", { intent: "from-template", templateId: "tmpl_card_expired" }, token)));
    expect(fromTemplate.init.status).toBe(403);

    const page = await open(draft.id, token);
    expect(page.readOnly).toBe(listed.readOnly);
    for (const body of [
      { intent: "save", form: { ...page.form, name: "Renamed by a member" } },
      { intent: "transition", command: "activate" },
      { intent: "test-email", subjectTemplate: "s", bodyTemplate: "b" },
    ]) {
      const refused = failure(await act(draft.id, body, token));
      expect(refused.init.status).toBe(403);
      expect(refused.data.message).toBe(page.readOnly);
    }
    expect(await getCampaign({ workspaceId: workspace.id, id: draft.id })).toMatchObject({ name: "Winter", status: "draft" });
    expect(await act(draft.id, { intent: "simulate", form: page.form, lookbackDays: "30" }, token)).toMatchObject({ ok: true, intent: "simulate" });
    expect(await db().dunningSequence.count({ where: { workspaceId: workspace.id } })).toBe(2);
  });
});
