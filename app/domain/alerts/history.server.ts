// What alert rules sent lately (ADR 0077): the dashboard's list of recent dispatches, with the rule,
// the event (or the digest's period), the channel, the outcome and why it failed.
import { db } from "~/utils/db.server";

export interface DispatchView {
  id: string;
  ruleId: string;
  ruleName: string;
  channel: string;
  status: string;
  /** The event's one line, or the digest's count. */
  about: string;
  error: string | null;
  attempts: number;
  createdAt: Date;
  sentAt: Date | null;
}

export async function listRecentDispatches(input: { workspaceId: string; limit: number }): Promise<DispatchView[]> {
  const rows = await db().alertDispatch.findMany({
    where: { workspaceId: input.workspaceId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
    include: { rule: { select: { name: true } } },
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
    channel: r.channel,
    status: r.status,
    about: r.periodStart ? `Digest: ${r.eventCount} event${r.eventCount === 1 ? "" : "s"}` : (r.eventId && summaryOf.get(r.eventId)) || "An event since deleted",
    error: r.error,
    attempts: r.attempts,
    createdAt: r.createdAt,
    sentAt: r.sentAt,
  }));
}
