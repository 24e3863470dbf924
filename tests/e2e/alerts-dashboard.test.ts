// /dashboard/alerts, server side: the rules listed, a form with several problems answered with all
// of them at once, beside their fields; create, turn off, edit and delete; a member may look but not
// change; another workspace's rule is not found; and the alerts sent lately, with why one failed.
import { describe, expect, it } from "vitest";
import { createWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import * as route from "~/routes/dashboard.alerts";
import { db } from "~/utils/db.server";
import { makeTeammate, makeWorkspace } from "../factories";

const cookie = (token: string) => ({ cookie: `recoup_session=${encodeURIComponent(token)}` });
const load = (token: string) => route.loader({ request: new Request("http://localhost/dashboard/alerts", { headers: cookie(token) }), params: {}, context: {} });
async function act(body: unknown, token: string) {
  const result = await route.action({
    request: new Request("http://localhost/dashboard/alerts", { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify(body) }),
    params: {},
    context: {},
  });
  // A failure is `data(…, {status})`; a success the plain answer.
  type Answer = { ok: boolean; message?: string; toast?: string; id?: string; fieldErrors: Record<string, string> };
  const wrapped = result as unknown as { type?: string; data?: unknown; init?: ResponseInit };
  return wrapped.type === "DataWithResponseInit" ? { status: wrapped.init?.status ?? 200, body: wrapped.data as Answer } : { status: 200, body: result as unknown as Answer };
}

const form = (over: Record<string, unknown> = {}) => ({ name: "Failures", eventType: "payment_failed", channel: "email", cadence: "realtime", recipientEmails: "ops@example.com", ...over });

describe("/dashboard/alerts", () => {
  it("reports every invalid field at once, then creates, turns off, edits and deletes a rule", async () => {
    const { workspace, sessionToken } = await makeWorkspace({ name: "Hudson Bakery" });
    const bad = await act({ intent: "save", rule: form({ name: " ", channel: "sms", recipientPhones: "12345", amountMin: "lots" }) }, sessionToken);
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.body.fieldErrors).sort()).toEqual(["filter", "name", "recipientPhones"]);
    expect(bad.body.fieldErrors.recipientPhones).toContain("12345");
    const badEmail = await act({ intent: "save", rule: form({ recipientEmails: "ops@example.com, nope" }) }, sessionToken);
    expect(badEmail.body.fieldErrors.recipientEmails).toContain('"nope"');
    expect(await db().alertRule.count({ where: { workspaceId: workspace.id } })).toBe(0);

    const made = await act({ intent: "save", rule: form({ amountMin: "49.99", failureCodes: ["card_expired"], recipientRoles: ["owner"] }) }, sessionToken);
    expect(made.body).toMatchObject({ ok: true, toast: "Failures created" });
    const id = made.body.id!;
    expect(await db().alertRule.findUniqueOrThrow({ where: { id } })).toMatchObject({
      filter: { amountMinMinor: 4999, failureCodes: ["card_expired"] },
      recipientEmails: ["ops@example.com"],
      recipientRoles: ["owner"],
    });

    expect((await act({ intent: "toggle", id, enabled: false }, sessionToken)).body).toMatchObject({ ok: true, toast: "Failures turned off" });
    const endpoint = await createWebhookEndpoint({ workspaceId: workspace.id, url: "https://hooks.example.com/a" });
    expect((await act({ intent: "save", id, rule: form({ channel: "webhook", webhookEndpointId: endpoint.id, enabled: false }) }, sessionToken)).body.ok).toBe(true);
    const page = await load(sessionToken);
    expect(page.rules).toEqual([expect.objectContaining({ id, enabled: false, channel: "webhook", webhookEndpointId: endpoint.id })]);
    expect(page.endpoints).toEqual([{ id: endpoint.id, label: "https://hooks.example.com/a" }]);

    // Another workspace cannot touch it.
    const other = await makeWorkspace();
    const theirs = await act({ intent: "delete", id }, other.sessionToken);
    expect(theirs.status).toBe(404);
    expect((await act({ intent: "delete", id }, sessionToken)).body).toMatchObject({ ok: true });
    expect(await db().alertRule.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });

  it("lets a member see the rules but not change them", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    await act({ intent: "save", rule: form() }, sessionToken);
    const member = await makeTeammate(workspace.id, "member");
    const page = await load(member.sessionToken);
    expect(page.rules).toHaveLength(1);
    expect(page.readOnly).toContain("Only admins");
    const refused = await act({ intent: "save", rule: form({ name: "Mine" }) }, member.sessionToken);
    expect(refused.status).toBe(403);
    expect(await db().alertRule.count({ where: { workspaceId: workspace.id } })).toBe(1);
  });

  it("shows the alerts sent lately, with the rule, the event, the channel, the status and why one failed", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    await act({ intent: "save", rule: form({ channel: "sms", recipientPhones: "07911 123456", recipientEmails: "" }) }, sessionToken);
    const rule = await db().alertRule.findFirstOrThrow({ where: { workspaceId: workspace.id } });
    const event = await db().webhookEvent.create({
      data: { workspaceId: workspace.id, type: "payment.failed", dedupeKey: "e1", payload: {}, alertEventType: "payment_failed", summary: "£12.00 from ada@example.com failed: insufficient funds" },
    });
    await db().alertDispatch.create({ data: { workspaceId: workspace.id, ruleId: rule.id, dedupeKey: event.id, eventId: event.id, channel: "sms", status: "failed", error: "SMS is not configured on this server." } });
    const page = await load(sessionToken);
    expect(page.dispatches).toEqual([
      expect.objectContaining({ ruleName: "Failures", about: "£12.00 from ada@example.com failed: insufficient funds", channel: "sms", status: "failed", error: "SMS is not configured on this server." }),
    ]);
  });
});
