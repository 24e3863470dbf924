// Amazon SNS, which carries Amazon SES's bounces and complaints: the signing certificate behind a
// message's SigningCertURL, and the confirmation of a new subscription. Both only ever reach
// https://sns.<region>.amazonaws.com (./signatures.ts isSnsUrl).
import { X509Certificate } from "node:crypto";
import { now } from "~/utils/clock.server";
import { isSnsUrl, verifySnsSignature, type SnsMessage, type Verdict } from "./signatures";

const FETCH_TIMEOUT_MS = 10_000;
/** Certificates are few (one per region and rotation) and long-lived: a small cache spares a fetch per message. */
const CACHE_LIMIT = 32;
const certificates = new Map<string, string>();

export type CertificateFetcher = (url: string) => Promise<string>;

/** GETs the certificate (PEM) at a SigningCertURL already checked to be SNS's own. */
export const fetchSnsCertificate: CertificateFetcher = async (url) => {
  const cached = certificates.get(url);
  if (cached) return cached;
  const res = await fetch(url, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "error" });
  if (!res.ok) throw new Error(`SNS certificate ${url}: HTTP ${res.status}`);
  const pem = await res.text();
  new X509Certificate(pem); // throws on anything that is not a certificate: never cached
  if (certificates.size >= CACHE_LIMIT) certificates.delete(certificates.keys().next().value!);
  certificates.set(url, pem);
  return pem;
};

/**
 * A message's signature, with the certificate its SigningCertURL names, once that URL is checked to
 * be SNS's (`trusted`, by default https on sns.<region>.amazonaws.com). Both are injectable, so
 * that a test signs with a certificate of its own.
 */
export async function verifySnsMessage(
  message: SnsMessage,
  deps: { fetchCertificate?: CertificateFetcher; trusted?: (url: string) => boolean; at?: Date } = {},
): Promise<Verdict> {
  const trusted = deps.trusted ?? ((url: string) => isSnsUrl(url, "certificate"));
  if (!trusted(message.SigningCertURL)) return { ok: false, reason: "SigningCertURL is not an https URL on sns.<region>.amazonaws.com" };
  let pem: string;
  try {
    pem = await (deps.fetchCertificate ?? fetchSnsCertificate)(message.SigningCertURL);
  } catch (error) {
    // Not the sender's fault to be told about in detail, and not a reason to store anything.
    return { ok: false, reason: `the signing certificate could not be read (${(error as Error).message})` };
  }
  return verifySnsSignature(message, pem, deps.at ?? now());
}

/**
 * Confirms a subscription by visiting its SubscribeURL (the documented alternative to the
 * ConfirmSubscription call: https://docs.aws.amazon.com/sns/latest/dg/http-subscription-confirmation-json.html).
 * Throws when SNS does not answer 200, so that the job is retried.
 */
export async function confirmSnsSubscription(subscribeUrl: string): Promise<void> {
  if (!isSnsUrl(subscribeUrl, "subscribe") || new URL(subscribeUrl).searchParams.get("Action") !== "ConfirmSubscription") {
    throw new Error("SubscribeURL is not an SNS ConfirmSubscription link");
  }
  const res = await fetch(subscribeUrl, { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: "error" });
  const answer = await res.text(); // a short XML document, read so that the connection is released
  if (!res.ok) throw new Error(`SNS answered ${res.status} to the subscription confirmation: ${answer.slice(0, 200)}`);
}
