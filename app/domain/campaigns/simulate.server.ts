// Overlap check and simulation (LostChurn 27–28, ADR 0070): the workspace's own recent failed
// payments replayed through the code the engine runs: the campaign choice (model.ts
// chooseCampaign), each step's due time (dunning/schedule.ts) and the email plan
// (recovery/email-plan.ts planSequenceEmail), on a virtual clock. No separate model.
import { DEFAULT_SEQUENCE } from "~/domain/dunning/default-sequence";
import { stepDueAt } from "~/domain/dunning/schedule";
import { AppError } from "~/domain/errors";
import { planSequenceEmail } from "~/domain/recovery/email-plan";
import { classifyFailure, retrySettingsFor } from "~/domain/recovery/policy";
import { failureInputOf } from "~/domain/recovery/engine.server";
import { now } from "~/utils/clock.server";
import { zoneOf } from "~/utils/customer-zone";
import { db } from "~/utils/db.server";
import type { Recovery } from "../../../generated/prisma/client";
import { campaignCandidates } from "./campaigns.server";
import { earliest, factsOf, needsHistory } from "./enrollment.server";
import { byPrecedence, chooseCampaign, claims, precedenceReason, REPEAT_FAILURE_DAYS, type CampaignCandidate, type CampaignFilters, type EnrollmentFacts } from "./model";

const DAY = 86_400_000;
/** At most this many failed payments are replayed (the newest): enough for a rate, bounded in time. */
export const MAX_REPLAYED = 5000;
const PROPOSED = "proposed";

interface Proposal {
  workspaceId: string;
  trigger: string;
  filters: CampaignFilters;
  priority?: number;
  /** The campaign being checked, when it exists: it is left out of the others. */
  campaignId?: string;
  lookbackDays: number;
  /** The key's mode: only its payments (ADR 0032). */
  livemode?: boolean;
}

/** The window's failed payments with their facts, the customers' history read in bulk. */
async function replayedFailures(input: Proposal, history: boolean) {
  const to = now();
  const from = new Date(to.getTime() - input.lookbackDays * DAY);
  const rows = await db().recovery.findMany({
    where: { workspaceId: input.workspaceId, startedAt: { gte: from, lte: to }, erasedAt: null, ...(input.livemode === undefined ? {} : { livemode: input.livemode }) },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    take: MAX_REPLAYED,
  });
  const byCustomer = new Map<string, { since: Date | null; starts: number[] }>();
  if (history && rows.length > 0) {
    const customers = [...new Set(rows.map((r) => r.externalCustomerId))];
    const [earlier, payments, people] = await Promise.all([
      db().recovery.findMany({
        where: { workspaceId: input.workspaceId, externalCustomerId: { in: customers }, startedAt: { gte: new Date(from.getTime() - REPEAT_FAILURE_DAYS * DAY), lte: to } },
        select: { externalCustomerId: true, startedAt: true },
      }),
      db().customerPayment.groupBy({ by: ["externalCustomerId"], where: { workspaceId: input.workspaceId, externalCustomerId: { in: customers } }, _min: { paidAt: true } }),
      db().customer.findMany({ where: { workspaceId: input.workspaceId, externalId: { in: customers } }, select: { externalId: true, createdAt: true } }),
    ]);
    const firstPaid = new Map(payments.map((p) => [p.externalCustomerId, p._min.paidAt]));
    const created = new Map(people.map((p) => [p.externalId, p.createdAt]));
    for (const c of customers) byCustomer.set(c, { since: earliest(firstPaid.get(c), created.get(c)), starts: [] });
    for (const e of earlier) byCustomer.get(e.externalCustomerId)?.starts.push(e.startedAt.getTime());
  }
  return rows.map((r) => {
    const h = byCustomer.get(r.externalCustomerId);
    const t = r.startedAt.getTime();
    const priorFailures = h ? h.starts.filter((s) => s < t && s >= t - REPEAT_FAILURE_DAYS * DAY).length : 0;
    return { row: r, facts: factsOf(r, { priorFailures, customerSince: h?.since ?? null }) };
  });
}

async function setting(input: Proposal, stepCount: number) {
  const others = (await campaignCandidates(db(), input.workspaceId)).filter((c) => c.id !== input.campaignId);
  const proposed: CampaignCandidate = {
    id: PROPOSED,
    name: "This campaign",
    status: "active",
    trigger: input.trigger,
    filters: input.filters,
    priority: input.priority ?? 100,
    updatedAt: now(),
    stepCount: Math.max(1, stepCount),
  };
  return { others, proposed };
}

/** The campaigns that would claim the same payments as the proposal, how many each, and which wins. */
function overlapsOf(replayed: Array<{ facts: EnrollmentFacts }>, proposed: CampaignCandidate, others: Array<CampaignCandidate & { row: unknown }>) {
  const shared = new Map<string, number>();
  for (const { facts } of replayed) {
    if (!claims(proposed, facts)) continue;
    for (const o of others) if (o.stepCount > 0 && claims(o, facts)) shared.set(o.id, (shared.get(o.id) ?? 0) + 1);
  }
  return others
    .filter((o) => shared.has(o.id))
    .map((o) => {
      const proposedWins = byPrecedence(proposed, o) < 0;
      return {
        campaignId: o.id,
        name: o.name,
        priority: o.priority,
        trigger: o.trigger,
        sharedFailures: shared.get(o.id)!,
        winner: proposedWins ? ("this_campaign" as const) : ("existing_campaign" as const),
        reason: proposedWins ? `This campaign wins: ${precedenceReason(proposed, o)}.` : `\u201c${o.name}\u201d wins: ${precedenceReason(o, proposed)}.`,
      };
    })
    .sort((a, b) => b.sharedFailures - a.sharedFailures);
}

export async function checkOverlap(input: Proposal) {
  const { others, proposed } = await setting(input, 1);
  const replayed = await replayedFailures(input, needsHistory([proposed, ...others]));
  const claimed = replayed.filter((r) => claims(proposed, r.facts));
  const campaigns = overlapsOf(replayed, proposed, others);
  const won = claimed.filter((r) => chooseCampaign([proposed, ...others], r.facts)?.id === PROPOSED).length;
  return {
    overlaps: campaigns.length > 0,
    lookbackDays: input.lookbackDays,
    failuresChecked: replayed.length,
    wouldClaim: claimed.length,
    wouldWin: won,
    campaigns,
    precedence:
      "Among active campaigns that claim the same failed payment, the lower priority number wins; at equal priority the more specific campaign (narrower trigger, more filters); then the one updated last.",
  };
}

type Row = Recovery;

/**
 * Replays the last `lookbackDays` of the workspace's failed payments as if the campaign had been
 * active: which it would have enrolled (against today's active campaigns), when each step's email
 * would have gone (or why not), and which recoveries came after which email.
 */
export async function simulateCampaign(input: Proposal & { steps?: ReadonlyArray<{ delayHours: number }> }) {
  let steps = input.steps;
  let stepsSource: "campaign" | "request" | "standard_template" = "request";
  if (!steps && input.campaignId) {
    const own = await db().dunningSequence.findFirst({ where: { id: input.campaignId, workspaceId: input.workspaceId }, include: { steps: { orderBy: { position: "asc" } } } });
    if (!own) throw new AppError("campaign_not_found", "No campaign with that id in this workspace.");
    steps = own.steps;
    stepsSource = "campaign";
  }
  if (!steps || steps.length === 0) {
    steps = DEFAULT_SEQUENCE.steps;
    stepsSource = "standard_template";
  }
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: input.workspaceId } });
  const settings = retrySettingsFor(workspace);
  const { others, proposed } = await setting(input, steps.length);
  const replayed = await replayedFailures(input, needsHistory([proposed, ...others]));
  const enrolled = replayed.filter((r) => chooseCampaign([proposed, ...others], r.facts)?.id === PROPOSED);

  // The customer-action emails the engine really sent (they count toward the three per payment), and each customer's zone.
  const ids = enrolled.map((r) => r.row.id);
  const [actionEmails, customers] = await Promise.all([
    ids.length
      ? db().dunningMessage.findMany({
          where: { recoveryId: { in: ids }, kind: { in: ["card_update_request", "authentication_request"] }, status: { notIn: ["skipped", "failed"] } },
          select: { recoveryId: true, createdAt: true, sentAt: true },
        })
      : [],
    db().customer.findMany({ where: { id: { in: enrolled.map((r) => r.row.customerId).filter((c): c is string => c !== null) } }, select: { id: true, timezone: true, country: true } }),
  ]);
  const zoneOfCustomer = new Map(customers.map((c) => [c.id, c.timezone]));
  const requested = new Map<string, Date[]>();
  for (const m of actionEmails) requested.set(m.recoveryId, [...(requested.get(m.recoveryId) ?? []), m.sentAt ?? m.createdAt]);

  const horizon = now();
  const byStep = steps.map((_, i) => ({ position: i + 1, emailsSent: 0, notSent: 0, stillScheduled: 0, recoveriesAfter: 0 }));
  let recoveredBeforeFirstEmail = 0;
  const recoveredAmount = new Map<string, number>();
  for (const { row } of enrolled) {
    const replay = replaySteps(row, steps, {
      sent: requested.get(row.id) ?? [],
      zone: zoneOf(row.customerId ? zoneOfCustomer.get(row.customerId) : null, workspace.timezone),
      settings,
      horizon,
    });
    replay.forEach((state, i) => {
      const s = byStep[i]!;
      if (state === "sent") s.emailsSent++;
      else if (state === "scheduled") s.stillScheduled++;
      else if (state === "not_sent") s.notSent++;
    });
    if (row.status === "recovered") {
      const lastSent = replay.lastIndexOf("sent");
      if (lastSent >= 0) byStep[lastSent]!.recoveriesAfter++;
      else recoveredBeforeFirstEmail++;
      recoveredAmount.set(row.currency, (recoveredAmount.get(row.currency) ?? 0) + (row.recoveredAmountMinor ?? row.amountDueMinor));
    }
  }
  const claimedElsewhere = replayed.filter((r) => claims(proposed, r.facts)).length - enrolled.length;
  return {
    lookbackDays: input.lookbackDays,
    failuresConsidered: replayed.length,
    wouldEnroll: enrolled.length,
    claimedByOtherCampaigns: claimedElsewhere,
    emailsSent: byStep.reduce((n, s) => n + s.emailsSent, 0),
    stepsSource,
    byStep,
    recoveredBeforeFirstEmail,
    expectedRecoveries: byStep.reduce((n, s) => n + s.recoveriesAfter, 0),
    expectedRecoveryRate: enrolled.length ? Math.round((byStep.reduce((n, s) => n + s.recoveriesAfter, 0) / enrolled.length) * 1000) / 1000 : 0,
    recoveredAmounts: [...recoveredAmount].map(([currency, amountCents]) => ({ currency, amountCents })),
    overlaps: overlapsOf(replayed, proposed, others),
  };
}

type StepState = "sent" | "not_sent" | "closed_before" | "scheduled";

/**
 * One recovery's steps on a virtual clock, as the dunning-step job plans them: each step due
 * `delayHours` after the failure, then planSequenceEmail (three emails per payment, a day apart,
 * daytime, quiet hours). A step due after the recovery closed is not sent; after `horizon` it is
 * still scheduled. A skip ends the sequence (its reasons hold for the later steps too).
 */
export function replaySteps(
  row: Pick<Row, "startedAt" | "endedAt" | "status" | "experimentParams"> & Parameters<typeof failureInputOf>[0],
  steps: ReadonlyArray<{ delayHours: number }>,
  ctx: { sent: Date[]; zone: string; settings: ReturnType<typeof retrySettingsFor>; horizon: Date },
): StepState[] {
  const classification = classifyFailure(failureInputOf(row, null));
  const sent = [...ctx.sent];
  const out: StepState[] = [];
  let stopped = false;
  for (const step of steps) {
    if (stopped) {
      out.push("not_sent");
      continue;
    }
    const due = stepDueAt(row, step.delayHours);
    const last = sent.length ? new Date(Math.max(...sent.map((d) => d.getTime()))) : null;
    const plan = planSequenceEmail({
      classification,
      stepDueAt: due,
      sentForRecovery: sent,
      lastEmailToCustomerAt: last,
      customerActedAt: null,
      nextAction: { kind: null, at: null },
      zone: ctx.zone,
      settings: ctx.settings,
      now: due,
    });
    if (plan.kind === "skip") {
      out.push("not_sent");
      stopped = true;
      continue;
    }
    if (row.endedAt && row.endedAt.getTime() <= plan.at.getTime()) {
      out.push("closed_before");
      stopped = true;
      continue;
    }
    if (plan.at.getTime() > ctx.horizon.getTime()) {
      out.push("scheduled");
      continue;
    }
    out.push("sent");
    sent.push(plan.at);
  }
  return out;
}
