// The engine's commands for the facts other modules learn about a recovery's world: the sequence
// its emails follow, a subscription at risk, the page where the customer confirms a payment, a
// customer's new payment method, an erasure, an imported history. The engine is the only writer of
// its tables (docs/decisions/0039-the-engine-boundary.md); these are the doors.
import { db, type Prisma, type Tx } from "~/utils/db.server";
import { closeErasedRecoveries } from "./engine.server";

/** The dunning sequence a recovery's emails follow (its campaign in /api/v1), inside the caller's transaction. */
export async function setRecoverySequence(tx: Tx, input: { recoveryId: string; sequenceId: string }) {
  await tx.recovery.update({ where: { id: input.recoveryId }, data: { sequenceId: input.sequenceId } });
}

/**
 * A subscription is at risk before any payment fails (Stripe's `customer.source.expiring`: the card
 * expires soon). Seen again, it is at risk again until `expirationDate`.
 */
export async function flagSubscriptionAtRisk(input: {
  workspaceId: string;
  externalCustomerId: string;
  externalSubscriptionId: string;
  reason: "card_expiring";
  detectedAt: Date;
  expirationDate: Date;
}) {
  await db().subscriptionAtRisk.upsert({
    where: { workspaceId_externalSubscriptionId_reason: { workspaceId: input.workspaceId, externalSubscriptionId: input.externalSubscriptionId, reason: input.reason } },
    create: {
      workspaceId: input.workspaceId,
      externalCustomerId: input.externalCustomerId,
      externalSubscriptionId: input.externalSubscriptionId,
      reason: input.reason,
      riskDetectedAt: input.detectedAt,
      expirationDate: input.expirationDate,
    },
    update: { expirationDate: input.expirationDate, resolvedAt: null },
  });
}

/**
 * `hostedInvoiceUrl` is "the page where the customer confirms this payment": Stripe's hosted invoice,
 * Shopify's `nextActionUrl` (docs/decisions/0007). Written for the latest failure only: a later
 * decline that needs no confirmation clears it, and an older one delivered late changes nothing.
 */
export async function setConfirmationUrl(input: { recoveryId: string; provider: string; failedAt: Date; url: string | null }) {
  await db().recovery.updateMany({
    where: { id: input.recoveryId, provider: input.provider, lastFailureAt: { lte: input.failedAt } },
    data: { hostedInvoiceUrl: input.url },
  });
}

/** The customer's default payment method at the platform changed (Shopify's contract names its version). */
export async function recordCustomerPaymentMethod(input: { workspaceId: string; provider: string; externalCustomerId: string; paymentMethodId: string | null; at: Date }) {
  await db().customer.updateMany({
    where: { workspaceId: input.workspaceId, provider: input.provider, externalId: input.externalCustomerId },
    data: { defaultPaymentMethodId: input.paymentMethodId, paymentMethodUpdatedAt: input.at },
  });
}

/**
 * A payment the customer made (ADR 0049), whatever it paid and whoever charged it: Stripe's paid
 * invoices, Shopify's successful billing attempts, an ingested PSP's payment succeeded. The policy
 * reads the customer's history as when their money arrives. Once per `externalId` in the workspace,
 * so a redelivered event records nothing new.
 */
export async function recordCustomerPayment(input: {
  workspaceId: string;
  provider: string;
  externalCustomerId: string;
  /** The payment at its provider: a Stripe invoice id, a Shopify billing attempt GID, `ingest:<event id>`. */
  externalId: string;
  paidAt: Date;
  amountMinor: number;
  currency: string;
}): Promise<{ recorded: boolean }> {
  if (!input.externalCustomerId) return { recorded: false };
  const created = await db().customerPayment.createMany({
    data: {
      workspaceId: input.workspaceId,
      provider: input.provider,
      externalCustomerId: input.externalCustomerId,
      externalId: input.externalId,
      paidAt: input.paidAt,
      amountMinor: input.amountMinor,
      currency: input.currency.toLowerCase(),
    },
    skipDuplicates: true,
  });
  return { recorded: created.count === 1 };
}

/**
 * GDPR erasure, the engine's part (app/domain/privacy keeps the rest, inside its transaction): the
 * recoveries are closed for good and anonymised (closeErasedRecoveries), the subscriptions at risk
 * and the payment history (ADR 0049) that name the customer go, and so do the customer rows. Returns how many customers were deleted.
 */
export async function eraseCustomerRecords(input: {
  tx: Tx;
  workspaceId: string;
  customerIds: string[];
  externalCustomerIds: string[];
  /** The customer's addresses: a PSP customer known only by email is keyed by it (ingest), with or without a Customer row. */
  emails: string[];
  recoveryIds: string[];
  at: Date;
  ref: () => string;
}): Promise<number> {
  const { tx } = input;
  await closeErasedRecoveries({ tx, recoveryIds: input.recoveryIds, at: input.at, ref: input.ref });
  await tx.subscriptionAtRisk.deleteMany({ where: { workspaceId: input.workspaceId, externalCustomerId: { in: input.externalCustomerIds } } });
  await tx.customerPayment.deleteMany({
    where: {
      workspaceId: input.workspaceId,
      OR: [
        { externalCustomerId: { in: input.externalCustomerIds } },
        // Ingest's key for such a customer is `email:<address>` (`test:email:…` in test mode), lower case.
        ...input.emails.map((email) => ({ externalCustomerId: { endsWith: `:${email.trim().toLowerCase()}` } })),
      ],
    },
  });
  const deleted = await tx.customer.deleteMany({ where: { id: { in: input.customerIds } } });
  return deleted.count;
}

export interface RecoveryHistory {
  customers: Prisma.CustomerCreateManyInput[];
  recoveries: Prisma.RecoveryCreateManyInput[];
  attempts: Prisma.ChargeAttemptCreateManyInput[];
  outcomes: Prisma.RecoveryOutcomeCreateManyInput[];
  atRisk: Prisma.SubscriptionAtRiskCreateManyInput[];
}

/**
 * Recoveries that already happened, stored as they were (the demo workspace's twelve weeks): rows
 * only, nothing planned, no job enqueued. Inside the caller's transaction, in foreign-key order.
 */
export async function importRecoveryHistory(tx: Tx, history: RecoveryHistory) {
  await tx.customer.createMany({ data: history.customers });
  await tx.recovery.createMany({ data: history.recoveries });
  await tx.chargeAttempt.createMany({ data: history.attempts });
  await tx.recoveryOutcome.createMany({ data: history.outcomes });
  await tx.subscriptionAtRisk.createMany({ data: history.atRisk });
}
