// DunningDog's wire shapes (000_…openapi.json): contract names exactly, ISO dates.
// Pure: no IO. Fields beyond the contract are extras a client may ignore.

const iso = (d: Date) => d.toISOString();
const isoOrNull = (d: Date | null | undefined) => (d ? d.toISOString() : null);

export interface RecoveryAttemptRow {
  id: string;
  workspaceId: string;
  stripeInvoiceId: string;
  stripeCustomerId: string;
  declineType: "soft" | "hard";
  status: "pending" | "recovered" | "failed" | "abandoned";
  amountDueCents: number;
  recoveredAmountCents: number | null;
  currency: string;
  startedAt: Date;
  endedAt: Date | null;
  nextActionAt: Date | null;
  nextActionReason: string | null;
}

/** Contract RecoveryAttempt, plus `currency`, `nextActionAt` and `nextActionReason`. */
export function recoveryAttemptDto(row: RecoveryAttemptRow) {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    stripeInvoiceId: row.stripeInvoiceId,
    stripeCustomerId: row.stripeCustomerId,
    declineType: row.declineType,
    status: row.status,
    amountDueCents: row.amountDueCents,
    recoveredAmountCents: row.recoveredAmountCents,
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
  recoveryAttemptId: string;
  outcome: "recovered" | "failed" | "abandoned";
  reasonCode: string | null;
  occurredAt: Date;
}

export function recoveryOutcomeDto(row: RecoveryOutcomeRow) {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    recoveryAttemptId: row.recoveryAttemptId,
    outcome: row.outcome,
    reasonCode: row.reasonCode,
    occurredAt: iso(row.occurredAt),
  };
}

export interface SubscriptionAtRiskRow {
  id: string;
  workspaceId: string;
  stripeCustomerId: string;
  stripeSubscriptionId: string;
  reason: string;
  riskDetectedAt: Date;
  expirationDate: Date | null;
  activeRecoveryAttemptId: string | null;
}

export function subscriptionAtRiskDto(row: SubscriptionAtRiskRow) {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    stripeCustomerId: row.stripeCustomerId,
    stripeSubscriptionId: row.stripeSubscriptionId,
    reason: row.reason,
    riskDetectedAt: iso(row.riskDetectedAt),
    expirationDate: isoOrNull(row.expirationDate),
    activeRecoveryAttemptId: row.activeRecoveryAttemptId,
  };
}

export interface MetricSnapshotRow {
  id: string;
  workspaceId: string;
  periodStart: Date;
  periodEnd: Date;
  currency: string;
  failedRevenueCents: number;
  recoveredRevenueCents: number;
  recoveryRate: number;
  atRiskCount: number;
  generatedAt: Date;
}

/** Contract MetricSnapshot, plus `currency` (the amounts are in it). */
export function metricSnapshotDto(row: MetricSnapshotRow) {
  return {
    id: row.id,
    workspaceId: row.workspaceId,
    periodStart: iso(row.periodStart),
    periodEnd: iso(row.periodEnd),
    failedRevenueCents: row.failedRevenueCents,
    recoveredRevenueCents: row.recoveredRevenueCents,
    recoveryRate: row.recoveryRate,
    atRiskCount: row.atRiskCount,
    generatedAt: iso(row.generatedAt),
    currency: row.currency,
  };
}
