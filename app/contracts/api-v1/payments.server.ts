// /api/v1 payments: a failed payment Recoup works on (a Recovery row) as LostChurn shows it.
import type { z } from "zod";
import { pauseRecovery, resumeRecovery, retryNow, retrySettingsFor } from "~/domain/recovery/engine.server";
import { DECLINE_CATEGORIES, type DeclineCategory } from "~/domain/recovery/decline-codes";
import type { PageRequest } from "~/domain/pagination.server";
import { AppError } from "~/domain/errors";
import { db, type Prisma } from "~/utils/db.server";
import { findAttemptId, inScope, nextActionOf, pageOfAttempts, startedBetween, timelineEvents, type ApiScope, type AttemptWhere } from "./attempts.server";
import type { ListPaymentsQuerySchema, PAYMENT_STATUSES } from "./payments";

type PaymentStatus = (typeof PAYMENT_STATUSES)[number];
type ListPaymentsQuery = z.infer<typeof ListPaymentsQuerySchema>;

/** What a payment shows beside its row: the customer's email, and the latest attempts that name a Stripe PaymentIntent or charge. */
export const WITH_CUSTOMER = {
  customer: { select: { email: true } },
  retries: {
    where: { OR: [{ paymentIntentId: { not: null } }, { chargeId: { not: null } }] },
    orderBy: [{ attemptedAt: "desc" }, { createdAt: "desc" }],
    take: 3,
    select: { paymentIntentId: true, chargeId: true },
  },
} as const satisfies Prisma.RecoveryInclude;
type PaymentRow = Prisma.RecoveryGetPayload<{ include: typeof WITH_CUSTOMER }>;

export function paymentStatus(status: string): PaymentStatus {
  return status === "pending" ? "failed" : status === "recovered" ? "recovered" : "terminal";
}

function statusWhere(status: ListPaymentsQuery["status"]): AttemptWhere {
  switch (status) {
    case undefined:
      return {};
    case "failed":
      return { status: "pending" };
    case "pending":
      return { status: "pending", paused: false };
    case "recovered":
      return { status: "recovered" };
    case "terminal":
      return { status: { in: ["failed", "abandoned"] } };
  }
}

export async function maxRetriesOf(workspaceId: string): Promise<number> {
  const workspace = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { retrySettings: true, timezone: true } });
  return retrySettingsFor(workspace).maxRetries;
}

/** An item of GET /api/v1/payments (PaymentSchema), also a customer's payments. */
export function paymentOf(row: PaymentRow, maxRetries: number) {
  return {
    id: row.id,
    externalId: row.externalId,
    paymentIntentId: row.retries.find((r) => r.paymentIntentId)?.paymentIntentId ?? null,
    latestChargeId: row.retries.find((r) => r.chargeId)?.chargeId ?? null,
    amountCents: row.amountDueMinor,
    currency: row.currency,
    status: paymentStatus(row.status),
    paused: row.paused,
    declineCode: row.declineCode ?? row.errorCode,
    declineCategory: (DECLINE_CATEGORIES as readonly string[]).includes(row.declineCategory ?? "") ? (row.declineCategory as DeclineCategory) : null,
    retryCount: row.recoupRetryCount,
    maxRetries,
    recoveredAmountCents: row.recoveredAmountMinor,
    customerId: row.customerId,
    pspCustomerId: row.externalCustomerId,
    customerEmail: row.customer?.email ?? null,
    subscriptionId: row.externalSubscriptionId,
    psp: row.provider,
    nextAction: nextActionOf(row),
    metadata: {},
    createdAt: row.startedAt,
    updatedAt: row.updatedAt,
    endedAt: row.endedAt,
  };
}

export async function listPayments(input: ApiScope & { query: ListPaymentsQuery; page: PageRequest }) {
  const { query } = input;
  const where: AttemptWhere = {
    ...statusWhere(query.status),
    ...(query.decline_category ? { declineCategory: query.decline_category } : {}),
    ...startedBetween(query.created_after, query.created_before),
  };
  const [page, maxRetries] = await Promise.all([
    pageOfAttempts({ ...inScope(input), where, page: input.page, include: WITH_CUSTOMER }),
    maxRetriesOf(input.workspaceId),
  ]);
  return { ...page, items: page.items.map((row) => paymentOf(row, maxRetries)) };
}

async function resolve(scope: ApiScope, ref: string): Promise<string> {
  const id = await findAttemptId(scope, ref);
  if (!id) throw new AppError("payment_not_found", `No payment ${ref} in this workspace.`);
  return id;
}

export async function getPayment(input: ApiScope & { id: string }) {
  const id = await resolve(input, input.id);
  const [row, maxRetries] = await Promise.all([
    db().recovery.findFirstOrThrow({ where: { id, workspaceId: input.workspaceId }, include: WITH_CUSTOMER }),
    maxRetriesOf(input.workspaceId),
  ]);
  return paymentOf(row, maxRetries);
}

export async function getPaymentTimeline(input: ApiScope & { id: string }) {
  const id = await resolve(input, input.id);
  const row = await db().recovery.findFirstOrThrow({ where: { id, workspaceId: input.workspaceId }, select: { status: true } });
  return { paymentId: id, status: paymentStatus(row.status), events: await timelineEvents(input.workspaceId, id) };
}

/** The engine's refusals as the API words them: a closed payment is a state conflict (409). */
async function engineCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof AppError && error.code === "recovery_closed") {
      throw new AppError("conflict", "This payment is no longer failed (recovered or closed), so there is nothing to retry, pause or resume.");
    }
    if (error instanceof AppError && error.code === "recovery_not_found") throw new AppError("payment_not_found", error.message);
    throw error;
  }
}

/**
 * A retry now, within the networks' rules (a decline the policy never retries is a 409 with its
 * reason). Recoup charges Stripe and Shopify payments itself; a payment ingested from another PSP
 * is the merchant's to retry: Recoup sends them `payment.retry_due` (webhook, else an email to the
 * workspace owner) and the merchant reports the result through the ingest endpoint.
 */
export async function retryPayment(input: ApiScope & { id: string }) {
  const id = await resolve(input, input.id);
  const updated = await engineCall(() => retryNow({ workspaceId: input.workspaceId, recoveryId: id }));
  const asked = updated.askedMerchant;
  return {
    paymentId: updated.id,
    retryScheduled: true,
    retryNumber: asked?.attemptNumber ?? updated.recoupRetryCount + 1,
    scheduledAt: asked?.requestedAt ?? updated.nextActionAt ?? new Date(),
  };
}

function recoveryState(row: { id: string; paused: boolean; status: string; nextActionKind: string | null; nextActionAt: Date | null; nextActionReason: string | null }) {
  return { paymentId: row.id, status: row.paused ? ("paused" as const) : ("active" as const), paused: row.paused, nextAction: row.paused ? null : nextActionOf(row) };
}

/** Pauses retries and emails; pausing a paused payment changes nothing. */
export async function pausePayment(input: ApiScope & { id: string }) {
  const id = await resolve(input, input.id);
  return recoveryState(await engineCall(() => pauseRecovery({ workspaceId: input.workspaceId, recoveryId: id })));
}

/** Plans the next step from now and picks the email sequence up where it stopped. */
export async function resumePayment(input: ApiScope & { id: string }) {
  const id = await resolve(input, input.id);
  return recoveryState(await engineCall(() => resumeRecovery({ workspaceId: input.workspaceId, recoveryId: id })));
}
