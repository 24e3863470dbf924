import { createHmac, generateKeyPairSync, randomBytes, sign } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { makeSigningCertificate, startFakeSns } from "../../../tests/fakes/aws-sns";
import { isSnsUrl, snsStringToSign, verifyPostmark, verifySendGrid, verifySnsSignature, verifySvix, checkSendGridKey, checkSvixSecret } from "./signatures";
import { verifySnsMessage } from "./sns.server";

const at = new Date("2026-12-07T12:00:00Z");
const seconds = String(Math.floor(at.getTime() / 1000));

describe("Postmark: HTTP Basic credentials in the webhook URL", () => {
  const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

  it("accepts the workspace's password, whatever the user name", () => {
    expect(verifyPostmark({ authorization: basic("recoup", "s3cret-s3cret-s3cret-s3cret"), password: "s3cret-s3cret-s3cret-s3cret" })).toEqual({ ok: true });
    expect(verifyPostmark({ authorization: basic("anyone", "s3cret-s3cret-s3cret-s3cret"), password: "s3cret-s3cret-s3cret-s3cret" }).ok).toBe(true);
  });

  it("refuses another password, no credentials, or another scheme", () => {
    expect(verifyPostmark({ authorization: basic("recoup", "wrong"), password: "s3cret-s3cret-s3cret-s3cret" }).ok).toBe(false);
    expect(verifyPostmark({ authorization: null, password: "s3cret" }).ok).toBe(false);
    expect(verifyPostmark({ authorization: "Bearer s3cret", password: "s3cret" }).ok).toBe(false);
    expect(verifyPostmark({ authorization: `Basic ${Buffer.from("no-colon").toString("base64")}`, password: "no-colon" }).ok).toBe(false);
  });
});

describe("SendGrid: ECDSA P-256 over timestamp + payload", () => {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const key = publicKey.export({ type: "spki", format: "der" }).toString("base64");
  const payload = JSON.stringify([{ email: "ada@example.com", event: "bounce", sg_event_id: "ev1" }]);
  const signed = (timestamp: string, body = payload) => sign("sha256", Buffer.from(timestamp + body), privateKey).toString("base64");

  it("accepts SendGrid's signature with the workspace's verification key", () => {
    expect(verifySendGrid({ publicKey: key, payload, signature: signed(seconds), timestamp: seconds, at })).toEqual({ ok: true });
    expect(checkSendGridKey(key)).toBeNull();
  });

  it("refuses a tampered body, another key, an old or missing timestamp", () => {
    expect(verifySendGrid({ publicKey: key, payload: payload.replace("ada", "bob"), signature: signed(seconds), timestamp: seconds, at }).ok).toBe(false);
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
    expect(verifySendGrid({ publicKey: other, payload, signature: signed(seconds), timestamp: seconds, at }).ok).toBe(false);
    const old = String(Number(seconds) - 301);
    expect(verifySendGrid({ publicKey: key, payload, signature: signed(old), timestamp: old, at })).toMatchObject({ ok: false, reason: expect.stringContaining("5 minutes") });
    expect(verifySendGrid({ publicKey: key, payload, signature: signed(seconds), timestamp: null, at }).ok).toBe(false);
    expect(verifySendGrid({ publicKey: key, payload, signature: "garbage", timestamp: seconds, at }).ok).toBe(false);
    expect(verifySendGrid({ publicKey: "not a key", payload, signature: signed(seconds), timestamp: seconds, at }).ok).toBe(false);
  });

  it("takes only an EC P-256 key as a verification key", () => {
    expect(checkSendGridKey("not a key")).toMatch(/base64 DER/);
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({ type: "spki", format: "der" }).toString("base64");
    expect(checkSendGridKey(rsa)).toMatch(/P-256/);
  });
});

describe("Resend: Svix HMAC-SHA256 with the key after whsec_", () => {
  const raw = randomBytes(32);
  const secret = `whsec_${raw.toString("base64")}`;
  const payload = JSON.stringify({ type: "email.bounced", data: { to: ["ada@example.com"] } });
  const signature = (id: string, timestamp: string, body = payload, key = raw) => createHmac("sha256", key).update(`${id}.${timestamp}.${body}`).digest("base64");

  it("accepts a v1 signature, also among others (a rotated secret)", () => {
    expect(verifySvix({ secret, id: "msg_1", timestamp: seconds, signature: `v1,${signature("msg_1", seconds)}`, payload, at })).toEqual({ ok: true });
    const both = `v1,${signature("msg_1", seconds, payload, randomBytes(32))} v1,${signature("msg_1", seconds)}`;
    expect(verifySvix({ secret, id: "msg_1", timestamp: seconds, signature: both, payload, at }).ok).toBe(true);
    expect(checkSvixSecret(secret)).toBeNull();
  });

  it("refuses a tampered body or id, another secret, a timestamp over 5 minutes away, missing headers", () => {
    const good = `v1,${signature("msg_1", seconds)}`;
    expect(verifySvix({ secret, id: "msg_1", timestamp: seconds, signature: good, payload: `${payload} `, at }).ok).toBe(false);
    expect(verifySvix({ secret, id: "msg_2", timestamp: seconds, signature: good, payload, at }).ok).toBe(false);
    expect(verifySvix({ secret: `whsec_${randomBytes(32).toString("base64")}`, id: "msg_1", timestamp: seconds, signature: good, payload, at }).ok).toBe(false);
    for (const skew of [-301, 301]) {
      const t = String(Number(seconds) + skew);
      expect(verifySvix({ secret, id: "msg_1", timestamp: t, signature: `v1,${signature("msg_1", t)}`, payload, at }).ok, `skew ${skew}`).toBe(false);
    }
    expect(verifySvix({ secret, id: null, timestamp: seconds, signature: good, payload, at }).ok).toBe(false);
    expect(verifySvix({ secret, id: "msg_1", timestamp: seconds, signature: `v2,${signature("msg_1", seconds)}`, payload, at }).ok).toBe(false);
  });

  it("takes only whsec_ secrets", () => {
    expect(checkSvixSecret("secret")).not.toBeNull();
    expect(checkSvixSecret("whsec_c2hvcnQ=")).not.toBeNull();
  });
});

describe("Amazon SNS: SHA1withRSA (version 1) and SHA256withRSA (version 2) over the canonical string", () => {
  const sns = startFakeSns();
  afterAll(() => sns.close());
  const fields = { Type: "Notification", MessageId: "m-1", TopicArn: "arn:aws:sns:us-east-1:123456789012:ses-bounces", Message: '{"notificationType":"Bounce"}', Timestamp: "2026-12-07T12:00:00.000Z" };

  it("builds the string to sign from the signed fields in order, Subject only when present", () => {
    expect(snsStringToSign({ ...fields, SignatureVersion: "1", Signature: "", SigningCertURL: "" })).toBe(
      `Message\n${fields.Message}\nMessageId\nm-1\nTimestamp\n${fields.Timestamp}\nTopicArn\n${fields.TopicArn}\nType\nNotification\n`,
    );
    expect(snsStringToSign({ ...fields, Subject: "S", SignatureVersion: "1", Signature: "", SigningCertURL: "" })).toContain("MessageId\nm-1\nSubject\nS\nTimestamp");
    const confirmation = { ...fields, Type: "SubscriptionConfirmation", SubscribeURL: "https://x", Token: "t", SignatureVersion: "1", Signature: "", SigningCertURL: "" };
    expect(snsStringToSign(confirmation)).toBe(
      `Message\n${fields.Message}\nMessageId\nm-1\nSubscribeURL\nhttps://x\nTimestamp\n${fields.Timestamp}\nToken\nt\nTopicArn\n${fields.TopicArn}\nType\nSubscriptionConfirmation\n`,
    );
  });

  it("accepts both signature versions with the certificate; refuses a tampered field, another certificate, an unknown version", async () => {
    for (const version of ["1", "2"] as const) {
      const message = sns.signed(fields, version);
      expect(verifySnsSignature(message, sns.certificatePem, at), `version ${version}`).toEqual({ ok: true });
      expect(verifySnsSignature({ ...message, Message: '{"notificationType":"Complaint"}' }, sns.certificatePem, at).ok).toBe(false);
    }
    expect(verifySnsSignature(sns.signed(fields), makeSigningCertificate().certificatePem, at).ok).toBe(false);
    expect(verifySnsSignature({ ...sns.signed(fields), SignatureVersion: "3" }, sns.certificatePem, at).ok).toBe(false);
    expect(verifySnsSignature(sns.signed(fields), "not a certificate", at).ok).toBe(false);
  });

  it("fetches the certificate only from https on sns.<region>.amazonaws.com, through the injected fetcher and trust check", async () => {
    const seen: string[] = [];
    const fetchCertificate = async (url: string) => {
      seen.push(url);
      return sns.certificatePem;
    };
    const local = sns.signed(fields, "2", "http://127.0.0.1:9/cert.pem");
    expect(await verifySnsMessage(local, { fetchCertificate, at })).toMatchObject({ ok: false, reason: expect.stringContaining("sns.<region>.amazonaws.com") });
    expect(seen).toEqual([]);
    // A test may trust its own host: the signature is still checked against what it serves.
    expect(await verifySnsMessage(local, { fetchCertificate, trusted: () => true, at })).toEqual({ ok: true });
    expect(await verifySnsMessage({ ...local, MessageId: "m-2" }, { fetchCertificate, trusted: () => true, at })).toMatchObject({ ok: false });
    // By default the fake's certificate URL is fetched for real (MSW answers it).
    expect(await verifySnsMessage(sns.signed(fields, "1"), { at })).toEqual({ ok: true });
  });

  it("knows SNS's URLs from look-alikes", () => {
    expect(isSnsUrl("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc123.pem", "certificate")).toBe(true);
    expect(isSnsUrl("https://sns.cn-north-1.amazonaws.com.cn/SimpleNotificationService-abc.pem", "certificate")).toBe(true);
    expect(isSnsUrl("https://sns.us-gov-west-1.amazonaws.com/SimpleNotificationService-abc.pem", "certificate")).toBe(true);
    for (const bad of [
      "http://sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com.evil.example/SimpleNotificationService-abc.pem",
      "https://evil.example/sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com:8443/SimpleNotificationService-abc.pem",
      "https://user:pw@sns.us-east-1.amazonaws.com/SimpleNotificationService-abc.pem",
      "https://sns.us-east-1.amazonaws.com/other.pem",
      "https://s3.amazonaws.com/SimpleNotificationService-abc.pem",
      "not a url",
    ]) {
      expect(isSnsUrl(bad, "certificate"), bad).toBe(false);
    }
    expect(isSnsUrl("https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=x", "subscribe")).toBe(true);
    expect(isSnsUrl("https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-abc.pem", "subscribe")).toBe(false);
  });
});
