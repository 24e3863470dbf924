import { signPayload, verifyPayload } from "~/utils/crypto.server";
import { env } from "~/utils/env.server";

const LINK_DAYS = 30;

interface LinkPayload {
  r: string; // recovery id
  e: number; // expiry, unix seconds
}

/** A signed, expiring token naming one recovery: the customer's `/recover/<token>` link. */
export function createRecoveryToken(recoveryId: string, now = new Date()): string {
  return signPayload({ r: recoveryId, e: Math.floor(now.getTime() / 1000) + LINK_DAYS * 86400 } satisfies LinkPayload);
}

/** The recovery id, or null when the token is forged or expired. */
export function verifyRecoveryToken(token: string, now = new Date()): string | null {
  const payload = verifyPayload<LinkPayload>(token);
  if (!payload || typeof payload.r !== "string" || typeof payload.e !== "number") return null;
  if (payload.e * 1000 < now.getTime()) return null;
  return payload.r;
}

/** The dunning email's `{{pay_link_url}}`: opens (making it on first need) the recovery's pay-link. */
export function payLinkOfRecoveryUrl(token: string): string {
  return `${env().APP_URL}/recover/${token}/pay`;
}

export function recoveryUrl(token: string, trackingId?: string): string {
  return `${env().APP_URL}/recover/${token}${trackingId ? `?m=${encodeURIComponent(trackingId)}` : ""}`;
}
