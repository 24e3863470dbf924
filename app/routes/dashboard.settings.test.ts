import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSession } from "~/domain/auth/sessions.server";
import { inviteMember } from "~/domain/team/team.server";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../tests/fakes/stripe-server";
import { LEARNING_MIN_ATTEMPTS } from "~/domain/recovery/learning";
import { refreshWorkspaceLearning } from "~/domain/recovery/learning.server";
import { connectStripeAccount, makeRecovery, makeTeammate, makeWorkspace } from "../../tests/factories";
import { useFakeSmtp } from "../../tests/helpers/smtp";
import { setUpStripe } from "../../tests/helpers/stripe";
import * as settings from "./dashboard.settings";
import { thrown } from "../../tests/helpers/thrown";

let stripe: FakeStripe;
const smtp = useFakeSmtp();

beforeAll(async () => {
  stripe = await setUpStripe();
});
afterAll(async () => {
  await stripe.close();
});

const cookie = (token?: string): Record<string, string> => (token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {});
const get = (token?: string) => ({ request: new Request("http://localhost/dashboard/settings", { headers: cookie(token) }), params: {}, context: {} });
const post = (body: unknown, token?: string) => ({
  request: new Request("http://localhost/dashboard/settings", { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify(body) }),
  params: {},
  context: {},
});

type Failure = { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };
const failure = (result: unknown) => result as Failure;


describe("GET /dashboard/settings", () => {
  it("shows the effective policy, sender, branding, connected accounts and team", async () => {
    const { workspace, owner, sessionToken } = await makeWorkspace({ name: "Story Coffee" });
    await connectStripeAccount(workspace.id, "acct_settings_1");
    await makeWorkspace();
    const page = await settings.loader(get(sessionToken));
    expect(page.settings.retry.effective).toMatchObject({ maxRetries: 8, retryWindowDays: 30, preferredLocalHours: [7, 10], fallbackTimezone: "UTC" });
    expect(page.settings.sender.defaultName).toBe("Story Coffee");
    expect(page.accounts.map((a) => a.stripeAccountId)).toEqual(["acct_settings_1"]);
    expect(page.members).toEqual([expect.objectContaining({ userId: owner.id, role: "owner", isOwner: true })]);
    expect(page.currentUserId).toBe(owner.id);
    expect(page.stripeConfigured).toBe(true);
    expect(page.timezones).toContain("Europe/Paris");
    expect(page.timezones[0]).toBe("UTC");
  });

  it("what Recoup learned: nothing yet, then how many more retries it needs, then the best hours and days", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    expect((await settings.loader(get(sessionToken))).learning).toEqual({
      attempts: 0,
      needed: LEARNING_MIN_ATTEMPTS,
      computedAt: null,
      bestHours: [],
      bestWeekdays: [],
      bestDaysOfMonth: [],
    });

    const recovery = await makeRecovery(workspace.id);
    const retry = (at: string, succeeded: boolean, i: number) => ({
      workspaceId: workspace.id,
      recoveryId: recovery.id,
      attemptNumber: i + 1,
      source: "recoup",
      idempotencyKey: `settings-learning-${at}-${i}`,
      status: succeeded ? "succeeded" : "failed",
      amountMinor: 1000,
      currency: "usd",
      attemptedAt: new Date(at),
    });
    const recent = new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10);
    await db().chargeAttempt.createMany({ data: Array.from({ length: 40 }, (_, i) => retry(`${recent}T09:00:00Z`, i % 2 === 0, i)) });
    await refreshWorkspaceLearning({ workspaceId: workspace.id });
    expect((await settings.loader(get(sessionToken))).learning).toMatchObject({ attempts: 40, needed: LEARNING_MIN_ATTEMPTS - 40, bestHours: [] });

    // 10:00 UTC (the workspace's time zone): half of 300 succeed, as at 09:00; 03:00, one in ten of 300.
    await db().chargeAttempt.createMany({
      data: [
        ...Array.from({ length: 300 }, (_, i) => retry(`${recent}T10:00:00Z`, i % 2 === 0, 100 + i)),
        ...Array.from({ length: 300 }, (_, i) => retry(`${recent}T03:00:00Z`, i % 10 === 0, 500 + i)),
      ],
    });
    await refreshWorkspaceLearning({ workspaceId: workspace.id });
    const learned = (await settings.loader(get(sessionToken))).learning;
    expect(learned).toMatchObject({ attempts: 640, needed: 0, bestHours: [10, 9] });
    expect(learned.computedAt).toEqual(expect.any(String));
  });

  it("without a session sends the browser to sign in and back here", async () => {
    const res = await thrown<Response>(settings.loader(get()));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/auth\/sign-in\?redirectTo=%2Fdashboard%2Fsettings/);
  });
});

describe("POST /dashboard/settings", () => {
  it("retry-policy: saves within the limits, and names the field that is not", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const ok = await settings.action(post({ intent: "retry-policy", patch: { maxRetries: 10, retryWindowDays: 7, preferredLocalHours: [9, 17], paydayAware: false } }, sessionToken));
    expect(ok).toMatchObject({ ok: true, intent: "retry-policy", toast: "Retry policy saved", settings: { retry: { effective: { maxRetries: 10, paydayAware: false } } } });

    const bad = failure(await settings.action(post({ intent: "retry-policy", patch: { maxRetries: 11, retryWindowDays: 36 } }, sessionToken)));
    expect(bad.init.status).toBe(400);
    expect(bad.data.fieldErrors.maxRetries).toMatch(/^At most 10 retries: card networks cap the attempts on one card/);
    expect(bad.data.fieldErrors.retryWindowDays).toMatch(/^Retry for at most 35 days/);
    expect(bad.data.message).toBe("Some fields need another look.");
    expect((await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } })).retrySettings).toMatchObject({ maxRetries: 10 });

    const empty = failure(await settings.action(post({ intent: "retry-policy", patch: { maxRetries: null } }, sessionToken)));
    expect(empty.data.fieldErrors.maxRetries).toBe("Enter a number of retries.");
  });

  it("quiet-hours: saves the hours and the timezone together", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const ok = await settings.action(post({ intent: "quiet-hours", quietHours: { start: 21, end: 8 }, timezone: "Europe/Paris" }, sessionToken));
    expect(ok).toMatchObject({ ok: true, toast: "Quiet hours saved" });
    expect(await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } })).toMatchObject({ timezone: "Europe/Paris", retrySettings: { quietHours: { start: 21, end: 8 } } });

    const bad = failure(await settings.action(post({ intent: "quiet-hours", quietHours: null, timezone: "Moon/Base" }, sessionToken)));
    expect(bad.data.fieldErrors).toEqual({ timezone: "Choose a timezone from the list, such as Europe/Paris or America/New_York." });
  });

  it("sender and branding: each section changes only its own fields", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    expect(await settings.action(post({ intent: "sender", senderName: "Story Coffee", replyTo: "billing@story.example" }, sessionToken))).toMatchObject({
      ok: true,
      toast: "Sender saved",
    });
    expect(await settings.action(post({ intent: "branding", brandColor: "#0B7A5A", logoUrl: "https://cdn.example.com/l.png" }, sessionToken))).toMatchObject({
      ok: true,
      toast: "Branding saved",
    });
    expect(await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } })).toMatchObject({
      senderName: "Story Coffee",
      replyTo: "billing@story.example",
      brandColor: "#0b7a5a",
      logoUrl: "https://cdn.example.com/l.png",
    });
    const bad = failure(await settings.action(post({ intent: "branding", brandColor: "green", logoUrl: "http://cdn.example.com/l.png" }, sessionToken)));
    expect(Object.keys(bad.data.fieldErrors).sort()).toEqual(["brandColor", "logoUrl"]);
  });

  it("disconnect: Stripe revokes access; another workspace's account is a 404", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const other = await makeWorkspace();
    await connectStripeAccount(workspace.id, "acct_settings_mine");
    await connectStripeAccount(other.workspace.id, "acct_settings_theirs");

    const theirs = failure(await settings.action(post({ intent: "disconnect", stripeAccountId: "acct_settings_theirs" }, sessionToken)));
    expect(theirs.init.status).toBe(404);
    expect(theirs.data.message).toBe("No connected Stripe account acct_settings_theirs in this workspace.");

    const mine = await settings.action(post({ intent: "disconnect", stripeAccountId: "acct_settings_mine" }, sessionToken));
    expect(mine).toMatchObject({ ok: true, toast: "acct_settings_mine disconnected. Its open recoveries are paused." });
    expect(stripe.requestsTo("POST", "/oauth/deauthorize").map((r) => r.body.stripe_user_id)).toContain("acct_settings_mine");
    expect(stripe.requestsTo("POST", "/oauth/deauthorize").map((r) => r.body.stripe_user_id)).not.toContain("acct_settings_theirs");
  });

  it("invite and remove-member", async () => {
    const { workspace, owner, sessionToken } = await makeWorkspace();
    const email = `sam-${Date.now()}@story.example`;
    expect(await settings.action(post({ intent: "invite", email, role: "member" }, sessionToken))).toMatchObject({ ok: true, toast: `Invitation sent to ${email}` });
    await smtp.waitFor((m) => m.to !== undefined && !Array.isArray(m.to) && m.to.value[0]?.address === email);

    const again = failure(await settings.action(post({ intent: "invite", email, role: "member" }, sessionToken)));
    expect(again.init.status).toBe(409);
    expect(again.data).toMatchObject({ message: `${email} is already a member of this workspace.`, fieldErrors: { email: "Already a member." } });

    const self = failure(await settings.action(post({ intent: "remove-member", userId: owner.id }, sessionToken)));
    expect(self.init.status).toBe(403);
    expect(self.data.message).toBe("The workspace's owner can't be removed.");

    const sam = await db().user.findUniqueOrThrow({ where: { email } });
    expect(await settings.action(post({ intent: "remove-member", userId: sam.id, label: email }, sessionToken))).toMatchObject({ ok: true, toast: `${email} removed` });
    expect(await db().membership.count({ where: { workspaceId: workspace.id } })).toBe(1);
  });

  it("an admin cannot remove themselves", async () => {
    const { workspace } = await makeWorkspace();
    const { member } = await inviteMember({ workspaceId: workspace.id, email: `kim-${Date.now()}@story.example`, role: "admin", appUrl: "http://recoup.test" });
    const session = await createSession({ userId: member.userId, workspaceId: workspace.id });
    const result = failure(await settings.action(post({ intent: "remove-member", userId: member.userId }, session.token)));
    expect(result.data.message).toBe("You can't remove yourself. Ask the owner or another admin to do it.");
  });

  it("holdout: off by default, set as a percentage, refused outside 0–20 % with the field named", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const page = (await settings.loader(get(sessionToken))) as { settings: { holdout: { percent: number; suggestedPercent: number } } };
    expect(page.settings.holdout).toMatchObject({ percent: 0, suggestedPercent: 5 });
    expect(await settings.action(post({ intent: "holdout", percent: 5 }, sessionToken))).toMatchObject({ ok: true, toast: "Holdout set to 5 %" });
    expect((await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } })).holdoutBasisPoints).toBe(500);
    const tooMuch = failure(await settings.action(post({ intent: "holdout", percent: 50 }, sessionToken)));
    expect(tooMuch.init.status).toBe(400);
    expect(tooMuch.data.fieldErrors).toEqual({ percent: "The holdout share is between 0 % (off) and 20 %." });
    expect(await settings.action(post({ intent: "holdout", percent: 0 }, sessionToken))).toMatchObject({ ok: true, toast: "Holdout off" });
  });

  it("an unknown intent or a malformed body is a 400 in plain words; no session is a 401", async () => {
    const { sessionToken } = await makeWorkspace();
    const unknown = failure(await settings.action(post({ intent: "delete-everything" }, sessionToken)));
    expect(unknown.init.status).toBe(400);
    expect(await thrown(settings.action(post({ intent: "sender" })))).toMatchObject({ init: { status: 401 } });
  });
});

/** A teammate of `workspace` with `role`, signed in. */
async function teammate(workspaceId: string, role: "admin" | "member") {
  const { member } = await inviteMember({ workspaceId, email: `${role}-${Date.now()}-${Math.random().toString(36).slice(2, 6)}@story.example`, role, appUrl: "http://recoup.test" });
  const session = await createSession({ userId: member.userId, workspaceId });
  return { userId: member.userId, email: member.email, token: session.token };
}

describe("team roles on /dashboard/settings", () => {
  it("a member sees the page read-only, with who to ask; an admin and the owner may change it", async () => {
    const { workspace, owner, sessionToken } = await makeWorkspace({ ownerEmail: `olive-${Date.now()}@story.example` });
    const member = await teammate(workspace.id, "member");
    const admin = await teammate(workspace.id, "admin");

    const asMember = await settings.loader(get(member.token));
    expect(asMember.access).toEqual({
      role: "member",
      manageSettings: false,
      manageConnections: false,
      manageTeam: false,
      manageApiKeys: false,
      refusal: `Only admins can change settings. Ask ${owner.email} (the owner) or an admin to make the change, or to make you an admin.`,
      apiKeysRefusal: `Only admins can create, rotate or revoke API keys. Ask ${owner.email} (the owner) or an admin to make the change, or to make you an admin.`,
    });
    expect(asMember.members.map((m) => m.role)).toEqual(["owner", "member", "admin"]);
    expect((await settings.loader(get(admin.token))).access).toMatchObject({ role: "admin", manageSettings: true, manageConnections: true, manageTeam: true, refusal: null });
    expect((await settings.loader(get(sessionToken))).access).toMatchObject({ role: "owner", manageSettings: true, refusal: null });
  });

  it("refuses every change a member posts with a 403 that names the owner, and changes nothing", async () => {
    const { workspace, owner } = await makeWorkspace({ ownerEmail: `olive-${Date.now()}@story.example` });
    await connectStripeAccount(workspace.id, "acct_roles_member");
    const member = await teammate(workspace.id, "member");
    const colleague = await teammate(workspace.id, "admin");
    const before = await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } });
    const deauthorizations = stripe.requestsTo("POST", "/oauth/deauthorize").length;

    const attempts: Array<[unknown, string]> = [
      [{ intent: "retry-policy", patch: { maxRetries: 3 } }, "change settings"],
      [{ intent: "quiet-hours", quietHours: { start: 22, end: 7 }, timezone: "Europe/Paris" }, "change settings"],
      [{ intent: "sender", senderName: "Not Allowed", replyTo: "no@story.example" }, "change settings"],
      [{ intent: "branding", brandColor: "#000000", logoUrl: "https://cdn.example.com/x.png" }, "change settings"],
      [{ intent: "disconnect", stripeAccountId: "acct_roles_member" }, "connect or disconnect Stripe accounts"],
      [{ intent: "invite", email: `new-${Date.now()}@story.example`, role: "admin" }, "invite, remove or change teammates"],
      [{ intent: "remove-member", userId: colleague.userId }, "invite, remove or change teammates"],
      [{ intent: "change-role", userId: colleague.userId, role: "member" }, "invite, remove or change teammates"],
      [{ intent: "change-role", userId: member.userId, role: "admin" }, "invite, remove or change teammates"],
    ];
    for (const [body, doing] of attempts) {
      const refused = failure(await settings.action(post(body, member.token)));
      expect(refused.init.status, JSON.stringify(body)).toBe(403);
      expect(refused.data.message).toBe(`Only admins can ${doing}. Ask ${owner.email} (the owner) or an admin to make the change, or to make you an admin.`);
    }

    const after = await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } });
    expect(after).toEqual(before);
    expect(await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: "acct_roles_member" } })).toMatchObject({ workspaceId: workspace.id });
    expect(stripe.requestsTo("POST", "/oauth/deauthorize")).toHaveLength(deauthorizations);
    const roles = await db().membership.findMany({ where: { workspaceId: workspace.id }, select: { userId: true, role: true } });
    expect(roles).toHaveLength(3);
    expect(roles).toEqual(expect.arrayContaining([{ userId: member.userId, role: "member" }, { userId: colleague.userId, role: "admin" }]));
  });

  it("an admin changes settings, connected accounts and the team", async () => {
    const { workspace } = await makeWorkspace();
    await connectStripeAccount(workspace.id, "acct_roles_admin");
    const admin = await teammate(workspace.id, "admin");
    const member = await teammate(workspace.id, "member");

    expect(await settings.action(post({ intent: "retry-policy", patch: { maxRetries: 3 } }, admin.token))).toMatchObject({ ok: true, toast: "Retry policy saved" });
    expect(await settings.action(post({ intent: "quiet-hours", quietHours: { start: 22, end: 7 }, timezone: "Europe/Paris" }, admin.token))).toMatchObject({ ok: true });
    expect(await settings.action(post({ intent: "sender", senderName: "Story", replyTo: "" }, admin.token))).toMatchObject({ ok: true });
    expect(await settings.action(post({ intent: "branding", brandColor: "#0b7a5a", logoUrl: "" }, admin.token))).toMatchObject({ ok: true });
    expect(await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } })).toMatchObject({
      timezone: "Europe/Paris",
      senderName: "Story",
      brandColor: "#0b7a5a",
      retrySettings: { maxRetries: 3, quietHours: { start: 22, end: 7 } },
    });
    expect(await settings.action(post({ intent: "disconnect", stripeAccountId: "acct_roles_admin" }, admin.token))).toMatchObject({ ok: true });
    expect(stripe.requestsTo("POST", "/oauth/deauthorize").map((r) => r.body.stripe_user_id)).toContain("acct_roles_admin");
    expect(await settings.action(post({ intent: "remove-member", userId: member.userId, label: member.email }, admin.token))).toMatchObject({ ok: true });
    expect(await db().membership.count({ where: { workspaceId: workspace.id, userId: member.userId } })).toBe(0);
  });

  it("owners and admins change a teammate between admin and member, never the owner or themselves", async () => {
    const { workspace, owner, sessionToken } = await makeWorkspace();
    const admin = await teammate(workspace.id, "admin");
    const member = await teammate(workspace.id, "member");
    const roleOf = async (userId: string) => (await db().membership.findFirstOrThrow({ where: { workspaceId: workspace.id, userId } })).role;

    expect(await settings.action(post({ intent: "change-role", userId: member.userId, role: "admin" }, sessionToken))).toMatchObject({
      ok: true,
      toast: `${member.email} is now an admin`,
    });
    expect(await roleOf(member.userId)).toBe("admin");
    // The promoted teammate can now change settings.
    expect(await settings.action(post({ intent: "sender", senderName: "Promoted", replyTo: "" }, member.token))).toMatchObject({ ok: true });

    expect(await settings.action(post({ intent: "change-role", userId: member.userId, role: "member" }, admin.token))).toMatchObject({
      ok: true,
      toast: `${member.email} is now a member`,
    });
    expect(await roleOf(member.userId)).toBe("member");
    expect(failure(await settings.action(post({ intent: "sender", senderName: "Demoted", replyTo: "" }, member.token))).init.status).toBe(403);

    const demoteOwner = failure(await settings.action(post({ intent: "change-role", userId: owner.id, role: "member" }, admin.token)));
    expect([demoteOwner.init.status, demoteOwner.data.message]).toEqual([403, "The workspace's owner is always the owner: their role can't be changed."]);
    const removeOwner = failure(await settings.action(post({ intent: "remove-member", userId: owner.id }, admin.token)));
    expect([removeOwner.init.status, removeOwner.data.message]).toEqual([403, "The workspace's owner can't be removed."]);
    const self = failure(await settings.action(post({ intent: "change-role", userId: admin.userId, role: "member" }, admin.token)));
    expect([self.init.status, self.data.message]).toEqual([403, "You can't change your own role. Ask the owner or another admin."]);
    const owner2 = failure(await settings.action(post({ intent: "change-role", userId: member.userId, role: "owner" }, sessionToken)));
    expect([owner2.init.status, owner2.data.fieldErrors.role]).toEqual([400, "Choose a role: admin or member."]);
    expect(await roleOf(owner.id)).toBe("owner");
    expect(await roleOf(admin.userId)).toBe("admin");

    const stranger = await makeWorkspace();
    const elsewhere = failure(await settings.action(post({ intent: "change-role", userId: stranger.owner.id, role: "member" }, sessionToken)));
    expect(elsewhere.init.status).toBe(404);
  });
});

describe("/dashboard/settings: time zones under today's names", () => {
  it("shows a workspace saved as Asia/Calcutta as Asia/Kolkata, lists current names only, and saves an old name as today's", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    await db().workspace.update({ where: { id: workspace.id }, data: { timezone: "Asia/Calcutta" } });
    const page = await settings.loader(get(sessionToken));
    expect(page.settings.timezone).toBe("Asia/Kolkata");
    expect(page.timezones).toEqual(expect.arrayContaining(["UTC", "Asia/Kolkata", "Europe/Kyiv", "America/Argentina/Buenos_Aires"]));
    expect(page.timezones).not.toContain("Asia/Calcutta");
    expect(page.timezones).not.toContain("Europe/Kiev");
    expect(new Set(page.timezones).size).toBe(page.timezones.length);

    // An old name still works where the API or an old form sends it, and is kept under today's.
    expect(await settings.action(post({ intent: "quiet-hours", quietHours: null, timezone: "Europe/Kiev" }, sessionToken))).toMatchObject({ ok: true });
    expect((await db().workspace.findUniqueOrThrow({ where: { id: workspace.id } })).timezone).toBe("Europe/Kyiv");
  });
});

describe("/dashboard/settings: the recovery goal", () => {
  it("starts unset with this month's progress, and saves a rate, an amount and a period", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const before = await settings.loader(get(sessionToken));
    expect(before.goal).toMatchObject({ configured: false, targetPercent: null, targetAmount: null, period: "monthly", currency: "USD" });

    const saved = await settings.action(post({ intent: "recovery-goal", targetPercent: "35.5", targetAmount: "5,000.50", period: "quarterly" }, sessionToken));
    expect(saved).toMatchObject({ ok: true, toast: "Recovery goal saved", goal: { configured: true, targetPercent: 35.5, targetAmount: "5000.50", period: "quarterly" } });
    expect(await db().recoveryGoal.findUniqueOrThrow({ where: { workspaceId: workspace.id } })).toMatchObject({ targetRate: 0.355, targetAmountMinor: 500050, period: "quarterly" });

    // Emptying the amount clears it; the rate stays the goal.
    await settings.action(post({ intent: "recovery-goal", targetPercent: 40, targetAmount: "", period: "monthly" }, sessionToken));
    expect((await settings.loader(get(sessionToken))).goal).toMatchObject({ configured: true, targetPercent: 40, targetAmount: null, period: "monthly" });
  });

  it("names every wrong field at once, and saves nothing", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const bad = failure(await settings.action(post({ intent: "recovery-goal", targetPercent: "150", targetAmount: "12.345", period: "weekly" }, sessionToken)));
    expect(bad.init.status).toBe(400);
    expect(bad.data.message).toBe("Some fields need another look.");
    expect(bad.data.fieldErrors).toEqual({
      targetPercent: "Enter a percentage above 0 and at most 100.",
      targetAmount: "Enter an amount in USD, such as 5000 or 5000.50, or leave it empty.",
      period: "Choose a month, a quarter or a year.",
    });
    const blank = failure(await settings.action(post({ intent: "recovery-goal", targetPercent: "", targetAmount: "0", period: "monthly" }, sessionToken)));
    expect(blank.data.fieldErrors).toEqual({ targetPercent: "Enter the share of failed revenue to win back, such as 35.", targetAmount: "Enter an amount above 0, or leave it empty." });
    expect(await db().recoveryGoal.findUnique({ where: { workspaceId: workspace.id } })).toBeNull();
  });

  it("is refused to a member, who may see it but not change it", async () => {
    const { workspace } = await makeWorkspace();
    const mate = await makeTeammate(workspace.id, "member");
    const refused = failure(await settings.action(post({ intent: "recovery-goal", targetPercent: "30", targetAmount: "", period: "monthly" }, mate.sessionToken)));
    expect(refused.init.status).toBe(403);
    expect(await db().recoveryGoal.findUnique({ where: { workspaceId: workspace.id } })).toBeNull();
  });
});

describe("/dashboard/settings: the webhook endpoints card", () => {
  it("counts this workspace's endpoints and those disabled, not another workspace's", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const other = await makeWorkspace();
    expect((await settings.loader(get(sessionToken))).webhooks).toEqual({ count: 0, disabled: 0 });
    const endpoint = (workspaceId: string, extra: object = {}) =>
      db().webhookEndpoint.create({ data: { workspaceId, url: "https://hooks.example.com/recoup", events: ["*"], secretEncrypted: "x", ...extra } });
    await endpoint(workspace.id);
    await endpoint(workspace.id, { enabled: false, disabledAt: new Date(), disabledReason: "failing" });
    await endpoint(other.workspace.id);
    expect((await settings.loader(get(sessionToken))).webhooks).toEqual({ count: 2, disabled: 1 });
  });
});
