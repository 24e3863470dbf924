import { randomToken, sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";

const SESSION_DAYS = 30;
const SIGN_IN_LINK_HOURS = 24;

/**
 * A one-time sign-in link for the standalone dashboard; `redirectTo` (a path on this server,
 * checked again when the link is opened) is where it lands instead of the dashboard.
 */
export async function createSignInLink(input: { userId: string; workspaceId: string; appUrl: string; hours?: number; redirectTo?: string }) {
  const token = randomToken();
  await db().signInToken.create({
    data: {
      tokenHash: sha256(token),
      userId: input.userId,
      workspaceId: input.workspaceId,
      expiresAt: new Date(Date.now() + (input.hours ?? SIGN_IN_LINK_HOURS) * 3600_000),
    },
  });
  const back = input.redirectTo && input.redirectTo !== "/dashboard" ? `?${new URLSearchParams({ redirectTo: input.redirectTo })}` : "";
  return `${input.appUrl}/auth/magic/${token}${back}`;
}

/** Exchanges a sign-in token (once) for a session token; null when unknown, used or expired. */
export async function redeemSignInToken(token: string) {
  const used = await db().signInToken.updateManyAndReturn({
    where: { tokenHash: sha256(token), usedAt: null, expiresAt: { gt: new Date() } },
    data: { usedAt: new Date() },
  });
  const row = used[0];
  if (!row) return null;
  return createSession({ userId: row.userId, workspaceId: row.workspaceId });
}

export async function createSession(input: { userId: string; workspaceId: string }) {
  const token = `rs_${randomToken()}`;
  const expiresAt = new Date(Date.now() + SESSION_DAYS * 86400_000);
  await db().dashboardSession.create({
    data: { tokenHash: sha256(token), userId: input.userId, workspaceId: input.workspaceId, expiresAt },
  });
  return { token, expiresAt, workspaceId: input.workspaceId, userId: input.userId };
}

export async function findSession(token: string) {
  const row = await db().dashboardSession.findUnique({ where: { tokenHash: sha256(token) } });
  if (!row || row.expiresAt < new Date()) return null;
  return row;
}

export async function endSession(token: string) {
  await db().dashboardSession.deleteMany({ where: { tokenHash: sha256(token) } });
}
