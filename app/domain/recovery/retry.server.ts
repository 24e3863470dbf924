import Stripe from "stripe";
import { stripe } from "~/integrations/stripe/client.server";
import { failureFromApiError } from "~/integrations/stripe/invoices.server";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { failureColumns, markInvoiceAbandoned, markInvoicePaid, planNext } from "./engine.server";

export function retryIdempotencyKey(recoveryId: string, attemptNumber: number) {
  return `recoup-retry-${recoveryId}-${attemptNumber}`;
}

type Decision = { kind: "skip"; why: string } | { kind: "charge"; key: string } | { kind: "replanned" };

/**
 * The `charge-retry` job: at the planned time, charge the invoice once
 * (`stripe.invoices.pay`, off-session, idempotency key per recovery and
 * attempt), record the result and plan what comes next. Stripe 429/5xx and
 * network errors throw, so pg-boss retries with backoff under the same key.
 */
export async function runChargeRetry(input: { recoveryId: string; attemptNumber: number; at: string }) {
  const decision = await db().$transaction(async (tx): Promise<Decision> => {
    const recovery = await tx.recoveryAttempt.findUnique({ where: { id: input.recoveryId } });
    if (!recovery || recovery.status !== "pending" || recovery.paused) return { kind: "skip", why: "closed or paused" };
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${recovery.workspaceId}:${recovery.stripeInvoiceId}`}, 0))`;
    const current = await tx.recoveryAttempt.findUniqueOrThrow({ where: { id: recovery.id } });
    const key = retryIdempotencyKey(current.id, input.attemptNumber);
    const existing = await tx.retryAttempt.findUnique({ where: { idempotencyKey: key } });
    if (existing && existing.status !== "pending") return { kind: "skip", why: "attempt already made" };
    if (!existing) {
      // Superseded plans (a newer decision moved the time) do nothing.
      if (current.nextActionAt?.toISOString() !== input.at || current.recoupRetryCount + 1 !== input.attemptNumber) {
        return { kind: "skip", why: "superseded" };
      }
      if (current.nextActionKind === "wait") {
        await planNext(tx, current);
        return { kind: "replanned" };
      }
      if (current.nextActionKind !== "retry") return { kind: "skip", why: `next action is ${current.nextActionKind}` };
      const account = current.stripeAccountId
        ? await tx.connectedStripeAccount.findUnique({ where: { stripeAccountId: current.stripeAccountId } })
        : null;
      if (!account || account.disconnectedAt || account.workspaceId !== current.workspaceId) {
        return { kind: "skip", why: "Stripe account not connected" };
      }
      // The row exists before Stripe is called: a crash after the call re-runs with the same key.
      await tx.retryAttempt.create({
        data: {
          workspaceId: current.workspaceId,
          recoveryAttemptId: current.id,
          attemptNumber: input.attemptNumber,
          source: "recoup",
          idempotencyKey: key,
          status: "pending",
          cardFingerprint: current.cardFingerprint,
          amountCents: current.amountDueCents,
          currency: current.currency,
          attemptedAt: now(),
        },
      });
    }
    return { kind: "charge", key };
  });
  if (decision.kind !== "charge") {
    if (decision.kind === "skip") log.debug("retry skipped", { recoveryId: input.recoveryId, why: decision.why });
    return decision;
  }

  const recovery = await db().recoveryAttempt.findUniqueOrThrow({ where: { id: input.recoveryId } });
  const stripeAccount = recovery.stripeAccountId!;
  try {
    const invoice = await stripe().invoices.pay(
      recovery.stripeInvoiceId,
      { off_session: true },
      { stripeAccount, idempotencyKey: decision.key },
    );
    await db().retryAttempt.update({ where: { idempotencyKey: decision.key }, data: { status: "succeeded" } });
    await markInvoicePaid({ workspaceId: recovery.workspaceId, invoice });
    return { kind: "succeeded" as const };
  } catch (error) {
    if (error instanceof Stripe.errors.StripeCardError) {
      const raw = error.raw as Parameters<typeof failureFromApiError>[0] & { payment_intent?: { last_payment_error?: Parameters<typeof failureFromApiError>[0] } };
      const failure = failureFromApiError({ ...raw, payment_method: raw.payment_intent?.last_payment_error?.payment_method ?? raw.payment_method });
      await recordDecline(input.recoveryId, decision.key, failure);
      return { kind: "declined" as const, declineCode: failure.declineCode };
    }
    if (error instanceof Stripe.errors.StripeInvalidRequestError) {
      // e.g. "Invoice is already paid" or voided meanwhile: the invoice's state decides.
      const invoice = await stripe().invoices.retrieve(recovery.stripeInvoiceId, {}, { stripeAccount });
      await db().retryAttempt.update({
        where: { idempotencyKey: decision.key },
        data: { status: invoice.status === "paid" ? "succeeded" : "error", errorMessage: error.message },
      });
      if (invoice.status === "paid") {
        await markInvoicePaid({ workspaceId: recovery.workspaceId, invoice });
      } else if (invoice.status === "void" || invoice.status === "uncollectible") {
        await markInvoiceAbandoned({ workspaceId: recovery.workspaceId, invoiceId: recovery.stripeInvoiceId, reason: `invoice_${invoice.status}`, at: now() });
      } else {
        await db().$transaction(async (tx) => {
          const r = await tx.recoveryAttempt.update({ where: { id: recovery.id }, data: { recoupRetryCount: { increment: 1 } } });
          await planNext(tx, r);
        });
      }
      return { kind: "rejected" as const, message: error.message };
    }
    throw error; // 429, 5xx, network: pg-boss retries this job with backoff, same idempotency key
  }
}

async function recordDecline(recoveryId: string, key: string, failure: ReturnType<typeof failureFromApiError>) {
  await db().$transaction(async (tx) => {
    const attempt = await tx.retryAttempt.findUniqueOrThrow({ where: { idempotencyKey: key } });
    if (attempt.status !== "pending") return; // applied already by an earlier run
    const at = now();
    await tx.retryAttempt.update({
      where: { idempotencyKey: key },
      data: {
        status: "failed",
        declineCode: failure.declineCode,
        errorCode: failure.errorCode,
        adviceCode: failure.adviceCode,
        networkDeclineCode: failure.networkDeclineCode,
        networkAdviceCode: failure.networkAdviceCode,
        errorMessage: failure.message,
        cardFingerprint: failure.cardFingerprint ?? attempt.cardFingerprint,
        attemptedAt: at,
      },
    });
    const recovery = await tx.recoveryAttempt.update({
      where: { id: recoveryId },
      data: {
        recoupRetryCount: { increment: 1 },
        lastFailureAt: at,
        ...failureColumns(failure),
        paymentMethodUpdatedAt: null,
      },
    });
    if (recovery.status === "pending") await planNext(tx, recovery);
  });
}
