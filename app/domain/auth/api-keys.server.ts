import { randomBytes } from "node:crypto";
import { AppError } from "~/http/errors";
import { sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";

export const API_KEY_SCOPES = ["read", "write", "admin", "analytics", "webhooks", "email"] as const;
const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

function base62(bytes: number): string {
  return Array.from(randomBytes(bytes), (b) => BASE62[b % 62]).join("");
}

/** `read`, `write`, … or resource forms such as `read:payments`; `all` expands to every scope. */
export function parseScopes(input: string | string[]): string[] {
  const list = (Array.isArray(input) ? input : input.split(",")).map((s) => s.trim()).filter(Boolean);
  if (list.includes("all")) return [...API_KEY_SCOPES];
  for (const scope of list) {
    const [action, resource] = scope.split(":");
    if (!API_KEY_SCOPES.includes(action as (typeof API_KEY_SCOPES)[number]) || (resource !== undefined && !/^[a-z_]+$/.test(resource))) {
      throw new AppError("validation_failed", `Unknown scope "${scope}". Use ${API_KEY_SCOPES.join(", ")} or forms like read:payments.`);
    }
  }
  if (list.length === 0) throw new AppError("validation_failed", "Give at least one scope.");
  return [...new Set(list)];
}

/** Creates a key; the raw key is returned once and only its hash is stored. */
export async function createApiKey(input: { workspaceId: string; name?: string; scopes: string[]; livemode?: boolean }) {
  const livemode = input.livemode ?? true;
  const key = `rk_${livemode ? "live" : "test"}_${base62(32)}`;
  const row = await db().apiKey.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name ?? "API key",
      prefix: key.slice(0, 12),
      hashedKey: sha256(key),
      scopes: input.scopes,
      livemode,
    },
  });
  return { id: row.id, key, prefix: row.prefix, scopes: row.scopes, createdAt: row.createdAt };
}

export async function findApiKey(rawKey: string) {
  const row = await db().apiKey.findUnique({ where: { hashedKey: sha256(rawKey) } });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt < new Date())) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return row;
}

export function hasScope(granted: string[], needed: string): boolean {
  const [action] = needed.split(":");
  return granted.includes("admin") || granted.includes(needed) || granted.includes(action!);
}
