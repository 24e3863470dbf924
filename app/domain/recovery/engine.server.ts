import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db, type Prisma, type Tx } from "~/utils/db.server";
import { countryCode, validZone, zoneForPlace } from "~/utils/customer-zone";
import { log } from "~/utils/logger.server";
import { enqueue, transactionSendingJobsAtCommit } from "~/utils/queue.server";
import type { Customer, Recovery, Workspace } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { assignVariant, inHoldout, withRetryVariant, type VariantSpec } from "./experiments";
import type { FailureDetails, FailureFacts } from "./facts";
import { learnedRatesFor } from "./learning.server";
import { announce, type ReadInTransaction } from "./listeners";
import { actionTime, decideNextAction, retrySettingsFor, type CardBrand, type FailureInput, type MessageRecord, type NextAction, type PolicyInput } from "./policy";
import type { ChargeResult, MerchantChargedProvider } from "./provider";
import { providerFor, providersAnsweringLater } from "./providers.server";

const DAY = 86_400_000;
/** A recovery nobody has won back this long after its first failure is closed as failed. */
const EXPIRE_AFTER_DAYS = 30;
/** A platform failure this close to one of our own attempts is that attempt, seen again by webhook. */
const OWN_ATTEMPT_MATCH_MS = 10 * 60_000;
/** The customer's payment history the policy sees: a year of it (a yearly plan's last payment), at most this many. */
const PAYMENT_HISTORY_DAYS = 366;
const PAYMENT_HISTORY_MAX = 50;

/** A transaction-scoped lock on a name: the work that takes it runs one at a time across workers. */
async function lockName(tx: Tx, name: string) {
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${name}, 0))`;
}

/** Serialises all work on one invoice (events and jobs may race across workers). */
export async function lockInvoice(tx: Tx, workspaceId: string, invoiceId: string) {
  await lockName(tx, `${workspaceId}:${invoiceId}`);
}

// The API, the Stripe App and the settings pages read the settings the engine applies from here too.
export { retrySettingsFor };

/** A failure's decline data as Recovery columns; the card is kept when the failure names none. */
function failureColumns(failure: FailureDetails) {
  return {
    errorCode: failure.errorCode,
    declineCode: failure.declineCode,
    adviceCode: failure.adviceCode,
    networkDeclineCode: failure.networkDeclineCode,
    networkAdviceCode: failure.networkAdviceCode,
    failureMessage: failure.message,
    ...(failure.cardFingerprint
      ? { cardFingerprint: failure.cardFingerprint, cardBrand: failure.cardBrand, cardLast4: failure.cardLast4, cardFunding: failure.cardFunding ?? null }
      : {}),
    ...(failure.paymentMethodId ? { failedPaymentMethodId: failure.paymentMethodId } : {}),
  };
}

/** A failure's decline data as ChargeAttempt columns (the attempt that failed). */
function attemptFailureColumns(failure: FailureDetails) {
  return {
    declineCode: failure.declineCode,
    errorCode: failure.errorCode,
    adviceCode: failure.adviceCode,
    networkDeclineCode: failure.networkDeclineCode,
    networkAdviceCode: failure.networkAdviceCode,
    errorMessage: failure.message,
  };
}

/**
 * A platform's failed payment (`invoice.payment_failed`, Shopify's billing attempt failure): opens
 * the recovery (or updates it with a newer failure), records the platform's attempt, and plans what
 * happens next. Safe to run twice and in any order with the debt's other events.
 */
export async function recordInvoiceFailure(facts: FailureFacts) {
  const { failure, workspaceId, provider } = facts;
  // Its jobs (the expiry, the first email's send, the sequence's first step) in one statement.
  return transactionSendingJobsAtCommit(async (tx) => {
    const invoiceId = facts.joinOpenRecovery ? await joinedInvoiceId(tx, facts) : facts.invoiceId;
    await lockInvoice(tx, workspaceId, invoiceId);
    // Where the customer lives, when this failure says (ADR 0048): a newer answer replaces an older one.
    const country = countryCode(failure.customerCountry);
    const timezone = validZone(failure.customerTimezone) ?? zoneForPlace(country);
    const customer = await tx.customer.upsert({
      where: { workspaceId_provider_externalId: { workspaceId, provider, externalId: facts.customer.externalId } },
      create: {
        workspaceId,
        provider,
        externalId: facts.customer.externalId,
        email: facts.customer.email,
        name: facts.customer.name,
        defaultPaymentMethodId: facts.customer.defaultPaymentMethodId ?? null,
        timezone,
        country,
        livemode: facts.livemode,
      },
      update: {
        email: facts.customer.email ?? undefined,
        name: facts.customer.name ?? undefined,
        defaultPaymentMethodId: facts.customer.defaultPaymentMethodId ?? undefined,
        timezone: timezone ?? undefined,
        country: country ?? undefined,
      },
    });
    let recovery = await tx.recovery.findUnique({ where: { workspaceId_externalId: { workspaceId, externalId: invoiceId } } });
    const failureFields = failureColumns(failure);
    const platform = facts.platform
      ? { platformAttemptCount: facts.platform.attemptCount, platformNextAttemptAt: facts.platform.nextAttemptAt }
      : {};
    const isNew = !recovery;
    let workspace: Workspace | undefined;
    if (!recovery) {
      // The standing holdout and the running experiment decide, per customer, what Recoup does for
      // this failure; both are fixed now, for the recovery's whole life (ADR 0072).
      workspace = await tx.workspace.findUniqueOrThrow({ where: { id: workspaceId } });
      const trial = await assignmentFor(tx, workspace, facts.customer.externalId);
      recovery = await tx.recovery.create({
        data: {
          workspaceId,
          provider,
          livemode: facts.livemode,
          externalAccountId: facts.accountId,
          externalId: invoiceId,
          externalCustomerId: facts.customer.externalId,
          externalSubscriptionId: facts.subscriptionId,
          customerId: customer.id,
          declineType: "soft",
          amountDueMinor: facts.amountDueMinor,
          currency: facts.currency,
          startedAt: facts.failedAt,
          lastFailureAt: facts.failedAt,
          hostedInvoiceUrl: facts.hostedInvoiceUrl,
          planId: facts.planId ?? null,
          ...trial,
          ...failureFields,
          ...platform,
        },
      });
    } else if (facts.failedAt >= recovery.lastFailureAt && (recovery.status === "pending" || recovery.status === "failed")) {
      recovery = await tx.recovery.update({
        where: { id: recovery.id },
        data: {
          ...failureFields,
          ...platform,
          lastFailureAt: facts.failedAt,
          startedAt: facts.failedAt < recovery.startedAt ? facts.failedAt : undefined,
          linkUsedAt: null,
          // A new card put on file after this failure still counts.
          paymentMethodUpdatedAt:
            recovery.paymentMethodUpdatedAt && recovery.paymentMethodUpdatedAt > facts.failedAt ? undefined : null,
        },
      });
    } else if (facts.failedAt < recovery.startedAt) {
      // An older failure delivered late: only the start moves back.
      recovery = await tx.recovery.update({ where: { id: recovery.id }, data: { startedAt: facts.failedAt } });
    }

    await recordPlatformAttempt(tx, recovery, facts, isNew);

    if (facts.subscriptionId) {
      await tx.subscriptionAtRisk.upsert({
        where: { workspaceId_externalSubscriptionId_reason: { workspaceId, externalSubscriptionId: facts.subscriptionId, reason: "payment_failed" } },
        create: {
          workspaceId,
          externalCustomerId: facts.customer.externalId,
          externalSubscriptionId: facts.subscriptionId,
          reason: "payment_failed",
          riskDetectedAt: facts.failedAt,
          activeRecoveryId: recovery.id,
        },
        update: recovery.status === "pending" ? { activeRecoveryId: recovery.id, resolvedAt: null } : {},
      });
    }

    if (isNew) {
      await announce.opened(tx, recovery);
      await enqueue(queues.recoveryExpire, { recoveryId: recovery.id }, {
        tx,
        key: recovery.id,
        startAfter: new Date(recovery.startedAt.getTime() + EXPIRE_AFTER_DAYS * DAY),
      });
    }

    // The debt may already be settled (events arrive out of order): its state now decides.
    const { settlement } = facts;
    if (settlement.state === "paid") return closeRecovered(tx, recovery, settlement.amountPaid, settlement.at);
    if (settlement.state === "ended") return closeRecovery(tx, recovery, "abandoned", settlement.reason, now());
    if (recovery.status !== "pending") return recovery;
    // The customer was just written above: the policy is told it instead of reading it again.
    return planNext(tx, recovery, { ...(recovery.customerId === customer.id ? { customer } : {}), ...(workspace ? { workspace } : {}) });
  });
}

/**
 * The recovery a Shopify failure belongs to: the one that already recorded this billing attempt,
 * else the subscription's open one, else a new one named by facts.invoiceId. Serialised per
 * subscription, so two first failures racing open one recovery.
 */
async function joinedInvoiceId(tx: Tx, facts: FailureFacts): Promise<string> {
  if (facts.subscriptionId) {
    await lockName(tx, `${facts.workspaceId}:subscription:${facts.subscriptionId}`);
  }
  const seen = await tx.chargeAttempt.findUnique({ where: { idempotencyKey: `platform:${facts.sourceKey}` }, include: { recovery: true } });
  if (seen && seen.recovery.workspaceId === facts.workspaceId) return seen.recovery.externalId;
  if (!facts.subscriptionId) return facts.invoiceId;
  const open = await tx.recovery.findFirst({
    where: { workspaceId: facts.workspaceId, provider: facts.provider, externalSubscriptionId: facts.subscriptionId, status: "pending" },
    orderBy: { startedAt: "asc" },
  });
  return open?.externalId ?? facts.invoiceId;
}

/**
 * A new recovery's place in the standing holdout and the workspace's running experiment (one at a
 * time), by its customer: held-out customers join no experiment (ADR 0072).
 */
async function assignmentFor(tx: Tx, workspace: Workspace, customerKey: string) {
  if (inHoldout(workspace.holdoutBasisPoints, workspace.id, customerKey)) return { holdout: true };
  const running = await tx.experiment.findFirst({ where: { workspaceId: workspace.id, status: "running" }, orderBy: { startedAt: "asc" } });
  if (!running) return {};
  const variants = running.variants as unknown as VariantSpec[];
  if (!Array.isArray(variants) || variants.length === 0) return {};
  const variant = assignVariant(running.id, variants, customerKey);
  return { experimentId: running.id, experimentVariant: variant.key, experimentParams: { kind: running.kind, params: variant.params } as Prisma.InputJsonValue };
}

/** `isNew`: the recovery was created in this transaction, so it has no attempts yet (two reads fewer per new failure). */
async function recordPlatformAttempt(tx: Tx, recovery: Recovery, facts: FailureFacts, isNew: boolean) {
  // A provider whose failure events report our own charges too (Stripe's, after `invoices.pay`):
  // that event is our charge again, matched by time. The others (Shopify's webhooks for our
  // attempts) carry our idempotency key and never come here.
  const ours = !isNew && providerFor(facts.provider).failureEventsIncludeOwnCharges && await tx.chargeAttempt.findFirst({
    where: {
      recoveryId: recovery.id,
      source: "recoup",
      attemptedAt: { gte: new Date(facts.failedAt.getTime() - OWN_ATTEMPT_MATCH_MS), lte: new Date(facts.failedAt.getTime() + OWN_ATTEMPT_MATCH_MS) },
    },
  });
  if (ours) {
    // Our own charge's answer normally named them already; the event's re-read fills what it did not.
    const { paymentIntentId, chargeId } = facts.failure;
    if ((paymentIntentId && !ours.paymentIntentId) || (chargeId && !ours.chargeId)) {
      await tx.chargeAttempt.update({
        where: { id: ours.id },
        data: { paymentIntentId: ours.paymentIntentId ?? paymentIntentId, chargeId: ours.chargeId ?? chargeId },
      });
    }
    return;
  }
  const count = isNew ? 0 : await tx.chargeAttempt.count({ where: { recoveryId: recovery.id, source: "platform" } });
  const recorded = await tx.chargeAttempt.createMany({
    data: {
      workspaceId: recovery.workspaceId,
      recoveryId: recovery.id,
      attemptNumber: count + 1,
      source: "platform",
      idempotencyKey: `platform:${facts.sourceKey}`,
      status: "failed",
      ...attemptFailureColumns(facts.failure),
      cardFingerprint: facts.failure.cardFingerprint,
      paymentIntentId: facts.failure.paymentIntentId ?? null,
      chargeId: facts.failure.chargeId ?? null,
      amountMinor: recovery.amountDueMinor,
      currency: recovery.currency,
      attemptedAt: facts.failedAt,
    },
    skipDuplicates: true,
  });
  if (recorded.count > 0) {
    await announce.failed(tx, recovery, { source: "platform", attemptNumber: count + 1, at: facts.failedAt, dedupeKey: `platform:${facts.sourceKey}` });
  }
}

/** Runs the policy on the recovery's current facts and applies its decision (jobs enqueued in `tx`). */
export async function planNext(tx: Tx, recovery: Recovery, known: ReadInTransaction = {}): Promise<Recovery> {
  const input = await policyInputFor(tx, recovery, known);
  const action = decideNextAction(input);
  const updated = await applyAction(tx, recovery, action, known);
  if (action.kind !== "email" || updated.paused) return updated;
  // Asked: the policy plans once more, now that it knows (a retry follows an authentication request).
  // Of what it was told, only the customer's emails have changed since (the debt is locked in this
  // transaction): they are read again, not the whole input (5 queries fewer per request).
  const then = decideNextAction({ ...input, messages: await customerEmailsOf(tx, updated.id) });
  return then.kind === "retry" || (then.kind === "wait" && then.until) ? applyAction(tx, updated, then) : updated;
}

export async function decide(tx: Tx, recovery: Recovery): Promise<NextAction> {
  return decideNextAction(await policyInputFor(tx, recovery));
}

/** The recovery's latest failure as the policy reads it. */
export function failureInputOf(recovery: Recovery, customer: Pick<Customer, "timezone" | "country"> | null): FailureInput {
  return {
    // The provider's own codes: every PSP's, ingested ones included, come from the one catalogue.
    provider: recovery.provider,
    errorCode: recovery.errorCode,
    declineCode: recovery.declineCode,
    adviceCode: recovery.adviceCode,
    networkDeclineCode: recovery.networkDeclineCode,
    networkAdviceCode: recovery.networkAdviceCode,
    cardBrand: (recovery.cardBrand ?? "unknown") as CardBrand,
    cardFingerprint: recovery.cardFingerprint,
    amountMinor: recovery.amountDueMinor,
    currency: recovery.currency,
    customerTimezone: customer?.timezone ?? null,
    customerCountry: customer?.country ?? null,
    cardFunding: recovery.cardFunding,
    failedAt: recovery.lastFailureAt,
  };
}

/** The emails the customer got about this recovery on Recoup's own account (not the merchant's manual sends). */
export async function customerEmailsOf(tx: Tx, recoveryId: string): Promise<MessageRecord[]> {
  const messages = await tx.dunningMessage.findMany({
    where: { recoveryId, status: { notIn: ["skipped", "failed"] }, kind: { not: "manual" } },
    select: { kind: true, createdAt: true, sentAt: true },
  });
  return messages.map((m) => ({ at: m.sentAt ?? m.createdAt, kind: m.kind as MessageRecord["kind"] }));
}

/**
 * Everything the policy is told about a recovery now: its failure, the card's and customer's history,
 * the settings. `known` holds what the caller read in this transaction; the customer and workspace
 * read here are added to it, for the listeners the plan then asks.
 */
export async function policyInputFor(tx: Tx, recovery: Recovery, known: ReadInTransaction = {}): Promise<PolicyInput> {
  const workspace = (known.workspace ??= await tx.workspace.findUniqueOrThrow({ where: { id: recovery.workspaceId } }));
  const at = now();
  const since = new Date(at.getTime() - 31 * DAY);
  const attempts = recovery.cardFingerprint
    ? await tx.chargeAttempt.findMany({
        where: { workspaceId: recovery.workspaceId, cardFingerprint: recovery.cardFingerprint, attemptedAt: { gte: since }, status: { in: ["failed", "succeeded"] } },
      })
    : await tx.chargeAttempt.findMany({ where: { recoveryId: recovery.id, status: { in: ["failed", "succeeded"] } } });
  const messages = await customerEmailsOf(tx, recovery.id);
  if (known.customer === undefined) known.customer = recovery.customerId ? await tx.customer.findUnique({ where: { id: recovery.customerId } }) : null;
  const customer = known.customer;
  // The customer's own payments of the last year, oldest first (ADR 0049): when their money arrives.
  const paid = await tx.customerPayment.findMany({
    where: {
      workspaceId: recovery.workspaceId,
      provider: recovery.provider,
      externalCustomerId: recovery.externalCustomerId,
      paidAt: { gte: new Date(at.getTime() - PAYMENT_HISTORY_DAYS * DAY), lte: at },
    },
    orderBy: { paidAt: "desc" },
    take: PAYMENT_HISTORY_MAX,
    select: { paidAt: true },
  });
  return {
    failure: failureInputOf(recovery, customer),
    recoveryStartedAt: recovery.startedAt,
    paymentMethodUpdatedAt: recovery.paymentMethodUpdatedAt,
    recoupRetriesSoFar: recovery.recoupRetryCount,
    lastRetryAt: recovery.lastRetryAt,
    cardAttempts: attempts.map((a) => ({
      at: a.attemptedAt,
      source: a.source as "recoup" | "platform" | "customer",
      succeeded: a.status === "succeeded",
      cardFingerprint: a.cardFingerprint,
      amountMinor: a.amountMinor,
      currency: a.currency,
    })),
    messages,
    platformNextAttemptAt: recovery.platformNextAttemptAt,
    settings: withRetryVariant(retrySettingsFor(workspace), recovery.experimentParams),
    holdout: recovery.holdout,
    now: at,
    customerPaidAt: paid.map((p) => p.paidAt).reverse(),
    learned: await learnedRatesFor(recovery.workspaceId, tx),
  };
}

/** One request per card: asking twice for the same card helps nobody. */
function customerActionKey(kind: "card_update_request" | "authentication_request", cardFingerprint: string | null) {
  return `${kind}:${cardFingerprint ?? "unknown-card"}`;
}

async function applyAction(tx: Tx, recovery: Recovery, action: NextAction, read: ReadInTransaction = {}): Promise<Recovery> {
  const when = actionTime(action);
  const updated = await tx.recovery.update({
    where: { id: recovery.id },
    data: {
      declineType: action.classification.declineType,
      declineCategory: action.classification.category,
      nextActionKind: action.kind,
      nextActionAt: when,
      nextActionReason: action.reason,
    },
  });
  if (updated.paused) return updated;
  if ((action.kind === "retry" || action.kind === "wait") && when) {
    const attemptNumber = updated.recoupRetryCount + 1;
    await enqueue(
      queues.chargeRetry,
      { recoveryId: updated.id, attemptNumber, at: when.toISOString() },
      { tx, key: `${updated.id}:${attemptNumber}:${when.toISOString()}`, startAfter: when },
    );
  } else if (action.kind === "email") {
    // Who asks (our email, or the platform's own card-update email) is the listener's choice.
    await announce.customerActionNeeded(tx, updated, { kind: action.template, dedupeKey: customerActionKey(action.template, updated.cardFingerprint), read });
  } else if (action.kind === "stop" && action.endsRecovery) {
    const closed = await closeRecovery(tx, updated, "failed", action.endsRecovery, now());
    return tx.recovery.update({ where: { id: closed.id }, data: { nextActionReason: action.reason } });
  }
  return updated;
}

async function closeRecovery(
  tx: Tx,
  recovery: Recovery,
  outcome: "recovered" | "failed" | "abandoned",
  reasonCode: string,
  at: Date,
  recoveredAmountMinor?: number,
) {
  const updated = await tx.recovery.update({
    where: { id: recovery.id },
    data: {
      status: outcome,
      endedAt: at,
      recoveredAmountMinor: outcome === "recovered" ? recoveredAmountMinor : undefined,
      nextActionKind: null,
      nextActionAt: null,
      nextActionReason:
        outcome === "recovered" ? "Recovered." : outcome === "abandoned" ? `Closed: ${reasonCode.replace(/_/g, " ")}.` : "Gave up: the retry schedule and reminders are exhausted.",
    },
  });
  await tx.recoveryOutcome.upsert({
    where: { recoveryId: recovery.id },
    create: { workspaceId: recovery.workspaceId, recoveryId: recovery.id, outcome, reasonCode, occurredAt: at },
    update: { outcome, reasonCode, occurredAt: at },
  });
  await tx.subscriptionAtRisk.updateMany({
    where: { workspaceId: recovery.workspaceId, activeRecoveryId: recovery.id, resolvedAt: null },
    data: { resolvedAt: at },
  });
  log.info("recovery closed", { recoveryId: recovery.id, outcome, reasonCode });
  if (outcome !== "recovered") await announce.closed(tx, updated, { outcome, reasonCode });
  return updated;
}

async function closeRecovered(tx: Tx, recovery: Recovery, amountPaid: number, at: Date) {
  // A recovery we gave up on can still be won: the customer paid after all.
  if (recovery.status !== "pending" && recovery.status !== "failed") return recovery;
  const closed = await closeRecovery(tx, recovery, "recovered", "invoice_paid", at, amountPaid);
  await announce.recovered(tx, closed);
  return closed;
}

async function findByInvoice(tx: Tx, workspaceId: string, invoiceId: string) {
  await lockInvoice(tx, workspaceId, invoiceId);
  return tx.recovery.findUnique({ where: { workspaceId_externalId: { workspaceId, externalId: invoiceId } } });
}

/** One of our charge attempts by its idempotency key and its recovery, read under the debt's lock; null for a key that is not ours. */
async function lockAttempt(tx: Tx, key: string) {
  const row = await tx.chargeAttempt.findUnique({ where: { idempotencyKey: key }, select: { recovery: { select: { workspaceId: true, externalId: true } } } });
  if (!row) return null;
  const recovery = (await findByInvoice(tx, row.recovery.workspaceId, row.recovery.externalId))!;
  const attempt = await tx.chargeAttempt.findUniqueOrThrow({ where: { idempotencyKey: key } });
  return { recovery, attempt };
}

/**
 * The debt was paid, as its provider reports it: Stripe's `invoice.paid`, a Shopify contract billed
 * by someone else, an ingested success. (Our own charge's success is recordAttemptResult's: it
 * settles the attempt too.) Without `amountPaid`, the amount due.
 */
export async function markRecovered(input: { workspaceId: string; invoiceId: string; at: Date; amountPaid?: number }) {
  return db().$transaction(async (tx) => {
    const recovery = await findByInvoice(tx, input.workspaceId, input.invoiceId);
    if (!recovery) return null;
    return closeRecovered(tx, recovery, input.amountPaid ?? recovery.amountDueMinor, input.at);
  });
}

/**
 * The customer paid the debt through a pay-link (ADR 0075), inside the caller's transaction: the
 * recovery closes as recovered, under the debt's lock, once. Returns null when it was closed already.
 */
export async function markRecoveredByPayLink(tx: Tx, input: { workspaceId: string; recoveryId: string; amountPaid: number; at: Date }) {
  const found = await tx.recovery.findFirst({ where: { id: input.recoveryId, workspaceId: input.workspaceId }, select: { externalId: true } });
  if (!found) return null;
  const recovery = await findByInvoice(tx, input.workspaceId, found.externalId);
  if (!recovery || (recovery.status !== "pending" && recovery.status !== "failed")) return null;
  const closed = await closeRecovery(tx, recovery, "recovered", "paid_by_pay_link", input.at, input.amountPaid);
  await announce.recovered(tx, closed);
  // The provider would otherwise go on collecting a debt the customer has paid.
  if (providerFor(recovery.provider).settleElsewhere) await enqueue(queues.recoverySettleElsewhere, { recoveryId: recovery.id }, { tx, key: recovery.id });
  return closed;
}

/** The `recovery-settle-elsewhere` job: the provider stops collecting a debt paid through a pay-link, once (the recovery's id is the key). */
export async function settleRecoveryElsewhere(input: { recoveryId: string }) {
  const recovery = await db().recovery.findUnique({ where: { id: input.recoveryId } });
  if (!recovery || recovery.status !== "recovered") return;
  await providerFor(recovery.provider).settleElsewhere?.(recovery, { idempotencyKey: `recoup-paid-elsewhere-${recovery.id}` });
}

/**
 * The answer to one of our charges (docs/decisions/0037), whoever gives it: the provider's reply to
 * the charge-retry job, a webhook naming our idempotency key, a reconciliation check. Applied once,
 * under the debt's lock: a decline records why and plans again; a refusal that is not a decline
 * counts the retry and plans again (unless the debt is now settled); a success closes the recovery
 * as recovered, even one whose attempt was recorded as declined first (a challenged payment the
 * customer then confirmed). Returns the recovery afterwards, or null for a key that is not ours.
 */
export async function recordAttemptResult(input: { key: string; result: ChargeResult }) {
  const { key, result } = input;
  const after = await db().$transaction(async (tx) => {
    const locked = await lockAttempt(tx, key);
    if (!locked) return null;
    const { recovery, attempt } = locked;
    if (result.kind === "succeeded") {
      if (attempt.status !== "succeeded" || result.refs) {
        await tx.chargeAttempt.update({ where: { id: attempt.id }, data: { status: "succeeded", ...result.refs } });
      }
      return closeRecovered(tx, recovery, result.amountPaid ?? recovery.amountDueMinor, result.at);
    }
    // Every other answer settles a pending attempt only: one applied already (a re-run, a webhook
    // that was faster than the charge's own reply) has planned what comes next.
    if (attempt.status !== "pending") return recovery;
    switch (result.kind) {
      case "declined": {
        const { failure, at } = result;
        await tx.chargeAttempt.update({
          where: { id: attempt.id },
          data: {
            status: "failed",
            ...attemptFailureColumns(failure),
            cardFingerprint: failure.cardFingerprint ?? attempt.cardFingerprint,
            paymentIntentId: failure.paymentIntentId ?? attempt.paymentIntentId,
            chargeId: failure.chargeId ?? attempt.chargeId,
            attemptedAt: at,
          },
        });
        const declined = await tx.recovery.update({
          where: { id: recovery.id },
          data: { recoupRetryCount: { increment: 1 }, lastRetryAt: at, lastFailureAt: at, ...failureColumns(failure), paymentMethodUpdatedAt: null },
        });
        await announce.failed(tx, declined, { source: "recoup", attemptNumber: attempt.attemptNumber, at, dedupeKey: attempt.idempotencyKey });
        return declined.status === "pending" ? planNext(tx, declined) : declined;
      }
      case "submitted": {
        await tx.recovery.updateMany({
          where: { id: recovery.id, status: "pending" },
          data: { nextActionKind: "wait", nextActionAt: null, nextActionReason: result.waitReason },
        });
        const provider = providerFor(recovery.provider);
        if (provider.chargedBy === "recoup") await provider.watchSubmitted?.({ tx, recovery, idempotencyKey: key, ref: result.ref });
        return recovery;
      }
      case "not_declined":
      case "subscription_paused": {
        const settlement = result.kind === "not_declined" ? result.settlement : undefined;
        await tx.chargeAttempt.update({
          where: { id: attempt.id },
          data: { status: settlement?.state === "paid" ? "succeeded" : "error", errorCode: result.code ?? null, errorMessage: result.message },
        });
        if (settlement?.state === "paid") return closeRecovered(tx, recovery, settlement.amountPaid, settlement.at);
        if (settlement?.state === "ended") return recovery.status === "pending" ? closeRecovery(tx, recovery, "abandoned", settlement.reason, now()) : recovery;
        // A paused subscription's recoveries are paused together, after this (pauseSubscriptionRecoveries).
        if (result.kind === "subscription_paused" && recovery.externalSubscriptionId) return countRetry(tx, recovery, { plan: false });
        return countRetry(tx, recovery, { plan: true });
      }
    }
  });
  if (after && result.kind === "subscription_paused" && after.externalSubscriptionId) {
    await pauseSubscriptionRecoveries({ workspaceId: after.workspaceId, subscriptionId: after.externalSubscriptionId, reason: result.reason });
  }
  return after;
}

/**
 * Our submitted charge is still unanswered: the merchant reads why while the recovery waits, and
 * `watch` arranges the next look, in the same transaction. Nothing when the answer came meanwhile.
 */
export async function recordStillAwaiting(input: { key: string; waitReason: string; watch: (tx: Tx) => Promise<unknown> }) {
  await db().$transaction(async (tx) => {
    const locked = await lockAttempt(tx, input.key);
    if (!locked) return;
    const { recovery, attempt } = locked;
    if (attempt.status !== "pending") return;
    await tx.recovery.updateMany({ where: { id: recovery.id, status: "pending", nextActionKind: "wait" }, data: { nextActionReason: input.waitReason } });
    await input.watch(tx);
  });
}

/** A retry that was made but not declined (refused otherwise, or put to the merchant) counts; the engine plans again. */
async function countRetry(tx: Tx, recovery: Recovery, options: { plan: boolean }) {
  const counted = await tx.recovery.update({ where: { id: recovery.id }, data: { recoupRetryCount: { increment: 1 }, lastRetryAt: now() } });
  return options.plan && counted.status === "pending" ? planNext(tx, counted) : counted;
}

/** `invoice.voided`, `invoice.marked_uncollectible`. */
export async function markInvoiceAbandoned(input: { workspaceId: string; invoiceId: string; reason: string; at: Date }) {
  return db().$transaction(async (tx) => {
    const recovery = await findByInvoice(tx, input.workspaceId, input.invoiceId);
    if (!recovery || recovery.status !== "pending") return recovery;
    return closeRecovery(tx, recovery, "abandoned", input.reason, input.at);
  });
}

/** `customer.subscription.deleted`, Shopify's contract cancel/expire/fail: every open recovery of that subscription is abandoned. */
export async function markSubscriptionEnded(input: { workspaceId: string; subscriptionId: string; at: Date; reason?: string }) {
  const open = await db().recovery.findMany({
    where: { workspaceId: input.workspaceId, externalSubscriptionId: input.subscriptionId, status: "pending" },
    select: { externalId: true },
  });
  for (const r of open) {
    await markInvoiceAbandoned({ workspaceId: input.workspaceId, invoiceId: r.externalId, reason: input.reason ?? "subscription_canceled", at: input.at });
  }
}

/**
 * A new default payment method for the customer (portal update, network card
 * refresh, …): every open recovery of that customer is retried within a minute.
 * Shopify names the contract instead (`subscriptionId`), and the new card (`card`),
 * since each contract carries its own payment method.
 */
export async function onPaymentMethodUpdated(input: {
  workspaceId: string;
  externalCustomerId?: string;
  subscriptionId?: string;
  at: Date;
  /** The new default payment method's id, when the platform names it: the evidence for a change in the failure's second. */
  paymentMethodId?: string | null;
  card?: { fingerprint: string; brand: string; last4: string | null };
}) {
  if (!input.externalCustomerId && !input.subscriptionId) return [];
  const open = await db().recovery.findMany({
    where: {
      workspaceId: input.workspaceId,
      status: "pending",
      ...(input.externalCustomerId ? { externalCustomerId: input.externalCustomerId } : {}),
      ...(input.subscriptionId ? { externalSubscriptionId: input.subscriptionId } : {}),
    },
  });
  const results: Recovery[] = [];
  for (const r of open) {
    const updated = await db().$transaction(async (tx) => {
      const recovery = await findByInvoice(tx, r.workspaceId, r.externalId);
      if (!recovery || recovery.status !== "pending") return recovery;
      // Only a change after the latest failure is news.
      if (!changedAfterFailure(recovery, input)) return recovery;
      // Known to follow the failure: recorded no earlier than just after it, so every later
      // comparison with the failure's millisecond time (the policy's "new card") agrees.
      const changedAt = new Date(Math.max(input.at.getTime(), recovery.lastFailureAt.getTime() + 1));
      if (recovery.paymentMethodUpdatedAt && recovery.paymentMethodUpdatedAt >= changedAt) return recovery;
      const fresh = await tx.recovery.update({
        where: { id: recovery.id },
        data: {
          paymentMethodUpdatedAt: changedAt,
          linkUsedAt: recovery.linkUsedAt ?? changedAt,
          ...(input.card ? { cardFingerprint: input.card.fingerprint, cardBrand: input.card.brand, cardLast4: input.card.last4 } : {}),
        },
      });
      await announce.cardUpdated(tx, fresh, { at: changedAt });
      return planNext(tx, fresh);
    });
    if (updated) results.push(updated);
  }
  return results;
}

/**
 * Whether a payment method change came after the recovery's latest failure. Stripe's `event.created`
 * counts whole seconds while our own failures carry milliseconds, so times are compared by the
 * second; within the failure's second the change's own evidence decides: a new default that is not
 * the method that failed is a new card after the decline (one that is, was changed before it and
 * declined). Without that evidence, the times as given.
 */
export function changedAfterFailure(
  recovery: Pick<Recovery, "lastFailureAt" | "failedPaymentMethodId">,
  change: { at: Date; paymentMethodId?: string | null },
): boolean {
  const changeSecond = Math.floor(change.at.getTime() / 1000);
  const failureSecond = Math.floor(recovery.lastFailureAt.getTime() / 1000);
  if (changeSecond !== failureSecond) return changeSecond > failureSecond;
  if (change.paymentMethodId && recovery.failedPaymentMethodId) return change.paymentMethodId !== recovery.failedPaymentMethodId;
  return change.at > recovery.lastFailureAt;
}

export async function closeExpiredRecovery(input: { recoveryId: string }) {
  return db().$transaction(async (tx) => {
    const row = await tx.recovery.findUnique({ where: { id: input.recoveryId } });
    if (!row) return null;
    const recovery = await findByInvoice(tx, row.workspaceId, row.externalId);
    if (!recovery || recovery.status !== "pending") return recovery;
    return closeRecovery(tx, recovery, "failed", "schedule_exhausted", now());
  });
}

/** The refusal every command on an erased customer's recovery gets (ADR 0006, amended). */
export const ERASED_MESSAGE = "This customer's data was erased on request, so this recovery is closed for good: nothing can be retried, paused, resumed or sent.";

/**
 * Commands act on open recoveries only. An erased customer's recovery is closed for good, and says
 * so (`recovery_erased`, 409) rather than just "closed".
 */
export function assertOpen(recovery: Pick<Recovery, "status" | "erasedAt">, closedMessage = "This recovery is already closed.") {
  if (recovery.erasedAt) throw new AppError("recovery_erased", ERASED_MESSAGE);
  if (recovery.status !== "pending") throw new AppError("recovery_closed", closedMessage);
}

/**
 * GDPR erasure (app/domain/privacy, inside its transaction): the customer's recoveries are
 * anonymised (amounts and outcomes stay for the merchant's totals, every reference becomes
 * `ref()`), marked erased, and one still open is closed as abandoned, for good: no command or job
 * reopens it. Their charge attempts lose the card fingerprint and the PSP's error text.
 */
export async function closeErasedRecoveries(input: { tx: Tx; recoveryIds: string[]; at: Date; ref: () => string }) {
  const { tx } = input;
  for (const id of input.recoveryIds) {
    // Where the invoice lock is; the row itself is read under it.
    const invoice = await tx.recovery.findUniqueOrThrow({ where: { id }, select: { workspaceId: true, externalId: true } });
    await lockInvoice(tx, invoice.workspaceId, invoice.externalId);
    let recovery = await tx.recovery.findUniqueOrThrow({ where: { id } });
    if (recovery.status === "pending") recovery = await closeRecovery(tx, recovery, "abandoned", "customer_erased", input.at);
    await tx.recovery.update({
      where: { id },
      data: {
        erasedAt: input.at,
        customerId: null,
        externalCustomerId: input.ref(),
        externalId: input.ref(),
        externalSubscriptionId: recovery.externalSubscriptionId ? input.ref() : null,
        cardFingerprint: null,
        cardLast4: null,
        cardBrand: null,
        hostedInvoiceUrl: null,
        failureMessage: null,
        paused: false,
        pausedAt: null,
        pausedBy: null,
        nextActionKind: null,
        nextActionAt: null,
        nextActionReason: "Customer data erased on request.",
      },
    });
  }
  // Their attempts too, once every invoice lock is held (the order every other writer takes them in).
  await tx.chargeAttempt.updateMany({ where: { recoveryId: { in: input.recoveryIds } }, data: { cardFingerprint: null, errorMessage: null } });
}

/**
 * A planned retry or wake-up this long past its time lost its job: the charge-retry job spent its
 * retries (Stripe unreachable for an hour) or vanished. Longer than that job's whole backoff, so a
 * job still retrying is never second-guessed (ADR 0025).
 */
const OVERDUE_AFTER_MS = 2 * 3_600_000;

/**
 * The sweeper (`recovery-sweep`, every 10 minutes): plans again each running recovery whose retry or
 * wake-up is overdue. The policy decides afresh, so an outage's missed retry is made (or moved) and
 * the merchant's "next step" is true again. A Stripe charge already started keeps its idempotency
 * key (same attempt number); an attempt awaiting a provider's later answer (Shopify's) is left to
 * the provider's own watch (watchSubmitted).
 */
export async function replanOverdueRecoveries(input: { limit?: number } = {}): Promise<{ replanned: string[] }> {
  const cutoff = new Date(now().getTime() - OVERDUE_AFTER_MS);
  const overdue = await db().recovery.findMany({
    where: {
      status: "pending",
      paused: false,
      nextActionKind: { in: ["retry", "wait"] },
      nextActionAt: { lt: cutoff },
      NOT: { provider: { in: providersAnsweringLater() }, retries: { some: { status: "pending" } } },
    },
    select: { id: true, workspaceId: true, externalId: true },
    orderBy: { nextActionAt: "asc" },
    take: input.limit ?? 200,
  });
  const replanned: string[] = [];
  for (const row of overdue) {
    await db().$transaction(async (tx) => {
      const current = await findByInvoice(tx, row.workspaceId, row.externalId);
      if (!current || current.status !== "pending" || current.paused || !current.nextActionAt || current.nextActionAt >= cutoff) return;
      if (current.nextActionKind !== "retry" && current.nextActionKind !== "wait") return;
      await planNext(tx, current);
      replanned.push(current.id);
    });
  }
  if (replanned.length) log.warn("overdue recoveries planned again", { count: replanned.length });
  return { replanned };
}

async function loadForWorkspace(tx: Tx, workspaceId: string, recoveryId: string) {
  // An erasure committing between the read and the lock rewrites the invoice key
  // (closeErasedRecoveries): the lock then finds nothing, and the row is read again under its new key.
  for (let attempt = 0; attempt < 2; attempt += 1) {
    const row = await tx.recovery.findFirst({ where: { id: recoveryId, workspaceId } });
    if (!row) break;
    const locked = await findByInvoice(tx, workspaceId, row.externalId);
    if (locked) return locked;
  }
  throw new AppError("recovery_not_found", "No such recovery in this workspace.");
}

/**
 * Why a recovery is paused (`Recovery.pausedBy`). Only a pause's own cause lifts it: a
 * reconnection resumes what the disconnection paused, never what the merchant paused
 * (docs/decisions/0019).
 */
export type PausedBy = "merchant" | "account_disconnected" | "shop_uninstalled" | "subscription_paused";
/** The pauses of a platform account leaving Recoup (a Stripe account, a Shopify shop). */
export type AccountPause = Extract<PausedBy, "account_disconnected" | "shop_uninstalled">;

/**
 * Every open, running recovery of a platform account (a Stripe account id, a Shopify shop domain)
 * stops: the account left Recoup. Recoveries already paused (by the merchant, by a paused
 * subscription) keep their pause and its reason. Inside the caller's transaction.
 */
export async function pauseAccountRecoveries(input: { tx: Tx; account: string; at: Date; reason: string; pausedBy: AccountPause }) {
  // One statement: the rows it paused, as they now are, are the ones announced.
  const pausing = await input.tx.recovery.updateManyAndReturn({
    where: { externalAccountId: input.account, status: "pending", paused: false },
    data: { paused: true, pausedAt: input.at, pausedBy: input.pausedBy, nextActionReason: input.reason },
  });
  for (const r of pausing) await announce.paused(input.tx, r, { pausedBy: input.pausedBy, at: input.at, reason: input.reason });
  const workspaceIds = [...new Set(pausing.map((r) => r.workspaceId))];
  await announce.accountDisconnected(input.tx, { account: input.account, pausedBy: input.pausedBy, at: input.at, reason: input.reason, workspaceIds });
}

/**
 * The account came back to the workspace (a Shopify reinstall within the grace period, a Stripe
 * account connected or authorised again): exactly the recoveries its leaving paused carry on,
 * through the engine's resume (the next action is planned from now, the email sequence picks up).
 * One whose time ran out meanwhile closes as failed. Returns how many were resumed and closed.
 */
export async function resumeAccountRecoveries(input: { workspaceId: string; account: string; pausedBy: AccountPause }) {
  const paused = await db().recovery.findMany({
    where: { workspaceId: input.workspaceId, externalAccountId: input.account, status: "pending", paused: true, pausedBy: input.pausedBy },
    select: { id: true },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
  });
  const result = { resumed: 0, closed: 0 };
  for (const r of paused) {
    const outcome = await resume({ workspaceId: input.workspaceId, recoveryId: r.id, onlyIfPausedBy: input.pausedBy });
    if (outcome === "resumed") result.resumed += 1;
    if (outcome === "closed") result.closed += 1;
  }
  if (paused.length) log.info("account back: recoveries resumed", { account: input.account, ...result });
  return result;
}

export async function pauseRecovery(input: { workspaceId: string; recoveryId: string }) {
  return db().$transaction(async (tx) => {
    const recovery = await loadForWorkspace(tx, input.workspaceId, input.recoveryId);
    assertOpen(recovery);
    // The merchant's word: even a recovery the account's leaving paused now waits for the merchant.
    const paused = await tx.recovery.update({ where: { id: recovery.id }, data: { paused: true, pausedAt: now(), pausedBy: "merchant" satisfies PausedBy } });
    if (!recovery.paused) await announce.paused(tx, paused, { pausedBy: "merchant", at: paused.pausedAt!, reason: null });
    return paused;
  });
}

export async function resumeRecovery(input: { workspaceId: string; recoveryId: string }) {
  const resumed = await db().$transaction(async (tx) => {
    const recovery = await loadForWorkspace(tx, input.workspaceId, input.recoveryId);
    assertOpen(recovery);
    if (!recovery.paused) return recovery;
    return unpause(tx, recovery);
  });
  // Planned again from now (the retry by the policy, the next email past the spacing): the caller
  // says when, and why, rather than leaving the merchant to guess.
  const nextEmailAt = await announce.resumed(resumed.id);
  return Object.assign(resumed, { nextEmailAt });
}

/** Lifts a pause: planned again from now, or closed as failed when its time ran out meanwhile. */
async function unpause(tx: Tx, recovery: Recovery) {
  if (now().getTime() >= recovery.startedAt.getTime() + EXPIRE_AFTER_DAYS * DAY) {
    return closeRecovery(tx, recovery, "failed", "schedule_exhausted", now());
  }
  const fresh = await tx.recovery.update({ where: { id: recovery.id }, data: { paused: false, pausedAt: null, pausedBy: null } });
  await announce.unpaused(tx, fresh);
  return planNext(tx, fresh);
}

/** A pause lifted by its cause going away: only a recovery still open and paused for that cause. */
async function resume(input: { workspaceId: string; recoveryId: string; onlyIfPausedBy: PausedBy }): Promise<"resumed" | "closed" | "unchanged"> {
  const after = await db().$transaction(async (tx) => {
    const recovery = await loadForWorkspace(tx, input.workspaceId, input.recoveryId);
    if (recovery.status !== "pending" || !recovery.paused || recovery.pausedBy !== input.onlyIfPausedBy) return null;
    return unpause(tx, recovery);
  });
  if (!after) return "unchanged";
  if (after.status !== "pending") return "closed";
  await announce.resumed(after.id);
  return "resumed";
}

/** Shopify's `subscription_contracts/pause` (or a retry refused as CONTRACT_PAUSED): the subscription's open recoveries wait. */
export async function pauseSubscriptionRecoveries(input: { workspaceId: string; subscriptionId: string; reason: string }) {
  const open = await db().recovery.findMany({
    where: { workspaceId: input.workspaceId, externalSubscriptionId: input.subscriptionId, status: "pending", paused: false },
    select: { externalId: true },
  });
  for (const r of open) {
    await db().$transaction(async (tx) => {
      const recovery = await findByInvoice(tx, input.workspaceId, r.externalId);
      if (!recovery || recovery.status !== "pending" || recovery.paused) return;
      const paused = await tx.recovery.update({
        where: { id: recovery.id },
        data: { paused: true, pausedAt: now(), pausedBy: "subscription_paused" satisfies PausedBy, nextActionReason: input.reason },
      });
      await announce.paused(tx, paused, { pausedBy: "subscription_paused", at: paused.pausedAt!, reason: input.reason });
    });
  }
  return open.length;
}

/**
 * Shopify's `subscription_contracts/activate`: the recoveries the contract's pause held carry on
 * from now; one the merchant paused stays paused.
 */
export async function resumeSubscriptionRecoveries(input: { workspaceId: string; subscriptionId: string }) {
  const paused = await db().recovery.findMany({
    where: { workspaceId: input.workspaceId, externalSubscriptionId: input.subscriptionId, status: "pending", paused: true, pausedBy: "subscription_paused" },
    select: { id: true },
  });
  for (const r of paused) {
    await resume({ workspaceId: input.workspaceId, recoveryId: r.id, onlyIfPausedBy: "subscription_paused" });
  }
  return paused.length;
}

/** The reason of a retry the merchant asked for: quiet hours do not hold it (retry.server.ts). */
export const MERCHANT_RETRY_REASON = "Retrying now, as requested by the merchant.";

/**
 * Whether a retry may be made now, at the merchant's request: the networks' rules bind a manual
 * retry too. A decline the policy would never retry, or a card the bank refused for good or that
 * needs the customer (until a new payment method arrives), is refused with its reason.
 */
async function assertMayRetryNow(tx: Tx, recovery: Recovery) {
  const action = await decide(tx, recovery);
  const needsNewCard = action.classification.category === "hard_customer" || action.classification.category === "terminal";
  const newCard = recovery.paymentMethodUpdatedAt !== null && recovery.paymentMethodUpdatedAt > recovery.lastFailureAt;
  if (action.kind === "stop" || (needsNewCard && !newCard)) {
    const why = action.reason.replace(/^Stopped:\s*/i, "");
    throw new AppError("conflict", `Not retried: ${why}`, { reason: action.reason });
  }
  return action;
}

/**
 * Inside the engine's transaction, with the debt locked: a merchant-charged payment's retry
 * `attemptNumber` is put to the merchant (ADR 0015). Asked once per retry: the retry counts and the
 * engine plans the next one; asking again for the same retry (a re-run job) changes nothing.
 */
export async function askMerchantToRetry(input: { tx: Tx; provider: MerchantChargedProvider; recovery: Recovery; attemptNumber: number; reason: string | null }) {
  const { tx, recovery } = input;
  const asked = await input.provider.askMerchantToRetry({ tx, recovery, attemptNumber: input.attemptNumber, reason: input.reason });
  const after = asked.created ? await countRetry(tx, recovery, { plan: true }) : recovery;
  return { asked, recovery: after };
}

/**
 * A retry now, on the merchant's request — still within the network rules (assertMayRetryNow).
 * Lifts a pause, whatever its cause. A payment Recoup charges is charged by the charge-retry job at
 * once; one the merchant charges (an ingested PSP's) is put to the merchant now, and `askedMerchant`
 * says which retry that was.
 */
export async function retryNow(input: { workspaceId: string; recoveryId: string }) {
  return db().$transaction(async (tx) => {
    const recovery = await loadForWorkspace(tx, input.workspaceId, input.recoveryId);
    assertOpen(recovery);
    const provider = providerFor(recovery.provider);
    if (provider.chargedBy === "recoup" && !recovery.externalAccountId) {
      throw new AppError("conflict", "This recovery has no connected Stripe account to charge.");
    }
    const action = await assertMayRetryNow(tx, recovery);
    const at = now();
    const fresh = await tx.recovery.update({ where: { id: recovery.id }, data: { paused: false, pausedAt: null, pausedBy: null } });
    if (recovery.paused) await announce.unpaused(tx, fresh);
    if (provider.chargedBy === "merchant") {
      const attemptNumber = fresh.recoupRetryCount + 1;
      const done = await askMerchantToRetry({ tx, provider, recovery: fresh, attemptNumber, reason: "The merchant asked for a retry now." });
      return Object.assign(done.recovery, { askedMerchant: { attemptNumber, eventId: done.asked.eventId, notifiedBy: done.asked.channel, requestedAt: at } });
    }
    const planned = await applyAction(tx, fresh, {
      kind: "retry",
      at,
      reason: MERCHANT_RETRY_REASON,
      classification: action.classification,
    });
    return Object.assign(planned, { askedMerchant: null });
  });
}

/**
 * The bank wants the customer to confirm the payment (Stripe's `invoice.payment_action_required`,
 * after its failure is recorded): an open recovery asks the customer for the confirmation now and
 * says so; it is never retried blind.
 */
export async function requestAuthentication(input: { workspaceId: string; invoiceId: string; at: Date }) {
  return db().$transaction(async (tx) => {
    const recovery = await findByInvoice(tx, input.workspaceId, input.invoiceId);
    if (recovery?.status !== "pending") return recovery;
    // Held out: the platform's own authentication email is all the customer gets (ADR 0072).
    if (recovery.holdout) return tx.recovery.update({ where: { id: recovery.id }, data: { errorCode: "authentication_required" } });
    const updated = await tx.recovery.update({
      where: { id: recovery.id },
      data: {
        errorCode: "authentication_required",
        nextActionKind: "email",
        nextActionAt: input.at,
        nextActionReason: "The bank asked the customer to confirm this payment; we sent them the link.",
      },
    });
    const kind = "authentication_request";
    await announce.customerActionNeeded(tx, updated, { kind, dedupeKey: customerActionKey(kind, updated.cardFingerprint) });
    return updated;
  });
}
