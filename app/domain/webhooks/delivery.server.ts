// Sending outbound events (ADR 0080): each POST is one attempt, recorded with what the endpoint
// answered; a failed attempt schedules the next one as its own job (RETRY_DELAYS_MS, about three
// days), so `nextAttemptAt` is exact; an endpoint failing for three days is disabled and its owner
// told once. A person may replay a delivery: the same event id, a new attempt marked `replay`.
import { randomBytes } from "node:crypto";
import { AppError } from "~/domain/errors";
import { paginate, type PageRequest } from "~/domain/pagination.server";
import { emailOwnerNotice } from "~/domain/messages/owner-notice.server";
import { CURRENT_API_VERSION } from "~/utils/api-versions";
import { toWire } from "~/utils/casing";
import { now } from "~/utils/clock.server";
import { db, type Prisma, type Tx } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { enqueue } from "~/utils/queue.server";
import type { WebhookDelivery, WebhookEndpoint, WebhookEvent } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { postToDestination, RefusedDestinationError } from "./destination.server";
import { getWebhookEndpoint, signingSecretsOf } from "./endpoints.server";
import { MAX_ATTEMPTS, nextAttemptAt, shouldDisable } from "./schedule";
import { signatureHeaderFor, SIGNATURE_HEADER } from "./signing";

const TIMEOUT_MS = 10_000;

/** The body every endpoint receives for an event: the same bytes on every attempt and replay. */
export function wireEvent(event: Pick<WebhookEvent, "id" | "type" | "createdAt" | "payload">) {
  return { id: event.id, type: event.type, createdAt: event.createdAt, apiVersion: CURRENT_API_VERSION, data: event.payload };
}

export interface PostResult {
  ok: boolean;
  statusCode: number | null;
  responseTimeMs: number;
  /** The endpoint's answer, its first kilobyte; null when there was none. */
  responseBody: string | null;
  error: string | null;
}

/**
 * One signed POST, to checked public addresses only (destination.server.ts). Redirects are not
 * followed (the endpoint is the URL the merchant registered) and the answer must come within 10
 * seconds. Signed with every secret given (a rotation's overlap: the new one first).
 */
export async function postSigned(input: { url: string; secrets: string[]; eventId: string; body: string }): Promise<PostResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const answer = await postToDestination({
      url: input.url,
      timeoutMs: TIMEOUT_MS,
      headers: {
        "content-type": "application/json",
        "user-agent": "Recoup-Webhooks/1.0",
        // Wall-clock time, not the engine's: the receiver checks it against its own clock.
        [SIGNATURE_HEADER]: signatureHeaderFor(input.secrets, input.body, Math.floor(Date.now() / 1000)),
        "Recoup-Event-Id": input.eventId,
        // The same on every attempt: a receiver that has seen it can answer 2xx and do nothing.
        "Idempotency-Key": input.eventId,
      },
      body: input.body,
    });
    const ok = answer.status >= 200 && answer.status < 300;
    return { ok, statusCode: answer.status, responseTimeMs: elapsed(), responseBody: answer.body, error: ok ? null : `The endpoint answered HTTP ${answer.status}.` };
  } catch (error) {
    const name = (error as Error).name;
    const base = { ok: false, statusCode: null, responseTimeMs: elapsed(), responseBody: null };
    if (error instanceof RefusedDestinationError) return { ...base, error: `Not sent: ${error.message}` };
    const timedOut = name === "TimeoutError" || name === "AbortError";
    return { ...base, error: timedOut ? "No answer within 10 seconds." : `Could not reach the endpoint: ${(error as Error).message}` };
  }
}

type Outcome =
  | { kind: "skipped" }
  | { kind: "delivered" | "retrying" | "failed"; statusCode: number | null; attemptNumber: number; nextAttemptAt: Date | null; error: string | null };

/**
 * The `webhook-deliver` job: attempt `attempt` of the schedule (1 when not given), or replay number
 * `replay`. A 2xx marks the delivery delivered. Anything else is recorded and, by the schedule,
 * the next attempt is sent as a job due at `nextAttemptAt`; after the last one (or when pg-boss says
 * this run is its last, `finalAttempt`) the delivery has failed for good. Safe to run twice: an
 * attempt already recorded is not made again; a crash between the POST and its record sends the
 * same event id again (at least once; receivers dedupe on `Recoup-Event-Id`).
 */
export async function deliverWebhook(input: { deliveryId: string; attempt?: number; replay?: number; finalAttempt?: boolean }): Promise<Outcome> {
  const delivery = await db().webhookDelivery.findUnique({ where: { id: input.deliveryId }, include: { endpoint: true, event: true } });
  if (!delivery) return { kind: "skipped" };
  const isReplay = input.replay !== undefined;
  const attempt = input.attempt ?? 1;
  if (!isReplay && (delivery.status === "delivered" || delivery.status === "failed")) return { kind: "skipped" };
  const made = await db().webhookDeliveryAttempt.count({ where: { deliveryId: delivery.id, replay: isReplay } });
  if (made >= (isReplay ? input.replay! : attempt)) return { kind: "skipped" };
  if (!delivery.endpoint.enabled) {
    if (!isReplay) {
      await db().webhookDelivery.update({ where: { id: delivery.id }, data: { status: "failed", nextAttemptAt: null, lastError: "The endpoint was disabled." } });
    }
    return { kind: "skipped" };
  }
  const body = JSON.stringify(toWire(wireEvent(delivery.event)));
  const result = await postSigned({ url: delivery.endpoint.url, secrets: signingSecretsOf(delivery.endpoint), eventId: delivery.event.id, body });
  const outcome = await db().$transaction((tx) => recordAttempt(tx, { delivery, result, attempt, replay: isReplay, finalAttempt: input.finalAttempt ?? false }));
  if (outcome.kind !== "delivered" && outcome.kind !== "skipped") {
    log.warn("webhook delivery failed", { deliveryId: delivery.id, endpointId: delivery.endpointId, statusCode: result.statusCode, nextAttemptAt: outcome.nextAttemptAt?.toISOString() ?? null });
  }
  return outcome;
}

async function recordAttempt(
  tx: Tx,
  input: { delivery: WebhookDelivery & { endpoint: WebhookEndpoint }; result: PostResult; attempt: number; replay: boolean; finalAttempt: boolean },
): Promise<Outcome> {
  const { delivery, result } = input;
  // Attempts of one delivery are numbered one after the other, whoever makes them (the schedule, a replay).
  await tx.$queryRaw`SELECT id FROM "WebhookDelivery" WHERE id = ${delivery.id} FOR UPDATE`;
  const current = await tx.webhookDelivery.findUnique({ where: { id: delivery.id } });
  if (!current) return { kind: "skipped" }; // its endpoint was deleted meanwhile
  const at = now();
  const attemptNumber = current.attempts + 1;
  await tx.webhookDeliveryAttempt.create({
    data: {
      deliveryId: delivery.id,
      attemptNumber,
      replay: input.replay,
      statusCode: result.statusCode,
      responseTimeMs: result.responseTimeMs,
      responseBody: result.responseBody,
      error: result.error,
      at,
    },
  });
  let status: "delivered" | "retrying" | "failed";
  let next: Date | null = null;
  if (result.ok) status = "delivered";
  else if (input.replay) {
    // A replay that failed leaves the schedule as it was: still retrying, or failed.
    status = current.nextAttemptAt ? "retrying" : "failed";
    next = current.nextAttemptAt;
  } else {
    next = input.finalAttempt || input.attempt >= MAX_ATTEMPTS ? null : nextAttemptAt(input.attempt, at);
    status = next ? "retrying" : "failed";
    if (next) {
      await enqueue(queues.webhookDeliver, { deliveryId: delivery.id, attempt: input.attempt + 1 }, { tx, key: `${delivery.id}:attempt:${input.attempt + 1}`, startAfter: next });
    }
  }
  await tx.webhookDelivery.update({
    where: { id: delivery.id },
    data: {
      attempts: attemptNumber,
      status,
      nextAttemptAt: next,
      lastStatusCode: result.statusCode,
      lastError: result.error,
      lastResponseBody: result.responseBody,
      lastResponseTimeMs: result.responseTimeMs,
      lastAttemptAt: at,
      ...(result.ok ? { deliveredAt: at } : {}),
    },
  });
  await recordEndpointHealth(tx, { endpoint: delivery.endpoint, ok: result.ok, givenUp: status === "failed" && !input.replay, at, error: result.error });
  return { kind: status, statusCode: result.statusCode, attemptNumber, nextAttemptAt: next, error: result.error };
}

/**
 * A success clears the endpoint's failure streak. A failure starts one (`failingSince`); a delivery
 * given up counts one more, and when nothing has succeeded for three days the endpoint is disabled
 * and its owner emailed, once (the job is keyed by the endpoint and the time it was disabled).
 */
async function recordEndpointHealth(tx: Tx, input: { endpoint: WebhookEndpoint; ok: boolean; givenUp: boolean; at: Date; error: string | null }) {
  const { endpoint, at } = input;
  if (input.ok) {
    await tx.webhookEndpoint.updateMany({
      where: { id: endpoint.id, OR: [{ failingSince: { not: null } }, { consecutiveFailures: { gt: 0 } }] },
      data: { failingSince: null, consecutiveFailures: 0 },
    });
    return;
  }
  await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, failingSince: null }, data: { failingSince: at } });
  if (!input.givenUp) return;
  const row = await tx.webhookEndpoint.update({ where: { id: endpoint.id }, data: { consecutiveFailures: { increment: 1 } } });
  if (!row.enabled || !shouldDisable({ failingSince: row.failingSince, at })) return;
  const since = row.failingSince!.toISOString().slice(0, 16).replace("T", " ");
  const disabledReason = `Every delivery since ${since} UTC failed (${row.consecutiveFailures} given up; last: ${input.error ?? "no answer"}). Fix the endpoint, then enable it again.`;
  const disabled = await tx.webhookEndpoint.updateMany({ where: { id: endpoint.id, enabled: true }, data: { enabled: false, disabledAt: at, disabledReason } });
  if (disabled.count === 0) return;
  log.warn("webhook endpoint disabled after sustained failure", { endpointId: endpoint.id, workspaceId: endpoint.workspaceId });
  await enqueue(queues.webhookDisabledEmail, { endpointId: endpoint.id, disabledAt: at.toISOString() }, { tx, key: `${endpoint.id}:${at.toISOString()}` });
}

/** The `webhook-disabled-email` job: the owner is told what was disabled, why, and how to turn it back on. */
export async function emailOwnerAboutDisabledEndpoint(input: { endpointId: string; disabledAt: string }) {
  const endpoint = await db().webhookEndpoint.findUnique({ where: { id: input.endpointId }, include: { workspace: { include: { owner: true } } } });
  // Deleted, or enabled again (or disabled again later, which sends its own email) meanwhile: nothing to say.
  if (!endpoint || endpoint.enabled || endpoint.disabledAt?.toISOString() !== input.disabledAt) return { kind: "skipped" as const };
  const to = endpoint.workspace.owner.email;
  if (!to) return { kind: "skipped" as const };
  const text = [
    `Recoup stopped sending events to your webhook endpoint ${endpoint.url}${endpoint.description ? ` (${endpoint.description})` : ""}: it kept failing.`,
    "",
    endpoint.disabledReason ?? "",
    "",
    "Events that happen while it is disabled are not sent to it. Once it answers 2xx again, enable it in Recoup (Dashboard → Webhooks, or PUT /api/v1/webhooks/endpoints/{id} with enabled: true); failed deliveries can be replayed from the delivery log.",
    "",
    `Endpoint ${endpoint.id} · ${endpoint.workspace.name}`,
  ].join("\n");
  await emailOwnerNotice({
    workspace: endpoint.workspace,
    to,
    subject: `Webhook endpoint disabled: ${endpoint.url}`,
    text,
    messageId: `<webhook-disabled-${endpoint.id}-${Date.parse(input.disabledAt)}@recoup>`,
  });
  return { kind: "emailed" as const };
}

/** `POST /api/v1/webhooks/endpoints/{id}/test`: a `webhook.test` event, sent now, the result returned. */
export async function testWebhookEndpoint(input: { workspaceId: string; id: string }) {
  const endpoint = await getWebhookEndpoint(input);
  const event = { id: `evt_test_${randomBytes(12).toString("hex")}`, type: "webhook.test", createdAt: now(), payload: { endpointId: endpoint.id, message: "A test event from Recoup." } };
  const body = JSON.stringify(toWire(wireEvent({ ...event, payload: toWire(event.payload) as Prisma.JsonValue })));
  const result = await postSigned({ url: endpoint.url, secrets: signingSecretsOf(endpoint), eventId: event.id, body });
  return { success: result.ok, statusCode: result.statusCode, responseTimeMs: result.responseTimeMs, endpointId: endpoint.id, eventId: event.id, error: result.error };
}

/**
 * `POST /api/v1/webhooks/events/{id}/replay`: the delivery is sent again now, through a job, with the
 * same event id; its attempt is marked `replay`. A disabled endpoint is enabled first; a delivery not
 * sent yet has nothing to replay.
 */
export async function replayWebhookDelivery(input: { workspaceId: string; id: string }) {
  const replayed = await db().$transaction(async (tx) => {
    await tx.$queryRaw`SELECT id FROM "WebhookDelivery" WHERE id = ${input.id} AND "workspaceId" = ${input.workspaceId} FOR UPDATE`;
    const delivery = await tx.webhookDelivery.findFirst({ where: { id: input.id, workspaceId: input.workspaceId }, include: { endpoint: true } });
    if (!delivery) throw new AppError("webhook_delivery_not_found", "No webhook delivery with that id in this workspace.");
    if (!delivery.endpoint.enabled) throw new AppError("conflict", "Its endpoint is disabled: enable it (PUT /api/v1/webhooks/endpoints/{id} with enabled: true) before replaying.");
    if (delivery.attempts === 0) throw new AppError("conflict", "This delivery has not been sent yet: its first attempt is on its way.");
    const updated = await tx.webhookDelivery.update({
      where: { id: delivery.id },
      // Shown as pending until the replay's attempt is recorded; a delivery still retrying keeps its schedule.
      data: { replays: { increment: 1 }, ...(delivery.status === "retrying" ? {} : { status: "pending" }) },
    });
    await enqueue(queues.webhookDeliver, { deliveryId: delivery.id, replay: updated.replays }, { tx, key: `${delivery.id}:replay:${updated.replays}` });
    return updated;
  });
  return getWebhookDelivery({ workspaceId: input.workspaceId, id: replayed.id });
}

export const DELIVERY_STATUSES = ["delivered", "failed", "pending"] as const;
export type DeliveryStatusFilter = (typeof DELIVERY_STATUSES)[number];

/** LostChurn's three: a delivery retrying is still pending. */
const publicStatus = (status: string): DeliveryStatusFilter => (status === "delivered" || status === "failed" ? status : "pending");

type DeliveryRow = WebhookDelivery & { event: Pick<WebhookEvent, "type"> };

export function deliveryView(row: DeliveryRow) {
  return {
    id: row.id,
    endpointId: row.endpointId,
    eventId: row.eventId,
    eventType: row.event.type,
    status: publicStatus(row.status),
    attempts: row.attempts,
    replays: row.replays,
    statusCode: row.lastStatusCode,
    responseTimeMs: row.lastResponseTimeMs,
    responseBody: row.lastResponseBody,
    error: row.lastError,
    createdAt: row.createdAt,
    lastAttemptAt: row.lastAttemptAt,
    nextAttemptAt: row.nextAttemptAt,
    deliveredAt: row.deliveredAt,
  };
}

type DeliveryFilter = { workspaceId: string; endpointId?: string; status?: DeliveryStatusFilter };

function deliveryWhere(input: DeliveryFilter): Prisma.WebhookDeliveryWhereInput {
  return {
    workspaceId: input.workspaceId,
    ...(input.endpointId ? { endpointId: input.endpointId } : {}),
    ...(input.status === "pending" ? { status: { in: ["pending", "retrying"] } } : input.status ? { status: input.status } : {}),
  };
}

/** How many deliveries the log lists with these filters. */
export async function countWebhookDeliveries(input: DeliveryFilter): Promise<number> {
  return db().webhookDelivery.count({ where: deliveryWhere(input) });
}

/** The delivery log (LostChurn `GET /v1/webhooks/events`): newest first, by endpoint and status. */
export async function listWebhookDeliveries(input: DeliveryFilter & { page: PageRequest }) {
  const where = deliveryWhere(input);
  const page = await paginate(input.page, {
    find: (args) => db().webhookDelivery.findMany({ ...args, where: { ...where, ...args.where }, include: { event: { select: { type: true } } } }),
    count: () => db().webhookDelivery.count({ where }),
  });
  return { ...page, items: page.items.map(deliveryView) };
}

/** One delivery with the event as sent and every attempt, oldest first; another workspace's is not found. */
export async function getWebhookDelivery(input: { workspaceId: string; id: string }) {
  const row = await db().webhookDelivery.findFirst({
    where: { id: input.id, workspaceId: input.workspaceId },
    include: { event: true, attemptLog: { orderBy: { attemptNumber: "asc" } } },
  });
  if (!row) throw new AppError("webhook_delivery_not_found", "No webhook delivery with that id in this workspace.");
  return {
    ...deliveryView(row),
    event: { ...wireEvent(row.event), data: row.event.payload as Record<string, unknown> },
    attemptLog: row.attemptLog.map((a) => ({
      attemptNumber: a.attemptNumber,
      replay: a.replay,
      statusCode: a.statusCode,
      responseTimeMs: a.responseTimeMs,
      responseBody: a.responseBody,
      error: a.error,
      at: a.at,
    })),
  };
}
