// What alert rules sent (ADR 0077): the dashboard's list of recent dispatches, and all of them a
// batch at a time for its export, with the rule, the event (or the digest's period), the channel,
// the outcome and why it failed.
import { newestFirstAfter } from "~/domain/pagination.server";
import { db } from "~/utils/db.server";

export interface DispatchView {
  id: string;
  ruleId: string;
  ruleName: string;
  /** What the rule listens for (payment_failed…). */
  eventType: string;
  channel: string;
  status: string;
  /** The event's one line, or the digest's count. */
  about: string;
  eventCount: number;
  error: string | null;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
}

/**
 * The workspace's dispatches newest first: `limit` of them after `after` (the last one of the
 * previous batch; null for the newest).
 */
export async function listDispatches(input: { workspaceId: string; limit: number; after?: { createdAt: Date; id: string } | null }): Promise<DispatchView[]> {
  const rows = await db().alertDispatch.findMany({
    where: {
      workspaceId: input.workspaceId,
      ...newestFirstAfter(input.after),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
    include: { rule: { select: { name: true, eventType: true } } },
  });
  const eventIds = rows.map((r) => r.eventId).filter((id): id is string => id !== null);
  const events = eventIds.length
    ? await db().webhookEvent.findMany({ where: { id: { in: eventIds }, workspaceId: input.workspaceId }, select: { id: true, summary: true, alertEventType: true } })
    : [];
  const summaryOf = new Map(events.map((e) => [e.id, e.summary ?? e.alertEventType ?? "event"]));
  return rows.map((r) => ({
    id: r.id,
    ruleId: r.ruleId,
    ruleName: r.rule.name,
    eventType: r.rule.eventType,
    channel: r.channel,
    status: r.status,
    about: r.periodStart ? `Digest: ${r.eventCount} event${r.eventCount === 1 ? "" : "s"}` : (r.eventId && summaryOf.get(r.eventId)) || "An event since deleted",
    eventCount: r.eventCount,
    error: r.error,
    attempts: r.attempts,
    createdAt: r.createdAt,
    sentAt: r.sentAt,
  }));
}

/** The latest `limit` dispatches: the alerts page's "Recently sent". */
export async function listRecentDispatches(input: { workspaceId: string; limit: number }): Promise<DispatchView[]> {
  return listDispatches({ workspaceId: input.workspaceId, limit: input.limit });
}

/** How many dispatches the workspace's rules have made. */
export async function countDispatches(input: { workspaceId: string }): Promise<number> {
  return db().alertDispatch.count({ where: { workspaceId: input.workspaceId } });
}
