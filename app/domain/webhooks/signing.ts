// Outbound webhook signatures, Stripe's scheme: `Recoup-Signature: t=<unix seconds>,v1=<hex>`, where
// v1 = HMAC-SHA256(secret, `${t}.${raw body}`). Receivers recompute it and reject stale timestamps.
// Pure (node:crypto only), so receivers' test code and the docs can use it as it is.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "Recoup-Signature";
/** A receiver should refuse signatures older than this (replays). */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export function computeSignature(secret: string, timestamp: number, body: string): string {
  return createHmac("sha256", secret).update(`${timestamp}.${body}`).digest("hex");
}

export function signatureHeader(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return signatureHeaderFor([secret], body, timestamp);
}

/**
 * One `v1` per secret, in the given order: while a rotated secret's overlap lasts, the new secret's
 * signature and the previous one's, as Stripe does when a secret is rolled, so a receiver holding
 * either verifies (https://docs.stripe.com/webhooks#roll-endpoint-secrets).
 */
export function signatureHeaderFor(secrets: readonly string[], body: string, timestamp = Math.floor(Date.now() / 1000)): string {
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${computeSignature(secret, timestamp, body)}`)].join(",");
}

/** True when `header` signs `body` with `secret` and is no older than `toleranceSeconds`. */
export function verifySignature(input: { secret: string; header: string | null | undefined; body: string; toleranceSeconds?: number; now?: number }): boolean {
  if (!input.header) return false;
  const parts = new Map<string, string[]>();
  for (const item of input.header.split(",")) {
    const [k, v] = item.split("=", 2);
    if (!k || !v) continue;
    parts.set(k.trim(), [...(parts.get(k.trim()) ?? []), v.trim()]);
  }
  const t = Number(parts.get("t")?.[0]);
  if (!Number.isInteger(t)) return false;
  const now = input.now ?? Math.floor(Date.now() / 1000);
  if (Math.abs(now - t) > (input.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS)) return false;
  const expected = Buffer.from(computeSignature(input.secret, t, input.body), "hex");
  return (parts.get("v1") ?? []).some((candidate) => {
    const given = Buffer.from(candidate, "hex");
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}
