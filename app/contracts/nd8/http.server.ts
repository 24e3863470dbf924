// What every ND8 operation does before its handler (seed 003, ADR 0076). Server integrations send a
// Recoup API key as `Authorization: Api-Key <key>` or an `Api-Key: <key>` header; dashboard
// operations take `Authorization: Token <token>`, a short-lived token a signed-in teammate mints
// (never a key: ND8's payment links are "not available with API keys"). Errors are `{detail}`.
import { z } from "zod";
import { findApiKey, hasScope } from "~/domain/auth/api-keys.server";
import { findAccessToken } from "~/domain/auth/access-tokens.server";
import { SESSION_SCOPES_BY_ROLE } from "~/http/auth.server";
import { memberAccess } from "~/domain/team/team.server";
import { AppError } from "~/domain/errors";
import type { Caller } from "~/http/auth.server";
import { readJson } from "~/http/body.server";
import { countedCaller } from "~/http/rate-limit.server";

/** ND8's scope names, and the Recoup scope each is (resource:action there, action:resource here). */
export const ND8_SCOPES = {
  "checkout:create": "write:checkout",
  "payments:read": "read:payments",
  "payments:write": "write:payments",
  "refunds:read": "read:refunds",
  "refunds:write": "write:refunds",
} as const;
export type Nd8Scope = keyof typeof ND8_SCOPES;

function credential(request: Request, scheme: "Api-Key" | "Token"): string | null {
  const header = request.headers.get("authorization")?.trim() ?? "";
  const prefix = `${scheme.toLowerCase()} `;
  if (header.toLowerCase().startsWith(prefix)) return header.slice(prefix.length).trim() || null;
  return scheme === "Api-Key" ? request.headers.get("api-key")?.trim() || null : null;
}

async function counted(request: Request, find: () => Promise<Caller | null>, missing: string): Promise<Caller> {
  const caller = await countedCaller(request, "api-v1", find);
  if (!caller) throw new AppError("unauthorized", missing);
  return caller;
}

/** An API key holding any one of `scopes` (ND8: "requires `refunds:write` or `payments:write`"). */
export async function nd8KeyCaller(request: Request, scopes: Nd8Scope[]): Promise<Caller> {
  const caller = await counted(
    request,
    async () => {
      const raw = credential(request, "Api-Key");
      if (!raw) return null;
      const key = raw.startsWith("rk_") ? await findApiKey(raw) : null;
      if (!key) throw new AppError("unauthorized", "Invalid API key.");
      return { workspaceId: key.workspaceId, kind: "api_key", scopes: key.scopes, livemode: key.livemode, apiKeyId: key.id };
    },
    'Authentication credentials were not provided. Send "Authorization: Api-Key <key>" or an "Api-Key" header.',
  );
  if (!scopes.some((scope) => hasScope(caller.scopes, ND8_SCOPES[scope]))) {
    throw new AppError("insufficient_scope", `This API key needs the ${scopes.map((s) => `"${s}"`).join(" or ")} scope.`, { requiredScope: scopes.join("|") });
  }
  return caller;
}

/** A teammate's access token; `write` operations need an owner or admin, as on the dashboard. */
export async function nd8TokenCaller(request: Request, access: "read" | "write"): Promise<Caller> {
  const caller = await counted(
    request,
    async () => {
      const raw = credential(request, "Token");
      if (!raw) return null;
      const token = await findAccessToken(raw);
      const member = token ? await memberAccess({ workspaceId: token.workspaceId, userId: token.userId }) : null;
      if (!token || !member) throw new AppError("unauthorized", "Invalid token.");
      return { workspaceId: token.workspaceId, kind: "session", scopes: SESSION_SCOPES_BY_ROLE[member.role], livemode: true, userId: token.userId, role: member.role, ownerLabel: member.ownerLabel };
    },
    'Authentication credentials were not provided. Send "Authorization: Token <token>" (mint one in the dashboard under Settings → API keys).',
  );
  if (access === "write" && !hasScope(caller.scopes, "admin")) throw new AppError("insufficient_scope", "Only owners and admins can change this.");
  return caller;
}

export function nd8Body<S extends z.ZodType>(request: Request, schema: S): Promise<z.output<S>> {
  return readJson(request, schema);
}

export function nd8Query<S extends z.ZodType>(request: Request, schema: S): z.output<S> {
  return schema.parse(Object.fromEntries(new URL(request.url).searchParams));
}

/** ND8 names a payment or a refund by its public id (TXabc…, RFabc…) or its numeric id. */
export function publicOrNumeric(id: string | undefined, prefix: "TX" | "RF"): { publicId: string } | { numericId: number } | null {
  if (!id) return null;
  if (/^\d{1,9}$/.test(id)) return { numericId: Number(id) };
  if (new RegExp(`^${prefix}[0-9A-Za-z]{12}$`).test(id)) return { publicId: id };
  // ND8's refund_public_id is the id "without RF prefix".
  if (prefix === "RF" && /^[0-9A-Za-z]{12}$/.test(id)) return { publicId: `RF${id}` };
  return null;
}

/** ND8's 405, as its framework words it. */
export function methodNotAllowed(request: Request, allowed: string[]): never {
  throw new AppError("method_not_allowed", `Method "${request.method}" not allowed.`, { allow: allowed.join(", ") });
}
