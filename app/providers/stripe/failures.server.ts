import { emailOwnerNotice } from "~/domain/messages/owner-notice.server";
import { db, type Tx } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";

// Stripe events we acknowledged but could not apply (ADR 0025): retried on a short horizon, then a
// long one, replayable and swept like every inbox event (app/domain/inbox); on top of that, shown to
// the merchant once they keep failing and mailed to the owner once given up.

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
 * A Stripe event given up after the long horizon (the inbox tells, in the transaction recording it):
 * the owner is mailed, one email per workspace and day however many events.
 */
export async function alertOwnerAboutFailedEvents(tx: Tx, workspaceId: string, at: Date) {
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
  await emailOwnerNotice({ workspace, to: workspace.owner.email, subject, text, messageId: `<stripe-events-failed-${workspace.id}-${input.day}@recoup>` });
  return { kind: "emailed" as const };
}
