// Short-lived access tokens a signed-in teammate mints for ND8's dashboard endpoints (ADR 0076):
// `Authorization: Token <token>`. Shown once, stored hashed, valid for hours, never the session
// cookie itself (a token copied into a script must not outlive the need, nor sign the teammate in).
import { randomToken, sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";

export const ACCESS_TOKEN_HOURS = 12;

export async function mintAccessToken(input: { workspaceId: string; userId: string; hours?: number }) {
  const token = `rat_${randomToken()}`;
  const expiresAt = new Date(Date.now() + (input.hours ?? ACCESS_TOKEN_HOURS) * 3600_000);
  await db().accessToken.create({ data: { workspaceId: input.workspaceId, userId: input.userId, hashedToken: sha256(token), expiresAt } });
  return { token, expiresAt };
}

/** The live token's row; null when unknown, revoked or expired. */
export async function findAccessToken(token: string) {
  const row = await db().accessToken.findUnique({ where: { hashedToken: sha256(token) } });
  if (!row || row.revokedAt || row.expiresAt <= new Date()) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) await db().accessToken.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  return row;
}
