// Digests (ADR 0077): the alert-digests job runs every 15 minutes and, for each enabled digest rule
// whose period is due (periods.ts, in the workspace's zone), makes that period's one dispatch:
// `digest:<period start>` is unique per rule, so several workers or a late run make exactly one. A
// period without a matching event is recorded as skipped and sends nothing.
import { now } from "~/utils/clock.server";
import { db, type Prisma } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import { DIGEST_LISTED, type DigestFacts } from "./content";
import { latestDuePeriod } from "./periods";
import { viewOf, type AlertRuleView } from "./rules.server";
import type { AlertFilter } from "./schemas";

/** The filter as a WebhookEvent query: the same rule as matchesFilter (match.ts), for a whole period. */
export function whereOfFilter(filter: AlertFilter): Prisma.WebhookEventWhereInput {
  return {
    ...(filter.amountMinMinor !== undefined ? { amountMinor: { gte: filter.amountMinMinor } } : {}),
    ...(filter.providers?.length ? { provider: { in: filter.providers } } : {}),
    ...(filter.failureCodes?.length ? { failureCode: { in: filter.failureCodes } } : {}),
    ...(filter.paymentMethods?.length ? { paymentMethod: { in: filter.paymentMethods } } : {}),
  };
}

function periodWhere(rule: AlertRuleView, periodStart: Date, periodEnd: Date): Prisma.WebhookEventWhereInput {
  return { workspaceId: rule.workspaceId, alertEventType: rule.eventType, createdAt: { gte: periodStart, lt: periodEnd }, ...whereOfFilter(rule.filter) };
}

/** A period's matching events: counted, totalled per currency, the first DIGEST_LISTED listed. */
export async function digestFacts(input: { rule: AlertRuleView; periodStart: Date; periodEnd: Date; timeZone: string }): Promise<DigestFacts> {
  const where = periodWhere(input.rule, input.periodStart, input.periodEnd);
  const [eventCount, sums, events] = await Promise.all([
    db().webhookEvent.count({ where }),
    db().webhookEvent.groupBy({ by: ["currency"], where: { AND: [where, { currency: { not: null }, amountMinor: { not: null } }] }, _sum: { amountMinor: true }, orderBy: { currency: "asc" } }),
    db().webhookEvent.findMany({
      where,
      orderBy: [{ createdAt: "asc" }, { id: "asc" }],
      take: DIGEST_LISTED,
      select: { id: true, alertEventType: true, summary: true, amountMinor: true, currency: true, provider: true, failureCode: true, paymentMethod: true, recoveryId: true, createdAt: true },
    }),
  ]);
  return {
    cadence: input.rule.cadence === "weekly_digest" ? "weekly_digest" : "daily_digest",
    periodStart: input.periodStart,
    periodEnd: input.periodEnd,
    timeZone: input.timeZone,
    eventCount,
    totals: sums.map((s) => ({ currency: s.currency!.toUpperCase(), amountMinor: s._sum.amountMinor ?? 0 })),
    events,
  };
}

export const digestKey = (periodStart: Date) => `digest:${periodStart.toISOString()}`;

/** The alert-digests job: each due digest rule's one dispatch for its latest period. */
export async function runAlertDigests(input: { at?: Date } = {}): Promise<{ made: number; skipped: number }> {
  const at = input.at ?? now();
  const rules = await db().alertRule.findMany({
    where: { enabled: true, cadence: { in: ["daily_digest", "weekly_digest"] } },
    include: { workspace: { select: { timezone: true } } },
  });
  let made = 0;
  let skipped = 0;
  for (const row of rules) {
    const rule = viewOf(row);
    const period = latestDuePeriod({ cadence: rule.cadence as "daily_digest" | "weekly_digest", timeZone: row.workspace.timezone, at });
    // A rule made after its period's digest was due starts with the next one.
    if (period.dueAt < rule.createdAt) continue;
    const dedupeKey = digestKey(period.start);
    const exists = await db().alertDispatch.findUnique({ where: { ruleId_dedupeKey: { ruleId: rule.id, dedupeKey } }, select: { id: true } });
    if (exists) continue;
    const eventCount = await db().webhookEvent.count({ where: periodWhere(rule, period.start, period.end) });
    await db().$transaction(async (tx) => {
      const [dispatch] = await tx.alertDispatch.createManyAndReturn({
        data: {
          workspaceId: rule.workspaceId,
          ruleId: rule.id,
          dedupeKey,
          channel: rule.channel,
          eventCount,
          periodStart: period.start,
          periodEnd: period.end,
          status: eventCount ? "pending" : "skipped",
          error: eventCount ? null : "No matching event in this period: nothing was sent.",
          createdAt: now(),
        },
        skipDuplicates: true,
        select: { id: true },
      });
      if (!dispatch) return;
      if (eventCount) {
        made += 1;
        await enqueue(queues.alertDispatch, { dispatchId: dispatch.id }, { tx, key: dispatch.id });
      } else skipped += 1;
    });
  }
  return { made, skipped };
}
