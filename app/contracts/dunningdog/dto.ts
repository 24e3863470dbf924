// DunningDog's wire shapes (000_…openapi.json): contract names exactly, ISO dates.
// Pure: no IO. Fields beyond the contract are extras a client may ignore.

import type { CurrencyCohort, getRevenueSummary } from "~/domain/analytics/summary.server";

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export interface RecoveryRow {
  id: string;
  workspaceId: string;
  externalId: string;
  externalCustomerId: string;
  declineType: "soft" | "hard";
  status: "pending" | "recovered" | "failed" | "abandoned";
  amountDueMinor: number;
  recoveredAmountMinor: number | null;
  currency: string;
  startedAt: Date;
  endedAt: Date | null;
  nextActionAt: Date | null;
  nextActionReason: string | null;
}

/** Contract RecoveryAttempt, plus `currency`, `nextActionAt` and `nextActionReason`. */
export function recoveryAttemptDto(row: RecoveryRow) {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    stripeInvoiceId: row.externalId,
    stripeCustomerId: row.externalCustomerId,
    declineType: row.declineType,
    status: row.status,
    amountDueCents: row.amountDueMinor,
    recoveredAmountCents: row.recoveredAmountMinor,
    startedAt: iso(row.startedAt),
    endedAt: isoOrNull(row.endedAt),
    currency: row.currency,
    nextActionAt: isoOrNull(row.nextActionAt),
    nextActionReason: row.nextActionReason,
  };
}

export interface RecoveryOutcomeRow {
  id: string;
  workspaceId: string;
  recoveryId: string;
  outcome: "recovered" | "failed" | "abandoned";
  reasonCode: string | null;
  occurredAt: Date;
}

export function recoveryOutcomeDto(row: RecoveryOutcomeRow) {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    recoveryAttemptId: row.recoveryId,
    outcome: row.outcome,
    reasonCode: row.reasonCode,
    occurredAt: iso(row.occurredAt),
  };
}

interface SubscriptionAtRiskRow {
  id: string;
  workspaceId: string;
  externalCustomerId: string;
  externalSubscriptionId: string;
  reason: string;
  riskDetectedAt: Date;
  expirationDate: Date | null;
  activeRecoveryId: string | null;
}

function subscriptionAtRiskDto(row: SubscriptionAtRiskRow) {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    stripeCustomerId: row.externalCustomerId,
    stripeSubscriptionId: row.externalSubscriptionId,
    reason: row.reason,
    riskDetectedAt: iso(row.riskDetectedAt),
    expirationDate: isoOrNull(row.expirationDate),
    activeRecoveryAttemptId: row.activeRecoveryId,
  };
}

interface MetricSnapshotRow {
  id: string;
  workspaceId: string;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  failedRevenueMinor: number;
  recoveredRevenueMinor: number;
  recoveryRate: number;
  atRiskCount: number;
  generatedAt: Date;
}

/** Contract MetricSnapshot, plus `currency` (the amounts are in it). */
function metricSnapshotDto(row: MetricSnapshotRow) {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    periodStart: iso(row.periodStart),
    periodEnd: iso(row.periodEnd),
    failedRevenueCents: row.failedRevenueMinor,
    recoveredRevenueCents: row.recoveredRevenueMinor,
    recoveryRate: row.recoveryRate,
    atRiskCount: row.atRiskCount,
    generatedAt: iso(row.generatedAt),
    currency: row.currency,
  };
}

/**
 * A recovery's timeline (getRecoveryTimeline) as the merchant's pages and the Stripe App show it: the
 * recovery and its latest outcome in DunningDog's RecoveryAttempt and RecoveryOutcome words (the shape
 * those surfaces were built on), then the timeline's own fields in their order.
 */
export function recoveryTimelineDto<T extends { recovery: RecoveryRow; latestOutcome: RecoveryOutcomeRow | null }>(timeline: T) {
  const { recovery, latestOutcome, ...rest } = timeline;
  return { attempt: recoveryAttemptDto(recovery), latestOutcome: latestOutcome ? recoveryOutcomeDto(latestOutcome) : null, ...rest };
}

/** One currency's cohort, with money in `…Cents` (an extra of DashboardSummary). */
function currencyCohortDto(c: CurrencyCohort) {
  return {
    currency: c.currency,
    failedCount: c.failedCount,
    failedRevenueCents: c.failedRevenueMinor,
    recoveredCount: c.recoveredCount,
    recoveredRevenueCents: c.recoveredRevenueMinor,
    inProgressCount: c.inProgressCount,
    inProgressRevenueCents: c.inProgressRevenueMinor,
    lostCount: c.lostCount,
    lostRevenueCents: c.lostRevenueMinor,
    /** recoveredRevenueCents / failedRevenueCents, 0..1 */
    recoveryRate: c.recoveryRate,
  };
}
export type CurrencyCohortDto = ReturnType<typeof currencyCohortDto>;

/** Contract DashboardSummary (getRevenueSummary's figures), plus the extras below. */
export function dashboardSummaryDto(s: Awaited<ReturnType<typeof getRevenueSummary>>) {
  return {
    workspaceId: s.workspaceId,
    window: s.window,
    failedRevenueCents: s.failedRevenueMinor,
    recoveredRevenueCents: s.recoveredRevenueMinor,
    recoveryRate: s.recoveryRate,
    atRiskCount: s.atRiskCount,
    activeSequences: s.activeSequences,
    generatedAt: iso(s.generatedAt),
    ...(s.latestSnapshot ? { latestSnapshot: metricSnapshotDto(s.latestSnapshot) } : {}),
    atRiskPreview: s.atRiskPreview.map(subscriptionAtRiskDto),
    // Extras beyond the contract: money cannot be summed across currencies, so the
    // totals count only recoveries in the workspace's reporting currency, named here;
    // windowStart says which instant the window opened at (null for lifetime).
    currency: s.currency,
    windowStart: isoOrNull(s.windowStart),
    // The same cohort in every currency, with what is still in progress and what was lost:
    // other currencies are listed beside, never converted into the totals.
    byCurrency: s.byCurrency.map(currencyCohortDto),
  };
}
