// Which campaign a new recovery follows (ADR 0070): the facts of its failed payment, checked
// against the workspace's active campaigns in precedence order (model.ts). Called by the dunning
// listener inside the engine's transaction that opens the recovery; the simulation and the overlap
// check build the same facts for past recoveries.
import { chosenCampaignId } from "~/domain/recovery/experiments";
import { classifyFailure } from "~/domain/recovery/policy";
import { failureInputOf } from "~/domain/recovery/engine.server";
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
