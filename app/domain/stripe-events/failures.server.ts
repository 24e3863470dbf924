import { escapeHtml } from "~/domain/dunning/templates";
import { deliverEmail } from "~/domain/mail/outbox.server";
import { db, type Tx } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { log } from "~/utils/logger.server";
import { enqueue, withLiveJobs } from "~/utils/queue.server";
import { queues, stagesOf } from "../../../jobs/queues";

// Stripe events we acknowledged but could not apply (ADR 0025): retried on a short horizon, then a
// long one; shown to the merchant once they keep failing, mailed to the owner once given up, and
// replayable by the merchant (dashboard) or an operator (CLI).

/** An event that failed this many times has spent its short horizon and is on the long one. */
const DELAYED_AFTER_ATTEMPTS = queues.stripeEvent.options.retryLimit + 1;

export interface StripeEventBacklog {
  /** Still retried (long horizon): the merchant's recoveries wait for them. */
  delayed: number;
  /** Given up after the long horizon: only a replay applies them. */
  failed: number;
  lastError: string | null;
}

/** What the merchant sees on the dashboard about their unprocessed Stripe events. */
export async function stripeEventBacklog(input: { workspaceId: string }): Promise<StripeEventBacklog> {
  const [delayed, failed, latest] = await Promise.all([
    db().stripeEvent.count({ where: { workspaceId: input.workspaceId, status: "retrying", attempts: { gte: DELAYED_AFTER_ATTEMPTS } } }),
    db().stripeEvent.count({ where: { workspaceId: input.workspaceId, status: "failed" } }),
    db().stripeEvent.findFirst({
      where: { workspaceId: input.workspaceId, OR: [{ status: "failed" }, { status: "retrying", attempts: { gte: DELAYED_AFTER_ATTEMPTS } }] },
      orderBy: { receivedAt: "desc" },
      select: { lastError: true },
    }),
  ]);
  return { delayed, failed, lastError: latest?.lastError ?? null };
}

/**
 * Records a failed run. While retries remain the event is `retrying`; after the last one it is
 * `failed` and the owner is mailed (one email per workspace and day, however many events).
 */
export async function recordStripeEventFailure(input: { id: string; workspaceId: string | null; error: unknown; lastAttempt: boolean; at: Date }) {
  await db().$transaction(async (tx) => {
    await tx.stripeEvent.update({
      where: { id: input.id },
      data: {
        attempts: { increment: 1 },
        lastError: String((input.error as Error)?.message ?? input.error).slice(0, 2000),
        status: input.lastAttempt ? "failed" : "retrying",
        workspaceId: input.workspaceId ?? undefined,
      },
    });
    if (input.lastAttempt && input.workspaceId) await alertOwner(tx, input.workspaceId, input.at);
  });
}

async function alertOwner(tx: Tx, workspaceId: string, at: Date) {
  const day = at.toISOString().slice(0, 10);
  await enqueue(queues.stripeEventsFailedEmail, { workspaceId, day }, { tx, key: `${workspaceId}:${day}` });
}

/** The `stripe-events-failed-email` job: tells the owner which events are stuck and how to replay them. */
export async function emailOwnerAboutFailedEvents(input: { workspaceId: string; day: string }) {
  const workspace = await db().workspace.findUnique({ where: { id: input.workspaceId }, include: { owner: true } });
  if (!workspace?.owner.email) return { kind: "skipped" as const };
  const failed = await db().stripeEvent.findMany({
    where: { workspaceId: workspace.id, status: "failed" },
    orderBy: { receivedAt: "asc" },
    select: { eventId: true, type: true, lastError: true },
    take: 20,
  });
  if (failed.length === 0) return { kind: "skipped" as const };
  const dashboard = `${env().APP_URL}/dashboard`;
  const subject = `Recoup could not process ${failed.length === 1 ? "a payment event" : `${failed.length} payment events`} from Stripe`;
  const text = [
    `Hello,`,
    `For three days Recoup tried to process ${failed.length === 1 ? "this event" : "these events"} from your Stripe account, and could not. Until ${failed.length === 1 ? "it is" : "they are"} processed, the failed payment${failed.length === 1 ? "" : "s"} behind ${failed.length === 1 ? "it" : "them"} may not be recovered.`,
    failed.map((e) => `- ${e.type} (${e.eventId}): ${e.lastError ?? "unknown error"}`).join("\n"),
    `Once the cause is fixed (most often Stripe was unreachable, or the account's access was revoked), press "Retry now" on your dashboard: ${dashboard}`,
    `Workspace: ${workspace.name}`,
  ].join("\n\n");
  await deliverEmail(
    {
      to: workspace.owner.email,
      subject,
      text,
      html: text
        .split("\n\n")
        .map((p) => `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`)
        .join(""),
      messageId: `<stripe-events-failed-${workspace.id}-${input.day}@recoup>`,
    },
    // Without SMTP the owner reads it in the outbox, like every other notice about the workspace.
    { kind: "owner_notice", workspaceId: workspace.id, recipientUserId: workspace.ownerUserId, audience: "members" },
  );
  return { kind: "emailed" as const };
}

/**
 * Runs failed and delayed events again now, each once more: the merchant's "Retry now" (their
 * workspace only) or the operator's `events replay` (one workspace, one event, or every one).
 */
export async function replayStripeEvents(input: { workspaceId?: string; eventId?: string }): Promise<{ replayed: string[] }> {
  const rows = await db().stripeEvent.findMany({
    where: {
      ...(input.workspaceId ? { workspaceId: input.workspaceId } : {}),
      ...(input.eventId ? { eventId: input.eventId } : {}),
      status: { in: ["failed", "retrying"] },
    },
    select: { id: true, eventId: true, attempts: true },
    orderBy: { receivedAt: "asc" },
  });
  for (const row of rows) {
    await db().$transaction(async (tx) => {
      await tx.stripeEvent.update({ where: { id: row.id }, data: { status: "pending" } });
      // One replay per failure: pressing twice before it ran sends one job.
      await enqueue(queues.stripeEvent, { stripeEventId: row.id }, { tx, key: `${row.eventId}:replay:${row.attempts}` });
    });
  }
  if (rows.length) log.info("stripe events replayed", { count: rows.length, workspaceId: input.workspaceId });
  return { replayed: rows.map((r) => r.eventId) };
}

/** Older than this, an event waiting with no job lost it (its job's creation is in the row's transaction). */
const ORPHANED_AFTER_MS = 10 * 60_000;

/**
 * The `stripe-event-sweep` job (every 10 minutes): an event still `pending` or `retrying` that no job
 * holds any more (a worker crashed during its last short-horizon run, so the run expired into the
 * dead-letter queue instead of handing over) continues on the long horizon.
 */
export async function requeueOrphanedStripeEvents(): Promise<{ requeued: string[] }> {
  const later = queues.stripeEvent.later!;
  // receivedAt is the database's clock (never the engine's virtual one).
  const cutoff = new Date(Date.now() - ORPHANED_AFTER_MS);
  const requeued: string[] = [];
  let after: { receivedAt: Date; id: string } | null = null;
  for (let page = 0; page < 20; page++) {
    const rows: Array<{ id: string; eventId: string; attempts: number; receivedAt: Date }> = await db().stripeEvent.findMany({
      where: {
        status: { in: ["pending", "retrying"] },
        receivedAt: { lt: cutoff },
        ...(after ? { OR: [{ receivedAt: { gt: after.receivedAt } }, { receivedAt: after.receivedAt, id: { gt: after.id } }] } : {}),
      },
      select: { id: true, eventId: true, attempts: true, receivedAt: true },
      orderBy: [{ receivedAt: "asc" }, { id: "asc" }],
      take: 500,
    });
    if (rows.length === 0) break;
    const live = await withLiveJobs(stagesOf(queues.stripeEvent).map((q) => q.name), "stripeEventId", rows.map((r) => r.id));
    for (const row of rows.filter((r) => !live.has(r.id))) {
      await enqueue(later, { stripeEventId: row.id }, { key: `${row.eventId}:orphan:${row.attempts}` });
      requeued.push(row.eventId);
    }
    after = rows[rows.length - 1]!;
  }
  if (requeued.length) log.warn("stripe events without a job sent to the long horizon", { count: requeued.length });
  return { requeued };
}
