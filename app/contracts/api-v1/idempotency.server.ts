import { sha256 } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { AppError } from "~/domain/errors";

/**
 * Stripe's `Idempotency-Key` semantics for every /api/v1 POST (ADR 0012): the first response (any
 * status below 500) is stored for 24 h and replayed to a retry of the same request; the same key on
 * another request is 409 `idempotency_key_reused`; a retry while the first is still running is 409
 * `idempotency_key_in_use`. A 5xx is not stored, so a retry runs again. Keys are per workspace.
 */
export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;
/** A request holding a key longer than this is presumed dead (its process crashed): the key is freed. */
export const IDEMPOTENCY_LOCK_MS = 2 * 60_000;
const REPLAYED_HEADERS = ["content-type", "location", "x-trace-id"];

export function idempotencyKeyOf(request: Request): string | null {
  const key = request.headers.get("idempotency-key");
  if (key === null) return null;
  if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
    throw new AppError("validation_failed", "Idempotency-Key must be 1–255 visible ASCII characters (a UUID is a good choice).");
  }
  return key;
}

/** Method, path and body: the JSON body is compared by content, so whitespace does not matter. */
export function fingerprintOf(request: Request, rawBody: string): string {
  let body = rawBody;
  try {
    body = rawBody ? JSON.stringify(JSON.parse(rawBody)) : "";
  } catch {
    // Not JSON: compared byte for byte.
  }
  const url = new URL(request.url);
  return sha256(`${request.method} ${url.pathname}${url.search}\n${body}`);
}

export type Claim = { kind: "run"; id: string } | { kind: "replay"; response: Response };

/** Takes the key for this request, or answers with the stored response, or refuses. */
export async function claimIdempotencyKey(input: { workspaceId: string; apiKeyId?: string; key: string; fingerprint: string }): Promise<Claim> {
  const now = new Date();
  // Lazy expiry: this workspace's old keys go as new ones arrive (indexed on workspaceId, expiresAt).
  await db().apiIdempotencyKey.deleteMany({ where: { workspaceId: input.workspaceId, expiresAt: { lte: now } } });
  for (let attempt = 0; attempt < 3; attempt++) {
    const inserted = await db().$queryRaw<Array<{ id: string }>>`
      INSERT INTO "ApiIdempotencyKey" ("id", "workspaceId", "apiKeyId", "key", "fingerprint", "state", "createdAt", "lockedAt", "expiresAt")
      VALUES (gen_random_uuid()::text, ${input.workspaceId}, ${input.apiKeyId ?? null}, ${input.key}, ${input.fingerprint}, 'in_progress', ${now}, ${now}, ${new Date(now.getTime() + IDEMPOTENCY_TTL_MS)})
      ON CONFLICT ("workspaceId", "key") DO NOTHING
      RETURNING "id"`;
    if (inserted[0]) return { kind: "run", id: inserted[0].id };

    const existing = await db().apiIdempotencyKey.findUnique({ where: { workspaceId_key: { workspaceId: input.workspaceId, key: input.key } } });
    if (!existing) continue; // released between the insert and the read: try again
    if (existing.fingerprint !== input.fingerprint) {
      throw new AppError(
        "idempotency_key_reused",
        "This Idempotency-Key was already used with a different request (method, path or body). Use a new key for a new request.",
      );
    }
    if (existing.state === "done") {
      const headers = new Headers((existing.responseHeaders as Record<string, string> | null) ?? {});
      headers.set("Idempotent-Replayed", "true");
      return { kind: "replay", response: new Response(existing.responseBody, { status: existing.responseStatus ?? 200, headers }) };
    }
    if (existing.lockedAt.getTime() > now.getTime() - IDEMPOTENCY_LOCK_MS) {
      throw new AppError("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed. Retry in a moment.");
    }
    await db().apiIdempotencyKey.deleteMany({ where: { id: existing.id, state: "in_progress", lockedAt: existing.lockedAt } });
  }
  throw new AppError("idempotency_key_in_use", "A request with this Idempotency-Key is still being processed. Retry in a moment.");
}

/** Stores the first response for replay, or frees the key after a 5xx so that a retry runs again. */
export async function settleIdempotencyKey(id: string, response: Response): Promise<void> {
  if (response.status >= 500) {
    await db().apiIdempotencyKey.deleteMany({ where: { id } });
    return;
  }
  const body = await response.clone().text();
  const headers = Object.fromEntries(REPLAYED_HEADERS.flatMap((h) => (response.headers.has(h) ? [[h, response.headers.get(h)!]] : [])));
  await db().apiIdempotencyKey.updateMany({
    where: { id },
    data: { state: "done", responseStatus: response.status, responseBody: body, responseHeaders: headers },
  });
}
