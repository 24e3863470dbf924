import { describe, expect, it } from "vitest";
import { createSession } from "~/domain/auth/sessions.server";
import { getActiveSequence } from "~/domain/campaigns/sequences.server";
import { inviteMember } from "~/domain/team/team.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../tests/factories";
import * as list from "./dashboard.dunning";
import * as editor from "./dashboard.dunning.$id";
import * as preview from "./dashboard.dunning.preview";
import { useFakeSmtp } from "../../tests/helpers/smtp";
import { thrown } from "../../tests/helpers/thrown";

const smtp = useFakeSmtp();

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

describe("/dashboard/dunning", () => {
  it("lists the workspace's sequences with the active one marked", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    await makeWorkspace();
    const { sequences } = await list.loader(get("/dashboard/dunning", sessionToken));
    expect(sequences).toEqual([
      expect.objectContaining({ name: "Default recovery sequence", isEnabled: true, isActive: true, stepCount: 3 }),
    ]);
    expect(sequences[0]!.id).toBe((await getActiveSequence(workspace.id))!.id);
  });

  it("without a session sends the browser to sign in and back here", async () => {
    const res = await thrown<Response>(list.loader(get("/dashboard/dunning")));
    expect([res.status, res.headers.get("Location")]).toEqual([302, "/auth/sign-in?redirectTo=%2Fdashboard%2Fdunning"]);
  });
});

describe("/dashboard/dunning/:id", () => {
  it("opens the workspace's sequence as a draft", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const sequence = (await getActiveSequence(workspace.id))!;
    const page = await editor.loader(get(`/dashboard/dunning/${sequence.id}`, sessionToken, { id: sequence.id }));
    expect(page.sequence).toEqual({ id: sequence.id, isActive: true });
    expect(page.draft.steps.map((s) => [s.id, s.delayHours])).toEqual(sequence.steps.map((s) => [s.id, s.delayHours]));
  });

  it("another workspace's sequence is a 404, to open and to save", async () => {
    const { sessionToken } = await makeWorkspace();
    const other = await makeWorkspace();
    const theirs = (await getActiveSequence(other.workspace.id))!;
    const params = { id: theirs.id };
    expect(await thrown(editor.loader(get(`/dashboard/dunning/${theirs.id}`, sessionToken, params)))).toMatchObject({ init: { status: 404 } });

    const draft = { name: "Taken", isEnabled: true, steps: [{ delayHours: 1, subjectTemplate: "s", bodyTemplate: "b" }] };
    const saved = failure(await editor.action(post(`/dashboard/dunning/${theirs.id}`, { intent: "save", draft }, sessionToken, params)));
    expect(saved.init.status).toBe(404);
    expect(saved.data.message).toBe("No dunning sequence with that id in this workspace.");
    expect((await getActiveSequence(other.workspace.id))!.name).toBe("Default recovery sequence");
  });

  it("/new starts from the default emails, switched off", async () => {
    const { sessionToken } = await makeWorkspace();
    const page = await editor.loader(get("/dashboard/dunning/new", sessionToken, { id: "new" }));
    expect(page.sequence).toBeNull();
    expect(page.draft).toMatchObject({ name: "New sequence", isEnabled: false });
    expect(page.draft.steps).toHaveLength(3);
  });

  it("saves edits and answers with the saved draft and a toast", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const sequence = (await getActiveSequence(workspace.id))!;
    const params = { id: sequence.id };
    const { draft } = await editor.loader(get(`/dashboard/dunning/${sequence.id}`, sessionToken, params));
    draft.steps[0]!.subjectTemplate = "Quick note about your {{merchant_name}} payment";
    draft.steps.push({ delayHours: 500, subjectTemplate: "Last call", bodyTemplate: "{{update_payment_url}}" });
    const result = await editor.action(post(`/dashboard/dunning/${sequence.id}`, { intent: "save", draft }, sessionToken, params));
    expect(result).toMatchObject({ ok: true, intent: "save", toast: "Sequence saved" });
    const saved = (await getActiveSequence(workspace.id))!;
    expect(saved.steps.map((s) => s.subjectTemplate)).toEqual([...draft.steps.map((s) => s.subjectTemplate)]);
    // The answer carries the new step's id, so that the next save updates it instead of adding it again.
    expect((result as { draft: { steps: Array<{ id?: string }> } }).draft.steps.map((s) => s.id)).toEqual(saved.steps.map((s) => s.id));
  });

  it("creates a sequence from /new", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const draft = { name: "Winter", isEnabled: false, steps: [{ delayHours: 2, subjectTemplate: "Hi {{customer_name}}", bodyTemplate: "{{update_payment_url}}" }] };
    const result = await editor.action(post("/dashboard/dunning/new", { intent: "save", draft }, sessionToken, { id: "new" }));
    expect(result).toMatchObject({ ok: true, toast: "Sequence created", sequence: { isActive: false } });
    expect(await db().dunningSequence.count({ where: { workspaceId: workspace.id, name: "Winter" } })).toBe(1);
  });

  it("answers a bad field with an error on that field, in plain words", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const sequence = (await getActiveSequence(workspace.id))!;
    const params = { id: sequence.id };
    const draft = { name: " ", isEnabled: true, steps: [{ delayHours: 1, subjectTemplate: "Hi {{first_name}}", bodyTemplate: "b" }] };
    const result = failure(await editor.action(post(`/dashboard/dunning/${sequence.id}`, { intent: "save", draft }, sessionToken, params)));
    expect(result.init.status).toBe(400);
    expect(result.data.fieldErrors).toEqual({
      name: "Name the sequence.",
      "steps.0.subjectTemplate": expect.stringMatching(/^Email 1's subject uses \{\{first_name\}\}, which isn't a placeholder Recoup can fill/),
    });
    expect((await getActiveSequence(workspace.id))!.name).toBe("Default recovery sequence");
  });

  it("sends a test email to the signed-in merchant", async () => {
    const { workspace, owner, sessionToken } = await makeWorkspace();
    const sequence = (await getActiveSequence(workspace.id))!;
    const step = sequence.steps[0]!;
    const result = await editor.action(
      post(`/dashboard/dunning/${sequence.id}`, { intent: "test-email", subjectTemplate: step.subjectTemplate, bodyTemplate: step.bodyTemplate }, sessionToken, { id: sequence.id }),
    );
    expect(result).toEqual({ ok: true, intent: "test-email", toast: `Sent to ${owner.email}` });
    const mail = await smtp.waitFor((m) => m.subject === `[Test] Your payment to ${workspace.name} didn't go through`);
    expect(mail.text).toContain("Hi Jane Doe");
  });

  it("deletes a sequence that isn't active, and refuses the active one", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const active = (await getActiveSequence(workspace.id))!;
    const refused = failure(await editor.action(post(`/dashboard/dunning/${active.id}`, { intent: "delete" }, sessionToken, { id: active.id })));
    expect(refused.init.status).toBe(409);
    expect(refused.data.message).toMatch(/^\u201cDefault recovery sequence\u201d is the active sequence/);

    const draft = { name: "Winter", isEnabled: false, steps: [{ delayHours: 2, subjectTemplate: "Hi", bodyTemplate: "{{update_payment_url}}" }] };
    const created = (await editor.action(post("/dashboard/dunning/new", { intent: "save", draft }, sessionToken, { id: "new" }))) as { sequence: { id: string } };
    const result = await editor.action(post(`/dashboard/dunning/${created.sequence.id}`, { intent: "delete" }, sessionToken, { id: created.sequence.id }));
    expect(result).toEqual({ ok: true, intent: "delete", toast: "\u201cWinter\u201d deleted." });
    const { sequences } = await list.loader(get("/dashboard/dunning", sessionToken));
    expect(sequences.map((s) => s.name)).toEqual(["Default recovery sequence"]);
  });

  it("without a session is a 401", async () => {
    expect(await thrown(editor.action(post("/dashboard/dunning/new", { intent: "save", draft: {} }, undefined, { id: "new" })))).toMatchObject({
      init: { status: 401 },
    });
  });
});

describe("/dashboard/dunning/:id for a member (docs/decisions/0010-team-roles.md)", () => {
  it("opens read-only, saying who to ask; saving, deleting and test emails are refused and change nothing", async () => {
    const { workspace, owner } = await makeWorkspace();
    const { member } = await inviteMember({ workspaceId: workspace.id, email: `member-${Date.now()}@story.example`, role: "member", appUrl: "http://recoup.test" });
    const { token } = await createSession({ userId: member.userId, workspaceId: workspace.id });
    const sequence = (await getActiveSequence(workspace.id))!;
    const params = { id: sequence.id };

    const page = await editor.loader(get(`/dashboard/dunning/${sequence.id}`, token, params));
    expect(page.readOnly).toMatch(/^Only admins can change dunning emails\. Ask .+ \(the owner\) or an admin/);
    expect((await editor.loader(get(`/dashboard/dunning/${sequence.id}`, (await createSession({ userId: owner.id, workspaceId: workspace.id })).token, params))).readOnly).toBeNull();

    const draft = { ...page.draft, name: "Renamed by a member" };
    for (const body of [{ intent: "save", draft }, { intent: "delete" }, { intent: "test-email", subjectTemplate: "s", bodyTemplate: "b" }]) {
      const refused = failure(await editor.action(post(`/dashboard/dunning/${sequence.id}`, body, token, params)));
      expect(refused.init.status).toBe(403);
      expect(refused.data.message).toBe(page.readOnly);
    }
    expect(await getActiveSequence(workspace.id)).toMatchObject({ id: sequence.id, name: "Default recovery sequence" });
    // The preview writes nothing: a member may still try an email out.
    expect(await preview.action(post("/dashboard/dunning/preview", { subjectTemplate: "Hi {{customer_name}}", bodyTemplate: "b" }, token))).toMatchObject({ ok: true });
  });
});

describe("/dashboard/dunning/preview", () => {
  it("renders the templates with sample data", async () => {
    const { sessionToken } = await makeWorkspace({ name: "Story Coffee" });
    const result = await preview.action(post("/dashboard/dunning/preview", { subjectTemplate: "Hi {{customer_name}}", bodyTemplate: "You owe {{amount}}." }, sessionToken));
    expect(result).toMatchObject({ ok: true, preview: { subject: "Hi Jane Doe", text: "You owe $49.00." } });
  });

  it("names an unknown placeholder", async () => {
    const { sessionToken } = await makeWorkspace();
    const result = failure(await preview.action(post("/dashboard/dunning/preview", { subjectTemplate: "s", bodyTemplate: "Hi {{nickname}}" }, sessionToken)));
    expect(result.init.status).toBe(400);
    expect(result.data.message).toMatch(/^The email text uses \{\{nickname\}\}, which isn't a placeholder Recoup can fill/);
    expect(result.data.fieldErrors).toEqual({ bodyTemplate: result.data.message });
  });

  it("without a session is a 401", async () => {
    expect(await thrown(preview.action(post("/dashboard/dunning/preview", { subjectTemplate: "s", bodyTemplate: "b" })))).toMatchObject({ init: { status: 401 } });
  });
});
