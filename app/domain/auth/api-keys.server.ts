import { AppError } from "~/domain/errors";
import { paginate, type PageRequest } from "~/domain/pagination.server";
import { randomBase62, sha256 } from "~/utils/crypto.server";
import { isUniqueViolation } from "~/utils/db-errors.server";
import { db } from "~/utils/db.server";
import type { ApiKey } from "../../../generated/prisma/client";

export const API_KEY_SCOPES = ["read", "write", "admin", "analytics", "webhooks", "email"] as const;
/** After a rotation the old key keeps working this long, so deployments can roll over (ADR 0008). */
export const ROTATION_GRACE_HOURS = 24;
export const MAX_ROTATION_GRACE_HOURS = 7 * 24;
/** `read`, `write`, … or resource forms such as `read:payments`; `all` expands to every scope. */
export function parseScopes(input: string | string[]): string[] {
  const list = (Array.isArray(input) ? input : input.split(",")).map((s) => s.trim()).filter(Boolean);
  if (list.includes("all")) return [...API_KEY_SCOPES];
  for (const scope of list) {
    const [action, resource, extra] = scope.split(":");
    if (
      !API_KEY_SCOPES.includes(action as (typeof API_KEY_SCOPES)[number]) ||
      extra !== undefined ||
      (resource !== undefined && !/^[a-z_]+$/.test(resource))
    ) {
      throw new AppError("validation_failed", `Unknown scope "${scope}". Use ${API_KEY_SCOPES.join(", ")} or forms like read:payments.`);
    }
  }
  if (list.length === 0) throw new AppError("validation_failed", "Give at least one scope.");
  return [...new Set(list)];
}

/** `admin` grants everything; `read` grants `read:*` (and `write` grants `write:*`). */
export function hasScope(granted: string[], needed: string): boolean {
  const [action] = needed.split(":");
  return granted.includes("admin") || granted.includes(needed) || granted.includes(action!);
}

export type ApiKeyStatus = "active" | "expiring" | "expired" | "revoked";

/** What the dashboard, the CLI and the API show about a key: never the key or its hash. */
export function apiKeyView(row: ApiKey, now = new Date()) {
  const status: ApiKeyStatus = row.revokedAt
    ? "revoked"
    : row.expiresAt && row.expiresAt <= now
      ? "expired"
      : row.expiresAt
        ? "expiring"
        : "active";
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    livemode: row.livemode,
    status,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
    revokedAt: row.revokedAt,
    createdBy: row.createdByUserId
      ? { type: "user" as const, id: row.createdByUserId }
      : row.createdByApiKeyId
        ? { type: "api_key" as const, id: row.createdByApiKeyId }
        : { type: "cli" as const, id: null },
    rotatedFromId: row.rotatedFromId,
  };
}
export type ApiKeyView = ReturnType<typeof apiKeyView>;

/** Who is acting: a dashboard user, an API key, or nobody (the CLI). */
export interface KeyActor {
  userId?: string;
  apiKeyId?: string;
}

function newKey(livemode: boolean) {
  const key = `rk_${livemode ? "live" : "test"}_${randomBase62(32)}`;
  return { key, prefix: key.slice(0, 12), hashedKey: sha256(key) };
}

/** Creates a key; the raw key is returned once and only its hash is stored. */
export async function createApiKey(input: { workspaceId: string; name?: string; scopes: string[]; livemode?: boolean; actor?: KeyActor }) {
  const livemode = input.livemode ?? true;
  const { key, prefix, hashedKey } = newKey(livemode);
  const row = await db().apiKey.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name ?? "API key",
      prefix,
      hashedKey,
      scopes: parseScopes(input.scopes),
      livemode,
      createdByUserId: input.actor?.userId ?? null,
      createdByApiKeyId: input.actor?.apiKeyId ?? null,
    },
  });
  return { ...apiKeyView(row), key };
}

/** The workspace's keys, newest first; revoked and expired keys are listed too (with their status). */
export async function listApiKeys(input: { workspaceId: string; page: PageRequest }) {
  const where = { workspaceId: input.workspaceId };
  const page = await paginate(input.page, {
    find: (args) => db().apiKey.findMany({ ...args, where: { ...where, ...args.where } }),
    count: () => db().apiKey.count({ where }),
  });
  const now = new Date();
  return { ...page, items: page.items.map((row) => apiKeyView(row, now)) };
}

async function keyOf(workspaceId: string, id: string) {
  const row = await db().apiKey.findFirst({ where: { id, workspaceId } });
  if (!row) throw new AppError("api_key_not_found", "No API key with that id in this workspace.");
  return row;
}

export async function getApiKey(input: { workspaceId: string; id: string }) {
  return apiKeyView(await keyOf(input.workspaceId, input.id));
}

/**
 * Issues a replacement with the same name, scopes and mode; the old key keeps working for
 * `graceHours` (default 24, 0 ends it now). A key can be rotated once: rotate the new one next.
 */
export async function rotateApiKey(input: { workspaceId: string; id: string; graceHours?: number; actor?: KeyActor }) {
  const graceHours = input.graceHours ?? ROTATION_GRACE_HOURS;
  if (!Number.isFinite(graceHours) || graceHours < 0 || graceHours > MAX_ROTATION_GRACE_HOURS) {
    throw new AppError("validation_failed", `The grace period is 0 to ${MAX_ROTATION_GRACE_HOURS} hours.`);
  }
  const now = new Date();
  const old = await keyOf(input.workspaceId, input.id);
  if (old.revokedAt || (old.expiresAt && old.expiresAt <= now)) {
    throw new AppError("conflict", "This key is revoked or expired: create a new key instead.");
  }
  const graceEnd = new Date(now.getTime() + graceHours * 3_600_000);
  const { key, prefix, hashedKey } = newKey(old.livemode);
  try {
    const [, created] = await db().$transaction([
      db().apiKey.update({
        where: { id: old.id },
        data: { expiresAt: old.expiresAt && old.expiresAt < graceEnd ? old.expiresAt : graceEnd },
      }),
      db().apiKey.create({
        data: {
          workspaceId: old.workspaceId,
          name: old.name,
          prefix,
          hashedKey,
          scopes: old.scopes,
          livemode: old.livemode,
          rotatedFromId: old.id,
          createdByUserId: input.actor?.userId ?? null,
          createdByApiKeyId: input.actor?.apiKeyId ?? null,
        },
      }),
    ]);
    return { ...apiKeyView(created), key };
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new AppError("conflict", "This key has already been rotated: rotate its replacement instead.");
    }
    throw error;
  }
}

/** Stops the key at once. Revoking a revoked key changes nothing. */
export async function revokeApiKey(input: { workspaceId: string; id: string }) {
  const row = await keyOf(input.workspaceId, input.id);
  if (row.revokedAt) return apiKeyView(row);
  return apiKeyView(await db().apiKey.update({ where: { id: row.id }, data: { revokedAt: new Date() } }));
}

/** The key's row when it is valid now (not revoked, not past its grace period), else null. */
export async function findApiKey(rawKey: string) {
  const row = await db().apiKey.findUnique({ where: { hashedKey: sha256(rawKey) } });
  if (!row || row.revokedAt || (row.expiresAt && row.expiresAt <= new Date())) return null;
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > 60_000) {
    await db().apiKey.update({ where: { id: row.id }, data: { lastUsedAt: new Date() } });
  }
  return row;
}
