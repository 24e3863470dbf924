// A fake of Amazon SNS as an HTTP subscriber meets it, at the fetch layer (MSW): a signing
// certificate served at https://sns.us-east-1.amazonaws.com/SimpleNotificationService-<id>.pem,
// messages signed with its key the way SNS signs (SignatureVersion 1: SHA1withRSA, 2: SHA256withRSA,
// over the canonical string), and the SubscribeURL a confirmation visits. The certificate is a
// self-signed one made here, so no private key lives in the repository.
//   const sns = startFakeSns();
//   const body = sns.notification({ topicArn, message: { notificationType: "Bounce", … } });
//   … sns.confirmed  // the SubscribeURLs visited
//   sns.close();
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from "node:crypto";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { snsStringToSign, type SnsMessage } from "~/domain/deliverability/signatures";

const HOST = "https://sns.us-east-1.amazonaws.com";

// ---------------------------------------------------------------- a self-signed X.509 certificate, in DER

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, content: Buffer) => Buffer.concat([Buffer.from([tag]), length(content.length), content]);
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
const set = (...parts: Buffer[]) => tlv(0x31, Buffer.concat(parts));
const integer = (bytes: Buffer) => tlv(0x02, bytes[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number);
  const out = [a! * 40 + b!];
  for (const n of rest) {
    const chunk: number[] = [n & 0x7f];
    for (let v = n >> 7; v > 0; v >>= 7) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
const time = (d: Date) => {
  const iso = d.toISOString().replace(/[-:T]/g, "").slice(0, 14);
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${iso.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${iso}Z`));
};
const name = (cn: string) => seq(set(seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(cn, "utf8")))));
const SHA256_WITH_RSA = seq(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]));

function selfSigned(privateKey: KeyObject, publicKey: KeyObject, cn: string): string {
  const tbs = seq(
    tlv(0xa0, integer(Buffer.from([2]))), // v3
    integer(randomBytes(8)),
    SHA256_WITH_RSA,
    name(cn),
    // Valid whatever the tests' virtual clock says.
    seq(time(new Date("2000-01-01T00:00:00Z")), time(new Date("2099-12-31T23:59:59Z"))),
    name(cn),
    publicKey.export({ type: "spki", format: "der" }),
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = seq(tbs, SHA256_WITH_RSA, tlv(0x03, Buffer.concat([Buffer.from([0]), signature])));
  return `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/.{64}/g, "$&\n")}\n-----END CERTIFICATE-----\n`;
}

// ---------------------------------------------------------------- the fake

export interface FakeSns {
  /** The certificate's URL, as SigningCertURL names it. */
  certUrl: string;
  certificatePem: string;
  /** A signed Notification (its Message the JSON of `message`), as the raw body SNS would POST. */
  notification(input: { topicArn: string; message: unknown; version?: "1" | "2"; messageId?: string }): string;
  /** A signed SubscriptionConfirmation, as the raw body SNS would POST. */
  subscriptionConfirmation(input: { topicArn: string; version?: "1" | "2" }): string;
  /** Signs any message fields (for tests that tamper with them afterwards). */
  signed(fields: Omit<SnsMessage, "Signature" | "SignatureVersion" | "SigningCertURL">, version?: "1" | "2", certUrl?: string): SnsMessage;
  /** The SubscribeURLs that were visited. */
  confirmed: string[];
  close(): void;
}

/** A key pair and its self-signed certificate (PEM), as SNS holds for signing. */
export function makeSigningCertificate(): { privateKey: KeyObject; certificatePem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  return { privateKey, certificatePem: selfSigned(privateKey, publicKey, "sns.amazonaws.com (Recoup test)") };
}

/** One at a time: MSW's interception is process-wide, and closing a second fake would end the first's. */
export function startFakeSns(): FakeSns {
  const { privateKey, certificatePem } = makeSigningCertificate();
  const certUrl = `${HOST}/SimpleNotificationService-${randomBytes(16).toString("hex")}.pem`;
  const confirmed: string[] = [];

  const server = setupServer(
    http.get(certUrl, () => new HttpResponse(certificatePem, { headers: { "Content-Type": "application/x-pem-file" } })),
    http.get(`${HOST}/`, ({ request }) => {
      const url = new URL(request.url);
      if (url.searchParams.get("Action") !== "ConfirmSubscription") return new HttpResponse("unknown action", { status: 400 });
      confirmed.push(request.url);
      return new HttpResponse("<ConfirmSubscriptionResponse><ConfirmSubscriptionResult><SubscriptionArn>arn</SubscriptionArn></ConfirmSubscriptionResult></ConfirmSubscriptionResponse>", {
        headers: { "Content-Type": "text/xml" },
      });
    }),
  );
  server.listen({ onUnhandledRequest: "bypass" });

  function signed(fields: Omit<SnsMessage, "Signature" | "SignatureVersion" | "SigningCertURL">, version: "1" | "2" = "1", url = certUrl): SnsMessage {
    const message = { ...fields, SignatureVersion: version, SigningCertURL: url, Signature: "" } as SnsMessage;
    message.Signature = sign(version === "1" ? "sha1" : "sha256", Buffer.from(snsStringToSign(message), "utf8"), privateKey).toString("base64");
    return message;
  }

  return {
    certUrl,
    certificatePem,
    signed,
    notification: ({ topicArn, message, version, messageId }) =>
      JSON.stringify(
        signed(
          { Type: "Notification", MessageId: messageId ?? randomUUID(), TopicArn: topicArn, Message: JSON.stringify(message), Timestamp: new Date().toISOString() },
          version,
        ),
      ),
    subscriptionConfirmation: ({ topicArn, version }) => {
      const token = randomBytes(32).toString("hex");
      return JSON.stringify(
        signed(
          {
            Type: "SubscriptionConfirmation",
            MessageId: randomUUID(),
            TopicArn: topicArn,
            Token: token,
            Message: `You have chosen to subscribe to the topic ${topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`,
            SubscribeURL: `${HOST}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`,
            Timestamp: new Date().toISOString(),
          },
          version,
        ),
      );
    },
    confirmed,
    close: () => server.close(),
  };
}
