// One-click unsubscribe (RFC 8058, https://www.rfc-editor.org/rfc/rfc8058): every dunning email
// names `https://APP_URL/u/<token>` in List-Unsubscribe, with List-Unsubscribe-Post. The token is
// signed with the app secret, like the recovery links, and names the workspace and the address: a
// POST of `List-Unsubscribe=One-Click` to it suppresses that address for that workspace, with no
// login. It does not expire: an unsubscribe link must work for as long as the email is kept.
import { signPayload, verifyPayload } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { maskEmail, MAX_ADDRESS_LENGTH, normaliseEmail } from "./policy";
import { suppress } from "./suppressions.server";

interface UnsubscribePayload {
  k: "unsubscribe"; // never a recovery link's payload, which is signed with the same secret
  w: string;
  a: string;
}

export function unsubscribeToken(input: { workspaceId: string; email: string }): string {
  return signPayload({ k: "unsubscribe", w: input.workspaceId, a: normaliseEmail(input.email) } satisfies UnsubscribePayload);
}

/** The workspace and address a token names, or null when it is forged or not an unsubscribe token. */
export function readUnsubscribeToken(token: string): { workspaceId: string; email: string } | null {
  if (token.length > 2000) return null;
  const payload = verifyPayload<Partial<UnsubscribePayload>>(token);
  if (!payload || payload.k !== "unsubscribe" || typeof payload.w !== "string" || typeof payload.a !== "string") return null;
  if (!payload.w || !payload.a || payload.a.length > MAX_ADDRESS_LENGTH) return null;
  return { workspaceId: payload.w, email: payload.a };
}

export function unsubscribeUrl(input: { workspaceId: string; email: string }): string {
  return `${env().APP_URL}/u/${unsubscribeToken(input)}`;
}

/** The headers RFC 8058 asks of a sender for one-click unsubscribe (its §3.1), for one recipient. */
export function listUnsubscribeHeaders(input: { workspaceId: string; email: string }): Record<string, string> {
  return {
    "List-Unsubscribe": `<${unsubscribeUrl(input)}>`,
    "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
  };
}

/** What the confirmation page shows: whose emails stop, to which (masked) address. Null for a bad token or a workspace gone. */
export async function unsubscribePage(token: string): Promise<{ workspace: { name: string; senderName: string | null }; maskedEmail: string } | null> {
  const named = readUnsubscribeToken(token);
  if (!named) return null;
  const workspace = await db().workspace.findUnique({ where: { id: named.workspaceId }, select: { name: true, senderName: true } });
  return workspace ? { workspace, maskedEmail: maskEmail(named.email) } : null;
}

/**
 * The one-click POST: the address is suppressed for the workspace (reason unsubscribe), at once and
 * idempotently. False for a bad token or a workspace gone.
 */
export async function unsubscribeByToken(token: string): Promise<boolean> {
  const named = readUnsubscribeToken(token);
  if (!named) return false;
  const workspace = await db().workspace.findUnique({ where: { id: named.workspaceId }, select: { id: true } });
  if (!workspace) return false;
  await suppress({ workspaceId: workspace.id, email: named.email, reason: "unsubscribe", source: "list_unsubscribe", detail: "List-Unsubscribe one-click" });
  return true;
}
