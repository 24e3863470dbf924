// Outbound webhook endpoints (LostChurn `/v1/webhooks/endpoints`): a merchant's URL, the events it
// takes, and the secret that signs what Recoup sends it. The secret is shown once, at creation;
// it is kept encrypted because signing needs it back (a hash would not do).
import { randomBytes } from "node:crypto";
import { AppError } from "~/domain/errors";
import { paginate, type PageRequest } from "~/domain/pagination.server";
import { decrypt, encrypt } from "~/utils/crypto.server";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import type { WebhookEndpoint } from "../../../generated/prisma/client";
import { destinationRefusal } from "./destination.server";
import { WEBHOOK_EVENT_TYPES } from "./schemas";

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * HTTPS only (plain http for loopback names outside production, and then only when the loopback
 * address is allowed), to public internet addresses only: a private, loopback, link-local or
 * local-network host is refused (ADR 0031); delivery checks the addresses again.
 */
export async function checkEndpointUrl(raw: string): Promise<string> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw invalidUrl("Give an absolute URL, such as https://example.com/webhooks.");
  }
  const loopbackHttp = url.protocol === "http:" && LOOPBACK.has(url.hostname) && env().NODE_ENV !== "production";
  if (url.protocol !== "https:" && !loopbackHttp) throw invalidUrl("The URL must use https.");
  if (url.username || url.password) throw invalidUrl("Put no credentials in the URL; verify the Recoup-Signature header instead.");
  if (url.hash) throw invalidUrl("The URL cannot carry a #fragment.");
  const refused = await destinationRefusal(url);
  if (refused) throw invalidUrl(`Refused: ${refused}`);
  return url.toString();
}

function invalidUrl(message: string) {
  return new AppError("validation_failed", `body.url: ${message}`, { errors: [{ path: "body.url", message }] });
}

export function endpointView(row: WebhookEndpoint) {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    disabledAt: row.disabledAt,
    disabledReason: row.disabledReason,
    failingSince: row.failingSince,
    previousSecretExpiresAt: row.previousSecretExpiresAt && row.previousSecretExpiresAt > now() ? row.previousSecretExpiresAt : null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function signingSecretOf(row: Pick<WebhookEndpoint, "secretEncrypted">): string {
  return decrypt(row.secretEncrypted);
}

/** The secrets that sign a delivery now: the current one, then the one it replaced while their overlap lasts. */
export function signingSecretsOf(row: Pick<WebhookEndpoint, "secretEncrypted" | "previousSecretEncrypted" | "previousSecretExpiresAt">, at = now()): string[] {
  const previous = row.previousSecretEncrypted && row.previousSecretExpiresAt && row.previousSecretExpiresAt > at ? [decrypt(row.previousSecretEncrypted)] : [];
  return [signingSecretOf(row), ...previous];
}

const newSecret = () => `whsec_${randomBytes(24).toString("base64url")}`;

/**
 * A new signing secret, shown this once. The secret it replaces keeps signing beside it (a second
 * `v1`) for `expiresInHours` (0: not at all), so the receiver can switch without refusing an event.
 * Rotating again during an overlap ends the older overlap: only the secret being replaced stays.
 */
export async function rotateWebhookSecret(input: { workspaceId: string; id: string; expiresInHours: number }) {
  const row = await getWebhookEndpoint(input);
  const secret = newSecret();
  const expiresAt = input.expiresInHours > 0 ? new Date(now().getTime() + input.expiresInHours * 3_600_000) : null;
  const updated = await db().webhookEndpoint.update({
    where: { id: row.id },
    data: {
      secretEncrypted: encrypt(secret),
      previousSecretEncrypted: expiresAt ? row.secretEncrypted : null,
      previousSecretExpiresAt: expiresAt,
    },
  });
  return { ...endpointView(updated), signingSecret: secret };
}

const uniqueEvents = (events: readonly string[] | undefined) => [...new Set(events ?? WEBHOOK_EVENT_TYPES)];

export async function createWebhookEndpoint(input: { workspaceId: string; url: string; events?: string[]; description?: string }) {
  const url = await checkEndpointUrl(input.url);
  const secret = newSecret();
  const row = await db().webhookEndpoint.create({
    data: {
      workspaceId: input.workspaceId,
      url,
      description: input.description || null,
      events: uniqueEvents(input.events),
      secretEncrypted: encrypt(secret),
    },
  });
  return { ...endpointView(row), signingSecret: secret };
}

export async function listWebhookEndpoints(input: { workspaceId: string; page: PageRequest }) {
  const where = { workspaceId: input.workspaceId };
  const page = await paginate(input.page, {
    find: (args) => db().webhookEndpoint.findMany({ ...args, where: { ...where, ...args.where } }),
    count: () => db().webhookEndpoint.count({ where }),
  });
  return { ...page, items: page.items.map(endpointView) };
}

/** The endpoint, if it is this workspace's: another workspace's id is not found. */
export async function getWebhookEndpoint(input: { workspaceId: string; id: string }) {
  const row = await db().webhookEndpoint.findFirst({ where: { id: input.id, workspaceId: input.workspaceId } });
  if (!row) throw new AppError("webhook_endpoint_not_found", "No webhook endpoint with that id in this workspace.");
  return row;
}

export async function updateWebhookEndpoint(input: {
  workspaceId: string;
  id: string;
  url?: string;
  events?: string[];
  description?: string | null;
  enabled?: boolean;
}) {
  const row = await getWebhookEndpoint(input);
  const updated = await db().webhookEndpoint.update({
    where: { id: row.id },
    data: {
      url: input.url === undefined ? undefined : await checkEndpointUrl(input.url),
      events: input.events === undefined ? undefined : uniqueEvents(input.events),
      description: input.description === undefined ? undefined : input.description || null,
      enabled: input.enabled,
      // Enabled again: whatever disabled it is forgotten, and its failures counted afresh.
      ...(input.enabled === true ? { disabledAt: null, disabledReason: null, consecutiveFailures: 0, failingSince: null } : {}),
      ...(input.enabled === false && row.enabled ? { disabledAt: now(), disabledReason: "Disabled by the merchant." } : {}),
    },
  });
  return endpointView(updated);
}

/** Deletes the endpoint and its delivery log; events still queued for it are dropped by their jobs. */
export async function deleteWebhookEndpoint(input: { workspaceId: string; id: string }) {
  const row = await getWebhookEndpoint(input);
  await db().webhookEndpoint.delete({ where: { id: row.id } });
  return { id: row.id, deleted: true as const };
}

/** The settings card's figures: how many endpoints, and how many are off (turned off by Recoup after failures, or by someone). */
export async function webhookEndpointCounts(workspaceId: string): Promise<{ count: number; disabled: number }> {
  const [count, disabled] = await Promise.all([
    db().webhookEndpoint.count({ where: { workspaceId } }),
    db().webhookEndpoint.count({ where: { workspaceId, OR: [{ enabled: false }, { disabledAt: { not: null } }] } }),
  ]);
  return { count, disabled };
}
