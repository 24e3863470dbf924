// Which campaign a new recovery follows (ADR 0070): the facts of its failed payment, checked
// against the workspace's active campaigns in precedence order (model.ts). Called by the dunning
// listener inside the engine's transaction that opens the recovery; the simulation and the overlap
// check build the same facts for past recoveries.
import { chosenCampaignId } from "~/domain/recovery/experiments";
import { classifyFailure } from "~/domain/recovery/policy";
import { failureInputOf } from "~/domain/recovery/engine.server";
import { AppError } from "~/domain/errors";
import { endEnrollment, MOVED_TO_CAMPAIGN, scheduleSequence, skipWaitingSequenceEmails } from "~/domain/dunning/messages.server";
import { now } from "~/utils/clock.server";
import type { Db, Tx } from "~/utils/db.server";
import type { Recovery } from "../../../generated/prisma/client";
import { campaignCandidates } from "./campaigns.server";
import { chooseCampaign, REPEAT_FAILURE_DAYS, type CampaignCandidate, type EnrollmentFacts } from "./model";

const DAY = 86_400_000;

/** Whether any of these campaigns looks at the customer's history (repeat failures, segments). */
export function needsHistory(campaigns: readonly Pick<CampaignCandidate, "trigger" | "filters">[]): boolean {
  return campaigns.some((c) => c.trigger === "repeated_failure" || c.filters.customer_segments !== undefined);
}

export type RecoveryFacts = Pick<
  Recovery,
  "id" | "workspaceId" | "provider" | "amountDueMinor" | "currency" | "planId" | "externalCustomerId" | "customerId" | "startedAt" | "lastFailureAt"
> &
  Parameters<typeof failureInputOf>[0];

/** A recovery's failed payment as campaigns see it, given its customer's history (read by the caller, one by one or in bulk). */
export function factsOf(recovery: RecoveryFacts, history: { priorFailures: number; customerSince: Date | null }): EnrollmentFacts {
  const classification = classifyFailure(failureInputOf(recovery, null));
  return {
    provider: recovery.provider,
    amountMinor: recovery.amountDueMinor,
    currency: recovery.currency,
    category: classification.category,
    subcategory: classification.subcategory,
    declineCode: classification.code,
    planId: recovery.planId,
    priorFailures: history.priorFailures,
    customerSince: history.customerSince,
    failedAt: recovery.startedAt,
  };
}

const NO_HISTORY = { priorFailures: 0, customerSince: null };

/** The earliest of the known first sightings of a customer. */
export function earliest(...dates: Array<Date | null | undefined>): Date | null {
  const ms = dates.filter((d): d is Date => d instanceof Date).map((d) => d.getTime());
  return ms.length ? new Date(Math.min(...ms)) : null;
}

/** One recovery's facts, its customer's history read only when `history` asks. */
export async function enrollmentFactsOf(client: Db | Tx, recovery: RecoveryFacts, history: boolean): Promise<EnrollmentFacts> {
  if (!history) return factsOf(recovery, NO_HISTORY);
  const since = new Date(recovery.startedAt.getTime() - REPEAT_FAILURE_DAYS * DAY);
  const [prior, firstPayment, customer] = await Promise.all([
    client.recovery.count({
      where: { workspaceId: recovery.workspaceId, externalCustomerId: recovery.externalCustomerId, id: { not: recovery.id }, startedAt: { gte: since, lt: recovery.startedAt } },
    }),
    client.customerPayment.findFirst({
      where: { workspaceId: recovery.workspaceId, provider: recovery.provider, externalCustomerId: recovery.externalCustomerId },
      orderBy: { paidAt: "asc" },
      select: { paidAt: true },
    }),
    recovery.customerId ? client.customer.findUnique({ where: { id: recovery.customerId }, select: { createdAt: true } }) : null,
  ]);
  return factsOf(recovery, { priorFailures: prior, customerSince: earliest(firstPayment?.paidAt, customer?.createdAt) });
}

/**
 * Enrolls a just-opened recovery in the active campaign that claims it first, inside `tx`: the
 * enrollment row (once per recovery and campaign) and the campaign with its steps; null when no
 * active campaign claims it.
 */
export async function enrollRecovery(tx: Tx, recovery: RecoveryFacts & Pick<Recovery, "holdout" | "experimentParams">) {
  // Held out: no campaign, no email from Recoup (ADR 0072).
  if (recovery.holdout) return null;
  const candidates = await campaignCandidates(tx, recovery.workspaceId);
  if (candidates.length === 0) return null;
  // A campaign-choice experiment's variant names the campaign, while it is active with steps.
  const assigned = chosenCampaignId(recovery.experimentParams);
  const forced = assigned ? candidates.find((c) => c.id === assigned && c.stepCount > 0) : undefined;
  const chosen = forced ?? chooseCampaign(candidates, await enrollmentFactsOf(tx, recovery, needsHistory(candidates)));
  if (!chosen) return null;
  await tx.campaignEnrollment.createMany({
    data: [{ workspaceId: recovery.workspaceId, campaignId: chosen.id, recoveryId: recovery.id, totalSteps: chosen.stepCount, enrolledAt: now() }],
    skipDuplicates: true,
  });
  return chosen.row;
}

/**
 * Enrolls an open recovery in the campaign the merchant chose (not the one the rules would pick),
 * inside `tx`: the campaign must be active with at least one step (else campaign_state_conflict).
 * The recovery's running enrollment ends as `moved_to_campaign` (endEnrollment, as a closed
 * recovery's does), so the old campaign's waiting step jobs end without sending (runDunningStep
 * checks for it) and its emails not yet handed over are skipped; then the chosen campaign's first
 * step is scheduled (scheduleSequence, as for a new recovery). Each step's email still goes at most
 * once per recovery. A recovery already following this campaign is left as it is.
 */
export async function enrollRecoveryInCampaign(
  tx: Tx,
  input: { workspaceId: string; recoveryId: string; campaignId: string },
): Promise<{ recoveryId: string; outcome: "enrolled" | "already_enrolled" | "held_out" | "closed"; previousCampaignId: string | null }> {
  // The campaign's row lock: a pause or archive (applyTransition) waits for this enrollment, or it waits for them.
  await tx.$executeRaw`SELECT 1 FROM "DunningSequence" WHERE id = ${input.campaignId} AND "workspaceId" = ${input.workspaceId} FOR UPDATE`;
  const campaign = await tx.dunningSequence.findFirst({
    where: { id: input.campaignId, workspaceId: input.workspaceId },
    include: { steps: { orderBy: [{ position: "asc" }, { id: "asc" }] } },
  });
  if (!campaign) throw new AppError("campaign_not_found", "No campaign with this id in this workspace.");
  if (campaign.status !== "active" || campaign.steps.length === 0) {
    throw new AppError(
      "campaign_state_conflict",
      campaign.status !== "active"
        ? `\u201c${campaign.name}\u201d is ${campaign.status}; only an active campaign can take enrollments. Activate it first.`
        : `\u201c${campaign.name}\u201d has no steps; add one before enrolling anyone.`,
      { status: campaign.status },
    );
  }
  const recovery = await tx.recovery.findFirst({ where: { id: input.recoveryId, workspaceId: input.workspaceId } });
  if (!recovery) throw new AppError("recovery_not_found", "No recovery with this id in this workspace.");
  const previousCampaignId = recovery.sequenceId;
  const result = (outcome: "enrolled" | "already_enrolled" | "held_out" | "closed") => ({ recoveryId: recovery.id, outcome, previousCampaignId });
  if (recovery.status !== "pending") return result("closed");
  // Held out (ADR 0072): Recoup sends it nothing, whoever asks.
  if (recovery.holdout) return result("held_out");
  const current = await tx.campaignEnrollment.findFirst({ where: { recoveryId: recovery.id, campaignId: campaign.id, status: { in: ["active", "paused"] } } });
  if (current && recovery.sequenceId === campaign.id) return result("already_enrolled");
  await endEnrollment({ tx, recoveryId: recovery.id, reason: MOVED_TO_CAMPAIGN });
  await skipWaitingSequenceEmails({ tx, recoveryId: recovery.id, keepStepIds: campaign.steps.map((s) => s.id), reason: "moved to another campaign" });
  const at = now();
  await tx.campaignEnrollment.upsert({
    where: { recoveryId_campaignId: { recoveryId: recovery.id, campaignId: campaign.id } },
    create: { workspaceId: input.workspaceId, campaignId: campaign.id, recoveryId: recovery.id, totalSteps: campaign.steps.length, enrolledAt: at },
    update: { status: "active", currentStep: 0, totalSteps: campaign.steps.length, endReason: null, endedAt: null, enrolledAt: at },
  });
  await scheduleSequence({ tx, recovery, sequence: campaign });
  return result("enrolled");
}
