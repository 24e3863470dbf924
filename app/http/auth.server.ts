import { findApiKey, hasScope } from "~/domain/auth/api-keys.server";
import { findSession } from "~/domain/auth/sessions.server";
import type { Role } from "~/domain/access/roles";
import { memberAccess } from "~/domain/team/team.server";
import { AppError } from "~/domain/errors";

export const SESSION_COOKIE = "recoup_session";

export interface Caller {
  workspaceId: string;
  kind: "api_key" | "session";
  scopes: string[];
  /**
   * API keys: the key's mode, `rk_live_` or `rk_test_`; /api/v1 shows and changes only that mode's
   * data (ADR 0032). Sessions (dashboard pages, never /api/v1): true.
   */
  livemode: boolean;
  apiKeyId?: string;
  userId?: string;
  /** Sessions: the teammate's role, whose rights the scopes carry (ADR 0010). */
  role?: Role;
  ownerLabel?: string | null;
}

/**
 * What a dashboard session may do on the older session-or-key APIs, by role (ADR 0010): owners
 * and admins everything; members read, and act on recoveries (retry, pause, resume), as on the pages.
 */
export const SESSION_SCOPES_BY_ROLE: Readonly<Record<Role, string[]>> = {
  owner: ["admin"],
  admin: ["admin"],
  member: ["read", "analytics", "write:payments", "write:recoveries"],
};

function bearer(request: Request): string | null {
  const header = request.headers.get("authorization");
  if (header?.toLowerCase().startsWith("bearer ")) return header.slice(7).trim() || null;
  return request.headers.get("x-api-key")?.trim() || null;
}

export function sessionCookie(request: Request): string | null {
  const cookie = request.headers.get("cookie") ?? "";
  const match = cookie.split(";").map((c) => c.trim()).find((c) => c.startsWith(`${SESSION_COOKIE}=`));
  if (!match) return null;
  try {
    return decodeURIComponent(match.slice(SESSION_COOKIE.length + 1));
  } catch {
    // Malformed percent-encoding is no token of ours: signed out, not a 500.
    return null;
  }
}

/** Bearer workspace API key or dashboard session token (header, or the dashboard's cookie). */
export async function authenticate(request: Request): Promise<Caller> {
  const token = bearer(request) ?? sessionCookie(request);
  if (!token) throw new AppError("unauthorized", "Send an API key or session token as `Authorization: Bearer …`.");
  if (token.startsWith("rk_")) {
    const key = await findApiKey(token);
    if (!key) throw new AppError("unauthorized", "This API key is unknown, revoked or expired.");
    return { workspaceId: key.workspaceId, kind: "api_key", scopes: key.scopes, livemode: key.livemode, apiKeyId: key.id };
  }
  const session = await findSession(token);
  if (!session) throw new AppError("unauthorized", "This session has expired. Sign in again.");
  // A teammate removed since signing in has no access left.
  const access = await memberAccess({ workspaceId: session.workspaceId, userId: session.userId });
  if (!access) throw new AppError("unauthorized", "You are no longer a member of this workspace. Sign in again.");
  return {
    workspaceId: session.workspaceId,
    kind: "session",
    scopes: SESSION_SCOPES_BY_ROLE[access.role],
    livemode: true,
    userId: session.userId,
    role: access.role,
    ownerLabel: access.ownerLabel,
  };
}

/**
 * The public API (/api/v1) takes API keys only, as `Authorization: Bearer rk_…` or `X-API-Key`;
 * dashboard sessions are refused there (ADR 0008). Null when no credential was sent at all.
 */
export async function authenticateApiKey(request: Request): Promise<Caller | null> {
  const token = bearer(request);
  if (!token) {
    if (request.headers.has("authorization")) throw new AppError("unauthorized", "Send the API key as `Authorization: Bearer rk_…` or `X-API-Key: rk_…`.");
    return null;
  }
  const key = token.startsWith("rk_") ? await findApiKey(token) : null;
  if (!key) throw new AppError("unauthorized", "This API key is unknown, revoked or expired.");
  return { workspaceId: key.workspaceId, kind: "api_key", scopes: key.scopes, livemode: key.livemode, apiKeyId: key.id };
}

export function requireScope(caller: Caller, scope: string) {
  if (!hasScope(caller.scopes, scope)) {
    if (caller.kind === "session") {
      const who = caller.ownerLabel ? `Ask ${caller.ownerLabel} (the owner)` : "Ask the workspace's owner";
      throw new AppError("insufficient_scope", `Only admins can do this. ${who} or an admin.`, { requiredScope: scope, role: caller.role });
    }
    throw new AppError("insufficient_scope", `This API key lacks the "${scope}" scope.`, { requiredScope: scope });
  }
}

/** DunningDog: a workspaceId that is not the caller's is 403. */
export function requireWorkspace(caller: Caller, workspaceId: string) {
  if (caller.workspaceId !== workspaceId) {
    throw new AppError("forbidden", "You do not have access to that workspace.");
  }
}
