// The email providers' bounce and complaint webhooks (ADR 0071), through the route as each provider
// calls it: its real signature scheme with the workspace's secret. A verified delivery is stored
// before the 200 and its job suppresses the address (once, however often it is delivered); a
// tampered body, a wrong key, an old timestamp or another workspace's setup is a 401 and stores nothing.
import { createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { setEmailProviderSecret } from "~/domain/deliverability/provider-webhooks.server";
import { isSuppressed } from "~/domain/deliverability/suppressions.server";
import * as route from "~/routes/webhooks.email.$provider";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { startFakeSns } from "../fakes/aws-sns";
import { makeWorkspace } from "../factories";
import { cli } from "../helpers/cli";
import { callRoute, jsonOf } from "../helpers/http";
import { runDueJobs } from "../helpers/jobs";

const sns = startFakeSns();
afterAll(() => sns.close());

type Answer = { status: number; body: Record<string, unknown> };

async function post(provider: string, workspaceId: string | null, body: string, headers: Record<string, string> = {}): Promise<Answer> {
  const url = `/webhooks/email/${provider}${workspaceId ? `?workspace=${workspaceId}` : ""}`;
  const res = await callRoute(route, url, { method: "POST", params: { provider }, headers, body });
  return { status: res.status, body: await jsonOf(res) };
}

const storedEvents = (workspaceId: string) => db().emailProviderEvent.count({ where: { workspaceId } });

/** Posts a verified delivery, checks it is stored and acknowledged, runs the job, and returns the suppression. */
async function accepted(provider: string, workspaceId: string, body: string, headers: Record<string, string>, email: string) {
  const res = await post(provider, workspaceId, body, headers);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  expect(res.body).toEqual({ received: true, events: 1, duplicates: 0 });
  expect(await storedEvents(workspaceId)).toBe(1);
  expect(await isSuppressed(workspaceId, email)).toBeNull(); // not yet: the job applies it
  await runDueJobs();
  expect(await db().emailProviderEvent.findFirstOrThrow({ where: { workspaceId } })).toMatchObject({ status: "processed", attempts: 1 });
  // Delivered again: the same event, one row, no second job.
  expect(await post(provider, workspaceId, body, headers)).toEqual({ status: 200, body: { received: true, events: 1, duplicates: 1 } });
  expect(await storedEvents(workspaceId)).toBe(1);
  return isSuppressed(workspaceId, email);
}

async function refused(provider: string, workspaceId: string, body: string, headers: Record<string, string>, why: string) {
  const res = await post(provider, workspaceId, body, headers);
  expect(res.status, `${why}: ${JSON.stringify(res.body)}`).toBe(401);
  expect(res.body, why).toMatchObject({ code: "invalid_signature", status: 401 });
  expect(await storedEvents(workspaceId), why).toBe(0);
}

const seconds = () => String(Math.floor(Date.now() / 1000));

describe("POST /webhooks/email/postmark (HTTP Basic credentials in the URL)", () => {
  // Postmark's ids outgrow 2^53 (its documentation's example is 4323372036854775807): sent as the raw number.
  const record = JSON.stringify({ RecordType: "Bounce", ID: 0, Type: "HardBounce", TypeCode: 1, Email: "Bounced@Example.com", Details: "smtp;550 5.1.1 The email account does not exist", Inactive: true }).replace(
    '"ID":0',
    '"ID":4323372036854775807',
  );
  const basic = (password: string) => ({ authorization: `Basic ${Buffer.from(`recoup:${password}`).toString("base64")}` });

  it("gives the URL to configure, accepts its credentials and suppresses the address", async () => {
    const { workspace } = await makeWorkspace();
    const { secret, webhookUrl } = await setEmailProviderSecret({ workspaceId: workspace.id, provider: "postmark" });
    const url = new URL(webhookUrl);
    expect([url.username, decodeURIComponent(url.password), url.pathname, url.searchParams.get("workspace")]).toEqual(["recoup", secret, "/webhooks/email/postmark", workspace.id]);
    expect(await accepted("postmark", workspace.id, record, basic(secret), "bounced@example.com")).toEqual({ reason: "hard_bounce", source: "postmark" });
    const complaint = JSON.stringify({ RecordType: "SpamComplaint", ID: 7, Type: "SpamComplaint", Email: "angry@example.com" });
    expect((await post("postmark", workspace.id, complaint, basic(secret))).status).toBe(200);
    await runDueJobs();
    expect(await isSuppressed(workspace.id, "angry@example.com")).toEqual({ reason: "complaint", source: "postmark" });
  });

  it("is set up from the CLI, which prints the URL to give Postmark", async () => {
    const { workspace } = await makeWorkspace();
    // The CLI's own process encrypts with this process's key (generated per data folder otherwise).
    process.env.ENCRYPTION_KEY = env().ENCRYPTION_KEY;
    const set = await cli("email-webhook", "set", "--workspace", workspace.id, "--provider", "postmark", "--json");
    expect(set.code, set.stderr).toBe(0);
    const { webhookUrl } = JSON.parse(set.stdout) as { webhookUrl: string };
    const password = decodeURIComponent(new URL(webhookUrl).password);
    expect(await accepted("postmark", workspace.id, record, basic(password), "bounced@example.com")).toEqual({ reason: "hard_bounce", source: "postmark" });
    const bad = await cli("email-webhook", "set", "--workspace", workspace.id, "--provider", "sendgrid", "--secret", "nope");
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringContaining("public key")]);
  });

  it("refuses a wrong password, no credentials, another workspace's secret; the secret is encrypted at rest", async () => {
    const { workspace } = await makeWorkspace();
    const { workspace: other } = await makeWorkspace();
    const { secret } = await setEmailProviderSecret({ workspaceId: workspace.id, provider: "postmark" });
    const { secret: otherSecret } = await setEmailProviderSecret({ workspaceId: other.id, provider: "postmark" });
    await refused("postmark", workspace.id, record, basic(`${secret}x`), "wrong password");
    await refused("postmark", workspace.id, record, {}, "no credentials");
    await refused("postmark", workspace.id, record, basic(otherSecret), "another workspace's secret");
    const stored = await db().emailProviderWebhook.findUniqueOrThrow({ where: { workspaceId_provider: { workspaceId: workspace.id, provider: "postmark" } } });
    expect(stored.secretEnc).not.toContain(secret);
  });
});

describe("POST /webhooks/email/sendgrid (ECDSA signature of timestamp + payload)", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const verificationKey = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const body = JSON.stringify([
    { email: "gone@example.com", event: "bounce", type: "bounce", reason: "550 5.1.1 mailbox unavailable", sg_event_id: "sg-1", timestamp: 1765000000 },
    { email: "fine@example.com", event: "delivered", sg_event_id: "sg-2", timestamp: 1765000000 },
  ]);
  const signed = (payload: string, timestamp = seconds(), key = privateKey) => ({
    "x-twilio-email-event-webhook-signature": sign("sha256", Buffer.from(timestamp + payload), key).toString("base64"),
    "x-twilio-email-event-webhook-timestamp": timestamp,
  });

  it("accepts SendGrid's signature and suppresses the bounced address only", async () => {
    const { workspace } = await makeWorkspace();
    await setEmailProviderSecret({ workspaceId: workspace.id, provider: "sendgrid", secret: verificationKey });
    expect(await accepted("sendgrid", workspace.id, body, signed(body), "gone@example.com")).toEqual({ reason: "hard_bounce", source: "sendgrid" });
    expect(await isSuppressed(workspace.id, "fine@example.com")).toBeNull();
  });

  it("refuses a tampered body, another key, an old timestamp", async () => {
    const { workspace } = await makeWorkspace();
    await setEmailProviderSecret({ workspaceId: workspace.id, provider: "sendgrid", secret: verificationKey });
    await refused("sendgrid", workspace.id, body.replace("gone@", "else@"), signed(body), "tampered body");
    await refused("sendgrid", workspace.id, body, signed(body, seconds(), generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey), "another key");
    const old = String(Number(seconds()) - 600);
    await refused("sendgrid", workspace.id, body, signed(body, old), "old timestamp");
  });

  it("refuses a verification key that is not one", async () => {
    const { workspace } = await makeWorkspace();
    await expect(setEmailProviderSecret({ workspaceId: workspace.id, provider: "sendgrid", secret: "not-a-key" })).rejects.toMatchObject({ code: "validation_failed" });
  });
});

describe("POST /webhooks/email/resend (Svix signatures)", () => {
  const raw = randomBytes(32);
  const secret = `whsec_${raw.toString("base64")}`;
  const body = JSON.stringify({ type: "email.bounced", created_at: "2026-12-07T12:00:00.000Z", data: { email_id: "em_1", to: ["Hard@Example.com"], bounce: { message: "The recipient's mailbox does not exist", type: "Permanent" } } });
  const signed = (payload: string, id = `msg_${randomBytes(8).toString("hex")}`, timestamp = seconds(), key = raw) => ({
    "svix-id": id,
    "svix-timestamp": timestamp,
    "svix-signature": `v1,${createHmac("sha256", key).update(`${id}.${timestamp}.${payload}`).digest("base64")}`,
  });

  it("accepts a Svix signature with the workspace's signing secret and suppresses the address", async () => {
    const { workspace } = await makeWorkspace();
    await setEmailProviderSecret({ workspaceId: workspace.id, provider: "resend", secret });
    expect(await accepted("resend", workspace.id, body, signed(body, "msg_fixed"), "hard@example.com")).toEqual({ reason: "hard_bounce", source: "resend" });
  });

  it("refuses a tampered body, another secret, an old timestamp", async () => {
    const { workspace } = await makeWorkspace();
    await setEmailProviderSecret({ workspaceId: workspace.id, provider: "resend", secret });
    await refused("resend", workspace.id, body.replace("Hard@", "Else@"), signed(body, "msg_a"), "tampered body");
    await refused("resend", workspace.id, body, signed(body, "msg_b", seconds(), randomBytes(32)), "another secret");
    await refused("resend", workspace.id, body, signed(body, "msg_c", String(Number(seconds()) - 301)), "old timestamp");
  });
});

describe("POST /webhooks/email/ses (Amazon SES through SNS, signed with SNS's certificate)", () => {
  const topicArn = "arn:aws:sns:us-east-1:123456789012:ses-notifications";
  const bounce = { notificationType: "Bounce", bounce: { bounceType: "Permanent", bouncedRecipients: [{ emailAddress: "nobody@example.com", diagnosticCode: "smtp; 550 5.1.1 user unknown" }] }, mail: { messageId: "x" } };

  it("confirms the subscription through a job, then takes a signed bounce notification (both signature versions)", async () => {
    const { workspace } = await makeWorkspace();
    await setEmailProviderSecret({ workspaceId: workspace.id, provider: "ses", secret: topicArn });
    const confirmation = await post("ses", workspace.id, sns.subscriptionConfirmation({ topicArn, version: "2" }), { "x-amz-sns-message-type": "SubscriptionConfirmation" });
    expect(confirmation).toEqual({ status: 200, body: { received: true, events: 1, duplicates: 0 } });
    expect(sns.confirmed).toEqual([]); // stored first, confirmed by the job
    await runDueJobs();
    expect(sns.confirmed).toEqual([expect.stringContaining("Action=ConfirmSubscription")]);
    await db().emailProviderEvent.deleteMany({ where: { workspaceId: workspace.id } });

    expect(await accepted("ses", workspace.id, sns.notification({ topicArn, message: bounce, version: "1", messageId: "sns-1" }), {}, "nobody@example.com")).toEqual({ reason: "hard_bounce", source: "ses" });
    const complaint = { notificationType: "Complaint", complaint: { complaintFeedbackType: "abuse", complainedRecipients: [{ emailAddress: "annoyed@example.com" }] } };
    expect((await post("ses", workspace.id, sns.notification({ topicArn, message: complaint, version: "2" }))).status).toBe(200);
    await runDueJobs();
    expect(await isSuppressed(workspace.id, "annoyed@example.com")).toEqual({ reason: "complaint", source: "ses" });
  });

  it("refuses a tampered message, another topic, a certificate from anywhere but sns.<region>.amazonaws.com", async () => {
    const { workspace } = await makeWorkspace();
    await setEmailProviderSecret({ workspaceId: workspace.id, provider: "ses", secret: topicArn });
    const good = JSON.parse(sns.notification({ topicArn, message: bounce })) as Record<string, string>;
    await refused("ses", workspace.id, JSON.stringify({ ...good, Message: good.Message!.replace("nobody@", "somebody@") }), {}, "tampered message");
    await refused("ses", workspace.id, sns.notification({ topicArn: "arn:aws:sns:us-east-1:999999999999:someone-elses", message: bounce }), {}, "another account's topic");
    const fields = { Type: "Notification", MessageId: "m-x", TopicArn: topicArn, Message: JSON.stringify(bounce), Timestamp: new Date().toISOString() };
    await refused("ses", workspace.id, JSON.stringify(sns.signed(fields, "1", "https://evil.example/SimpleNotificationService-abc.pem")), {}, "a certificate elsewhere");
    await refused("ses", workspace.id, JSON.stringify(sns.signed(fields, "1", sns.certUrl.replace("https:", "http:"))), {}, "a certificate over http");
  });
});

describe("POST /webhooks/email/<provider>: what is not a delivery", () => {
  it("is a 401 for a workspace without that provider set up (or none named), a 404 for another provider, a 400 for a body that is not JSON, a 405 to GET", async () => {
    const { workspace } = await makeWorkspace();
    const body = JSON.stringify({ RecordType: "Bounce", ID: 1, Type: "HardBounce", Email: "a@example.com" });
    const auth = { authorization: `Basic ${Buffer.from("recoup:whatever-whatever-whatever").toString("base64")}` };
    expect((await post("postmark", workspace.id, body, auth)).status).toBe(401);
    expect((await post("postmark", null, body, auth)).status).toBe(401);
    expect((await post("postmark", "nul\u0000id", body, auth)).status).toBe(401);
    expect((await post("mailgun", workspace.id, body, auth)).status).toBe(404);
    const { secret } = await setEmailProviderSecret({ workspaceId: workspace.id, provider: "postmark" });
    const notJson = await post("postmark", workspace.id, "{nope", { authorization: `Basic ${Buffer.from(`recoup:${secret}`).toString("base64")}` });
    expect(notJson).toMatchObject({ status: 400, body: { code: "malformed_event" } });
    const get = await callRoute(route, `/webhooks/email/postmark?workspace=${workspace.id}`, { params: { provider: "postmark" } });
    expect(get.status).toBe(405);
    expect(get.headers.get("content-type")).toMatch(/^application\/problem\+json/);
    expect(await storedEvents(workspace.id)).toBe(0);
  });
});
