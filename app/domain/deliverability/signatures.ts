// How each email provider proves a webhook is its own (ADR 0071). Pure: the caller reads the
// workspace's secret and, for Amazon SNS, the signing certificate (./sns.server.ts).
import { createHmac, createPublicKey, timingSafeEqual, verify as verifySignature, X509Certificate } from "node:crypto";

export type Verdict = { ok: true } | { ok: false; reason: string };

const OK: Verdict = { ok: true };
const refuse = (reason: string): Verdict => ({ ok: false, reason });

/** Svix's tolerance (and the one Recoup takes for SendGrid, which documents none): older or newer is a replay. */
export const TIMESTAMP_TOLERANCE_SECONDS = 5 * 60;

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function withinTolerance(timestamp: string | null, at: Date): Verdict {
  if (!timestamp || !/^\d{1,12}$/.test(timestamp)) return refuse("the timestamp header is missing or not a number of seconds");
  if (Math.abs(at.getTime() / 1000 - Number(timestamp)) > TIMESTAMP_TOLERANCE_SECONDS) return refuse("the timestamp is more than 5 minutes away from now");
  return OK;
}

/**
 * Postmark: no signature; the webhook URL carries HTTP Basic credentials
 * (https://postmarkapp.com/developer/webhooks/webhooks-overview, "Basic HTTP authentication").
 * The password is the workspace's secret; the user name is not checked.
 */
export function verifyPostmark(input: { authorization: string | null; password: string }): Verdict {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(input.authorization ?? "");
  if (!match) return refuse("no HTTP Basic credentials (put them in the webhook URL: https://recoup:<secret>@…)");
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  const given = colon < 0 ? "" : decoded.slice(colon + 1);
  if (!sameBytes(Buffer.from(given), Buffer.from(input.password))) return refuse("the Basic credentials do not match this workspace's Postmark secret");
  return OK;
}

/**
 * SendGrid's Signed Event Webhook: an ECDSA (P-256, SHA-256) signature, base64 DER, of
 * `<X-Twilio-Email-Event-Webhook-Timestamp><raw body>`, checked with the verification key the
 * workspace copied from SendGrid (base64 SubjectPublicKeyInfo)
 * (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features).
 */
export function verifySendGrid(input: { publicKey: string; payload: string; signature: string | null; timestamp: string | null; at: Date }): Verdict {
  if (!input.signature) return refuse("the X-Twilio-Email-Event-Webhook-Signature header is missing");
  const fresh = withinTolerance(input.timestamp, input.at);
  if (!fresh.ok) return fresh;
  let valid = false;
  try {
    const key = createPublicKey({ key: Buffer.from(input.publicKey, "base64"), format: "der", type: "spki" });
    valid = verifySignature("sha256", Buffer.from(`${input.timestamp}${input.payload}`, "utf8"), key, Buffer.from(input.signature, "base64"));
  } catch {
    valid = false;
  }
  return valid ? OK : refuse("the signature does not match this payload and this workspace's SendGrid verification key");
}

/** A SendGrid verification key as SendGrid shows it (base64 DER of an EC P-256 public key), or why not. */
export function checkSendGridKey(publicKey: string): string | null {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKey.trim(), "base64"), format: "der", type: "spki" });
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") return "not an EC P-256 public key";
    return null;
  } catch {
    return "not a base64 DER public key (copy the Verification Key from SendGrid's Mail Settings)";
  }
}

/**
 * Resend signs through Svix (https://resend.com/docs/webhooks/verify-webhooks-requests): HMAC-SHA256
 * of `<svix-id>.<svix-timestamp>.<raw body>` with the base64 key after `whsec_`, base64; the
 * `svix-signature` header lists `v1,<signature>` entries, any of which may match
 * (https://docs.svix.com/receiving/verifying-payloads/how-manual). Five minutes' tolerance.
 */
export function verifySvix(input: { secret: string; id: string | null; timestamp: string | null; signature: string | null; payload: string; at: Date }): Verdict {
  if (!input.id || !input.signature) return refuse("the svix-id or svix-signature header is missing");
  const fresh = withinTolerance(input.timestamp, input.at);
  if (!fresh.ok) return fresh;
  const key = Buffer.from(input.secret.replace(/^whsec_/, ""), "base64");
  const expected = createHmac("sha256", key).update(`${input.id}.${input.timestamp}.${input.payload}`, "utf8").digest();
  for (const entry of input.signature.split(" ")) {
    const [version, value] = entry.split(",", 2);
    if (version === "v1" && value && sameBytes(Buffer.from(value, "base64"), expected)) return OK;
  }
  return refuse("no v1 signature in svix-signature matches this payload and this workspace's Resend signing secret");
}

/** A Svix signing secret: `whsec_` and base64 of at least 24 bytes, or why not. */
export function checkSvixSecret(secret: string): string | null {
  const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret.trim());
  if (!match || Buffer.from(match[1]!, "base64").length < 24) return "not a signing secret (whsec_ followed by base64)";
  return null;
}

/** The fields of an SNS message that its signature covers (the rest is not read before it is checked). */
export interface SnsMessage {
  Type: string;
  MessageId: string;
  TopicArn: string;
  Message: string;
  Timestamp: string;
  SignatureVersion: string;
  Signature: string;
  SigningCertURL: string;
  Subject?: string;
  SubscribeURL?: string;
  Token?: string;
}

/**
 * The string an SNS message's signature is made over: `<name>\n<value>\n` for each signed field in
 * byte order (Subject only when present; the confirmations sign SubscribeURL and Token instead)
 * (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 */
export function snsStringToSign(message: SnsMessage): string {
  const fields =
    message.Type === "Notification"
      ? ["Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"]
      : ["Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"];
  return fields
    .filter((name) => typeof message[name as keyof SnsMessage] === "string")
    .map((name) => `${name}\n${message[name as keyof SnsMessage]}\n`)
    .join("");
}

/** SignatureVersion 1 is SHA1withRSA, 2 is SHA256withRSA (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html). */
const SNS_ALGORITHMS: Record<string, string> = { "1": "RSA-SHA1", "2": "RSA-SHA256" };

/** The message's signature against the signing certificate (PEM) its SigningCertURL served. */
export function verifySnsSignature(message: SnsMessage, certificatePem: string, at: Date): Verdict {
  const algorithm = SNS_ALGORITHMS[message.SignatureVersion];
  if (!algorithm) return refuse(`SignatureVersion ${message.SignatureVersion} is not 1 or 2`);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(certificatePem);
  } catch {
    return refuse("the signing certificate is not an X.509 certificate");
  }
  if (at < new Date(certificate.validFrom) || at > new Date(certificate.validTo)) return refuse("the signing certificate is not valid now");
  let valid = false;
  try {
    valid = verifySignature(algorithm, Buffer.from(snsStringToSign(message), "utf8"), certificate.publicKey, Buffer.from(message.Signature, "base64"));
  } catch {
    valid = false;
  }
  return valid ? OK : refuse("the SNS signature does not match this message");
}

/**
 * Where Amazon SNS serves its signing certificates and its confirmation links: https on
 * sns.<region>.amazonaws.com (.com.cn in China), nothing else: a certificate from anywhere else
 * proves nothing (https://docs.aws.amazon.com/sns/latest/dg/sns-verify-signature-of-message.html).
 */
export function isSnsUrl(value: string, kind: "certificate" | "subscribe"): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  if (url.protocol !== "https:" || url.port !== "" || url.username || url.password) return false;
  if (!/^sns\.[a-z]{2}(-[a-z]+)+-\d\.amazonaws\.com(\.cn)?$/.test(url.hostname)) return false;
  return kind === "certificate" ? /^\/SimpleNotificationService-[A-Za-z0-9]+\.pem$/.test(url.pathname) : url.pathname === "/";
}
