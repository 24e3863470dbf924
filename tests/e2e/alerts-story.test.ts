// Flow Arc's alert rules end to end (ADR 0077): a failed payment reported through the real ingest
// path reaches every matching realtime rule once: one email per recipient over SMTP, one signed
// `alert.triggered` delivery, one text message through Twilio's Messages API to an E.164 number, a
// notification per member; a rule whose filter does not match sends nothing, and nothing is sent
// twice however often the jobs run. Then the crash between Twilio's answer and its record.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { matchAlertRules, sendAlertDispatch } from "~/domain/alerts/dispatch.server";
import { createWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import * as rulesRoute from "~/routes/api.v1.alert-rules";
import * as ingestRoute from "~/routes/api.v1.ingest.payment-event";
import { uuidFromKey } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { makeTeammate, makeWorkspace } from "../factories";
import { startTwilioServer, type FakeTwilio } from "../fakes/twilio-server";
import { startWebhookReceiver, type FakeWebhookReceiver } from "../fakes/webhook-receiver";
import { callRoute, jsonOf } from "../helpers/http";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";

const env = useStripeAndMail();
let receiver: FakeWebhookReceiver;
let twilio: FakeTwilio;
const FROM = "+447400123456";

function configureTwilio(on: boolean) {
  for (const [name, value] of Object.entries({ TWILIO_API_URL: twilio.url, TWILIO_ACCOUNT_SID: twilio.accountSid, TWILIO_AUTH_TOKEN: twilio.authToken, TWILIO_FROM_NUMBER: FROM })) {
    if (on) process.env[name] = value;
    else delete process.env[name];
  }
  resetEnv();
}

beforeAll(async () => {
  receiver = await startWebhookReceiver();
  twilio = await startTwilioServer();
  configureTwilio(true);
});
afterAll(async () => {
  configureTwilio(false);
  await receiver.close();
  await twilio.close();
});

async function createRule(key: string, body: Record<string, unknown>) {
  const res = await callRoute(rulesRoute, "/api/v1/alert-rules", { method: "POST", token: key, body });
  const json = await jsonOf(res);
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json as { id: string };
}

describe("a failed payment and the alert rules that take it", () => {
  it("ingest → payment.failed → one email per recipient, one signed webhook, one SMS, a notification per member; the rules that do not match send nothing", async () => {
    const { workspace, owner, apiKey } = await makeWorkspace({ name: "Fjord Tea" });
    const admin = await makeTeammate(workspace.id, "admin");
    const member = await makeTeammate(workspace.id, "member");
    const endpoint = await createWebhookEndpoint({ workspaceId: workspace.id, url: receiver.url });
    receiver.secret = endpoint.signingSecret;

    const email = await createRule(apiKey, { name: "Failures to the team", event_type: "payment_failed", channel: "email", recipient_emails: ["alerts@fjord.example"], recipient_roles: ["admin"] });
    const hook = await createRule(apiKey, { name: "Failures to our bridge", event_type: "payment_failed", channel: "webhook", webhook_endpoint_id: uuidFromKey(`webhook-endpoint:${endpoint.id}`) });
    const sms = await createRule(apiKey, { name: "Failures by text", event_type: "payment_failed", channel: "sms", recipient_phones: ["07911 123456"] });
    const bell = await createRule(apiKey, { name: "Failures in the bell", event_type: "payment_failed", channel: "in_app" });
    // Neither of these takes a €49.00 failure.
    await createRule(apiKey, { name: "Only big ones", event_type: "payment_failed", channel: "email", recipient_emails: ["big@fjord.example"], filter_json: { amountMinMinor: 100_000 } });
    await createRule(apiKey, { name: "Only expired cards", event_type: "payment_failed", channel: "in_app", filter_json: { failureCodes: ["card_expired"] } });
    await createRule(apiKey, { name: "Recoveries", event_type: "payment_succeeded", channel: "email", recipient_emails: ["wins@fjord.example"] });

    const writer = await createApiKey({ workspaceId: workspace.id, scopes: ["write"], name: "adyen bridge" });
    const ingested = await callRoute(ingestRoute, "/api/v1/ingest/payment-event", {
      method: "POST",
      token: writer.key,
      body: { event_type: "payment_failed", event_id: "adyen-evt-1", provider: "adyen", external_id: "psp_1", amount_cents: 4900, currency: "EUR", customer_email: "ada@example.com", customer_name: "Ada Lovelace", decline_code: "Not enough balance" },
    });
    expect(ingested.status).toBe(202);
    await runDueJobs();

    const event = await db().webhookEvent.findFirstOrThrow({ where: { workspaceId: workspace.id, type: "payment.failed" } });
    expect(event).toMatchObject({ alertEventType: "payment_failed", amountMinor: 4900, currency: "EUR" });
    const dispatches = await db().alertDispatch.findMany({ where: { workspaceId: workspace.id } });
    expect(dispatches.map((d) => [d.ruleId, d.status]).sort()).toEqual(
      [
        [email.id, "sent"],
        [hook.id, "sent"],
        [sms.id, "sent"],
        [bell.id, "sent"],
      ].sort(),
    );

    // Email: the rule's address and the admin (by role), once each; nobody for the rules that did not match.
    const alertMail = () => env.smtp.messages.filter((m) => m.subject?.startsWith("Failures to the team"));
    expect(alertMail().map((m) => (m.to as { text: string }).text).sort()).toEqual(["alerts@fjord.example", admin.user.email].sort());
    expect(alertMail()[0]!.subject).toContain("€49.00");
    expect(alertMail()[0]!.text).toContain("/dashboard/recoveries/");
    expect(env.smtp.messages.some((m) => /big@|wins@/.test((m.to as { text: string }).text))).toBe(false);

    // Webhook: one signed alert.triggered delivery, naming the rule and the event.
    const alerts = receiver.accepted().filter((w) => w.body.type === "alert.triggered");
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.signatureValid).toBe(true);
    expect(alerts[0]!.body.data).toMatchObject({ alert: { rule_id: hook.id, rule_name: "Failures to our bridge", event_type: "payment_failed" }, event: { id: event.id, amount_minor: 4900, currency: "EUR" } });

    // SMS: Twilio's Messages API, form-encoded, basic auth, E.164.
    expect(twilio.messages).toHaveLength(1);
    expect(twilio.messages[0]).toMatchObject({ to: "+447911123456", from: FROM });
    expect(twilio.messages[0]!.body).toContain("€49.00");
    expect(twilio.requests.every((r) => r.authorised)).toBe(true);
    const smsDispatch = dispatches.find((d) => d.ruleId === sms.id)!;
    expect(smsDispatch.results).toEqual([expect.objectContaining({ to: "+447911123456", state: "sent", providerId: twilio.messages[0]!.sid })]);

    // In-app: every member once (no role named), linked to the recovery.
    const notes = await db().notification.findMany({ where: { workspaceId: workspace.id } });
    expect(notes.map((n) => n.userId).sort()).toEqual([owner.id, admin.user.id, member.user.id].sort());
    expect(notes[0]!.link).toMatch(/^\/dashboard\/recoveries\//);

    // The same event matched again and every dispatch run again: nothing is sent twice.
    expect(await matchAlertRules({ eventId: event.id })).toEqual({ dispatched: 0 });
    for (const d of dispatches) expect(await sendAlertDispatch({ dispatchId: d.id })).toEqual({ kind: "skipped" });
    await runDueJobs();
    expect(alertMail()).toHaveLength(2);
    expect(receiver.requests.filter((w) => w.body.type === "alert.triggered")).toHaveLength(1);
    expect(twilio.messages).toHaveLength(1);
    expect(await db().notification.count({ where: { workspaceId: workspace.id } })).toBe(3);
  });
});

async function failedPayment(key: string, n: number) {
  const res = await callRoute(ingestRoute, "/api/v1/ingest/payment-event", {
    method: "POST",
    token: key,
    body: { event_type: "payment_failed", event_id: `evt-${n}`, provider: "adyen", external_id: `psp_sms_${n}`, amount_cents: 1250, currency: "GBP", customer_email: `customer${n}@example.com` },
  });
  expect(res.status).toBe(202);
}

describe("text messages when things go wrong", () => {
  it("a crash between Twilio's answer and its record: the retry finds the message at Twilio and does not send it again", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    await createRule(apiKey, { name: "Texts", event_type: "payment_failed", channel: "sms", recipient_phones: ["+44 7911 123456"] });
    const before = twilio.messages.length;
    twilio.dropNextAnswer();
    await failedPayment(apiKey, 1);
    const first = await runDueJobs();
    expect(first.failed).toBe(1);
    expect(twilio.messages.length - before).toBe(1);
    const pending = await db().alertDispatch.findFirstOrThrow({ where: { workspaceId: workspace.id } });
    expect(pending.status).toBe("pending");

    await advanceTime(10 * 60_000);
    await runDueJobs();
    expect(twilio.messages.length - before).toBe(1);
    const sent = await db().alertDispatch.findFirstOrThrow({ where: { workspaceId: workspace.id } });
    expect(sent).toMatchObject({ status: "sent", attempts: 2 });
    expect(sent.results).toEqual([expect.objectContaining({ state: "sent", providerId: twilio.messages.at(-1)!.sid })]);
  });

  it("Twilio down: retried, sent once when it is back", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    await createRule(apiKey, { name: "Texts", event_type: "payment_failed", channel: "sms", recipient_phones: ["07911 123456"] });
    const before = twilio.messages.length;
    twilio.failNext(1);
    await failedPayment(apiKey, 2);
    expect((await runDueJobs()).failed).toBe(1);
    await advanceTime(10 * 60_000);
    await runDueJobs();
    expect(twilio.messages.length - before).toBe(1);
    expect((await db().alertDispatch.findFirstOrThrow({ where: { workspaceId: workspace.id } })).status).toBe("sent");
  });

  it("a number Twilio refuses (400, error 21211) is recorded as failed for good, not retried", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    // Written past the rule's check, as a number that passed it once and Twilio no longer takes.
    await db().alertRule.create({ data: { workspaceId: workspace.id, name: "Texts", eventType: "payment_failed", channel: "sms", recipientPhones: ["+0000"], recipientEmails: [], recipientRoles: [] } });
    const before = twilio.messages.length;
    await failedPayment(apiKey, 4);
    expect((await runDueJobs()).failed).toBe(0);
    expect(twilio.messages.length).toBe(before);
    const dispatch = await db().alertDispatch.findFirstOrThrow({ where: { workspaceId: workspace.id } });
    expect(dispatch).toMatchObject({ status: "failed", attempts: 1 });
    expect(dispatch.error).toContain("21211");
  });

  it("without Twilio configured the alert is recorded as failed, with the reason, and nothing crashes", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    await createRule(apiKey, { name: "Texts", event_type: "payment_failed", channel: "sms", recipient_phones: ["07911 123456"] });
    configureTwilio(false);
    try {
      await failedPayment(apiKey, 3);
      expect((await runDueJobs()).failed).toBe(0);
    } finally {
      configureTwilio(true);
    }
    const dispatch = await db().alertDispatch.findFirstOrThrow({ where: { workspaceId: workspace.id } });
    expect(dispatch.status).toBe("failed");
    expect(dispatch.error).toContain("TWILIO_ACCOUNT_SID");
  });
});
