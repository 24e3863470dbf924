// Pay-links (Flow Arc's payment requests, ADR 0075): create, read with their live routing, cancel,
// pin to a provider, and the customer's click that opens the resolved processor's hosted checkout,
// falling back to the secondary when the primary cannot be used.
import { emitPaymentRequestEvent } from "~/domain/webhooks/collect-events.server";
import { AppError } from "~/domain/errors";
import { paginate, type Page, type PageRequest } from "~/domain/pagination.server";
import { now } from "~/utils/clock.server";
import { randomBase62 } from "~/utils/crypto.server";
import { isUniqueViolation } from "~/utils/db-errors.server";
import { db, type Tx } from "~/utils/db.server";
import type { PaymentRequest, Prisma, ProviderConnection } from "../../../generated/prisma/client";
import { openCheckoutOn } from "./checkout.server";
import { connectionsOf, routingOf, type ConnectionsAndRouting } from "./connections.server";
import { processorFor } from "./processors.server";
import { nextOverrideChangeAt, resolveConnection, statusOf, triggersFallback, usable, type PaymentRequestStatus, type Resolution } from "./routing";

/** The currencies a pay-link landing on `connection` may be in: Flow Arc's GBP, and whatever its processor takes. */
export function payLinkCurrencies(connection: Pick<ProviderConnection, "provider"> | undefined): string[] {
  return [...new Set(["GBP", ...(connection ? processorFor(connection.provider).currencies : [])])];
}

export interface PaymentRequestView extends Omit<PaymentRequest, "status"> {
  status: PaymentRequestStatus;
  resolvedProviderConnectionId: string | null;
}

function view(row: PaymentRequest, chain: ConnectionsAndRouting, at: Date): PaymentRequestView {
  const resolution = resolveConnection(row, routingOf(chain.routing), chain.connections);
  return { ...row, status: statusOf(row, at), resolvedProviderConnectionId: resolution.connectionId };
}

export interface CreatePaymentRequest {
  workspaceId: string;
  livemode: boolean;
  createdVia: "api" | "dashboard";
  createdByUserId?: string | null;
  createdByApiKeyId?: string | null;
  amountMinor: number;
  currency: string;
  description: string;
  customerEmail?: string | null;
  customerName?: string | null;
  /** Already E.164 (mobile.ts parses it at the edge). */
  customerMobile?: string | null;
  customerReference?: string | null;
  expiresAt?: Date | null;
  providerOverrideId?: string | null;
  isSetupTest?: boolean;
  recoveryId?: string | null;
}

/** An override must be the workspace's own connection, usable now (a setup-test link may land on an unverified one). */
function checkOverride(chain: ConnectionsAndRouting, id: string, isSetupTest: boolean): ProviderConnection {
  const connection = chain.connections.find((c) => c.id === id);
  if (!connection) throw new AppError("provider_connection_invalid", `No provider connection ${id} in this workspace.`);
  if (!usable(connection, { isSetupTest }, true)) {
    throw new AppError(
      "provider_connection_invalid",
      `${connection.label} is ${connection.status.replace("_", " ")}, not connected${isSetupTest ? "" : " (a setup-test link may use a connection still being set up)"}.`,
    );
  }
  return connection;
}

export async function createPaymentRequest(input: CreatePaymentRequest): Promise<PaymentRequestView> {
  const at = now();
  if (input.expiresAt && input.expiresAt.getTime() <= at.getTime()) throw new AppError("validation_failed", "expires_at must be in the future.");
  const chain = await connectionsOf(input.workspaceId);
  const isSetupTest = input.isSetupTest ?? false;
  if (input.providerOverrideId) checkOverride(chain, input.providerOverrideId, isSetupTest);
  const currency = input.currency.toUpperCase();
  if (currency !== "GBP") {
    const resolved = resolveConnection({ providerOverrideId: input.providerOverrideId ?? null, fallbackTriggeredAt: null, isSetupTest }, routingOf(chain.routing), chain.connections);
    const connection = chain.connections.find((c) => c.id === resolved.connectionId);
    const taken = payLinkCurrencies(connection);
    if (!taken.includes(currency)) {
      throw new AppError("validation_failed", `currency ${currency} is not taken by ${connection ? connection.label : "this workspace's providers"}: use ${taken.join(", ")}.`);
    }
  }
  if (input.recoveryId) {
    const recovery = await db().recovery.findFirst({ where: { id: input.recoveryId, workspaceId: input.workspaceId }, select: { status: true } });
    if (!recovery) throw new AppError("recovery_not_found", `No recovery ${input.recoveryId} in this workspace.`);
    if (recovery.status !== "pending" && recovery.status !== "failed") throw new AppError("recovery_closed", `Recovery ${input.recoveryId} is ${recovery.status}: there is nothing left to collect.`);
  }
  for (let tries = 0; ; tries++) {
    try {
      const row = await db().$transaction(async (tx) => {
        const created = await tx.paymentRequest.create({
          data: {
            workspaceId: input.workspaceId,
            shortCode: randomBase62(12),
            amountMinor: input.amountMinor,
            currency,
            description: input.description,
            customerEmail: input.customerEmail ?? null,
            customerName: input.customerName ?? null,
            customerMobile: input.customerMobile ?? null,
            customerReference: input.customerReference ?? null,
            expiresAt: input.expiresAt ?? null,
            providerOverrideId: input.providerOverrideId ?? null,
            createdVia: input.createdVia,
            createdByUserId: input.createdByUserId ?? null,
            createdByApiKeyId: input.createdByApiKeyId ?? null,
            isSetupTest,
            livemode: input.livemode,
            recoveryId: input.recoveryId ?? null,
            events: { create: { kind: "created", connectionId: input.providerOverrideId ?? null, detail: input.providerOverrideId ? "Pinned to a provider at creation." : null, at } },
          },
        });
        await emitPaymentRequestEvent({ tx, request: created, type: "payment_request.created", at });
        return created;
      });
      return view(row, chain, at);
    } catch (error) {
      // 62^12 codes: a collision is all but impossible, and harmless when it happens.
      if (!isUniqueViolation(error) || tries >= 3) throw error;
    }
  }
}

/** Another workspace's id, or another mode's, is not found. */
async function findRequest(client: Tx | ReturnType<typeof db>, input: { workspaceId: string; livemode: boolean; id: string }, lock = false): Promise<PaymentRequest> {
  if (lock) await client.$queryRaw`SELECT id FROM "PaymentRequest" WHERE id = ${input.id} AND "workspaceId" = ${input.workspaceId} FOR UPDATE`;
  const row = await client.paymentRequest.findFirst({ where: { id: input.id, workspaceId: input.workspaceId, livemode: input.livemode } });
  if (!row) throw new AppError("payment_request_not_found", `No payment request ${input.id} is visible to this workspace.`);
  return row;
}

export async function getPaymentRequest(input: { workspaceId: string; livemode: boolean; id: string }): Promise<PaymentRequestView> {
  const [row, chain] = await Promise.all([findRequest(db(), input), connectionsOf(input.workspaceId)]);
  return view(row, chain, now());
}

/** Newest first, by stored status; `expired` and `open` split the stored open ones by their expiry. */
export async function listPaymentRequests(input: { workspaceId: string; livemode: boolean; status?: PaymentRequestStatus; page: PageRequest; search?: string }): Promise<Page<PaymentRequestView>> {
  const at = now();
  const where: Prisma.PaymentRequestWhereInput = { workspaceId: input.workspaceId, livemode: input.livemode };
  if (input.status === "expired") Object.assign(where, { status: "open", expiresAt: { lte: at } });
  else if (input.status === "open") Object.assign(where, { status: "open", OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] });
  else if (input.status) where.status = input.status;
  const search = input.search?.trim();
  const searchWhere: Prisma.PaymentRequestWhereInput = search
    ? {
        OR: [
          { description: { contains: search, mode: "insensitive" as const } },
          { customerEmail: { contains: search, mode: "insensitive" as const } },
          { customerName: { contains: search, mode: "insensitive" as const } },
          { customerReference: { contains: search, mode: "insensitive" as const } },
          { shortCode: search },
        ],
      }
    : {};
  const chain = await connectionsOf(input.workspaceId);
  const page = await paginate(input.page, {
    find: (args) => db().paymentRequest.findMany({ ...args, where: { AND: [where, searchWhere, args.where] } }),
    count: () => db().paymentRequest.count({ where: { AND: [where, searchWhere] } }),
  });
  return { ...page, items: page.items.map((row) => view(row, chain, at)) };
}

function requireOpen(row: PaymentRequest, at: Date, action: string) {
  const status = statusOf(row, at);
  if (status !== "open") throw new AppError("payment_request_state_conflict", `This payment request is ${status}: only an open one can be ${action}.`, { status });
}

export async function cancelPaymentRequest(input: { workspaceId: string; livemode: boolean; id: string }): Promise<PaymentRequestView> {
  const at = now();
  await db().$transaction(async (tx) => {
    const row = await findRequest(tx, input, true);
    requireOpen(row, at, "cancelled");
    const cancelled = await tx.paymentRequest.update({ where: { id: row.id }, data: { status: "cancelled", cancelledAt: at, events: { create: { kind: "cancelled", at } } } });
    await emitPaymentRequestEvent({ tx, request: cancelled, type: "payment_request.cancelled", at });
  });
  return getPaymentRequest(input);
}

/**
 * Pins an open link to a connection, or (null) returns it to live routing; `fallback_triggered_at`
 * is kept either way. At most 3 changes per link per 10 minutes: the fourth is refused, saying when.
 */
export async function setProviderOverride(input: { workspaceId: string; livemode: boolean; id: string; providerOverrideId: string | null }): Promise<PaymentRequestView> {
  const at = now();
  const chain = await connectionsOf(input.workspaceId);
  await db().$transaction(async (tx) => {
    const row = await findRequest(tx, input, true);
    requireOpen(row, at, "re-routed");
    if (input.providerOverrideId) checkOverride(chain, input.providerOverrideId, row.isSetupTest);
    const changes = await tx.paymentRequestEvent.findMany({
      where: { paymentRequestId: row.id, kind: "override_changed", at: { gt: new Date(at.getTime() - 10 * 60 * 1000) } },
      select: { at: true },
    });
    const nextAt = nextOverrideChangeAt(
      changes.map((c) => c.at),
      at,
    );
    if (nextAt) {
      throw new AppError("override_rate_limited", `This pay-link's provider was changed 3 times in the last 10 minutes. Try again after ${nextAt.toISOString()}.`, {
        retry_after_seconds: Math.max(1, Math.ceil((nextAt.getTime() - at.getTime()) / 1000)),
      });
    }
    await tx.paymentRequest.update({
      where: { id: row.id },
      data: {
        providerOverrideId: input.providerOverrideId,
        events: { create: { kind: "override_changed", connectionId: input.providerOverrideId, detail: input.providerOverrideId ? "Pinned to a provider." : "Pin cleared: back to the routing chain.", at } },
      },
    });
  });
  return getPaymentRequest(input);
}

// ----------------------------------------------------------------------------------------------
// The customer's click
// ----------------------------------------------------------------------------------------------

/** What the pay page shows for a code: the link and its merchant, or nothing (unknown code). */
export async function payPageFor(shortCode: string) {
  const row = await db().paymentRequest.findUnique({ where: { shortCode }, include: { workspace: { select: { name: true, brandColor: true, logoUrl: true } } } });
  if (!row) return null;
  return { ...row, status: statusOf(row, now()) };
}

export type CheckoutOutcome =
  | { kind: "redirect"; url: string; connectionId: string; fellBack: boolean }
  | { kind: "closed"; status: PaymentRequestStatus }
  | { kind: "unavailable"; message: string };

/** An open checkout of this link on that connection, still payable for a while, is reused: two clicks never make two checkouts. */
const REUSE_MARGIN_MS = 5 * 60 * 1000;

/**
 * The customer's click on /pay/<code>: opens the resolved connection's hosted checkout. When that
 * processor cannot be used (unreachable, 5xx, refusing our credentials; not a customer's decline,
 * which happens on its page), the failure is recorded on the connection, the link's fallback
 * triggers if the primary failed, and the click goes on to the secondary at once. The checkout is
 * created under the transaction's id as idempotency key: a retried click makes no second one.
 */
export async function openCheckout(input: { shortCode: string; returnUrl: () => { success: string; cancel: string } }): Promise<CheckoutOutcome> {
  const tried = new Set<string>();
  for (;;) {
    const at = now();
    const row = await db().paymentRequest.findUnique({ where: { shortCode: input.shortCode } });
    if (!row) return { kind: "closed", status: "cancelled" };
    const status = statusOf(row, at);
    if (status !== "open") return { kind: "closed", status };
    const chain = await connectionsOf(row.workspaceId);
    const resolution = resolveConnection(row, routingOf(chain.routing), chain.connections);
    const connection = chain.connections.find((c) => c.id === resolution.connectionId);
    if (!connection || tried.has(connection.id)) {
      return { kind: "unavailable", message: "Payments for this link can't be taken right now. Nothing was charged: please try again in a few minutes." };
    }
    tried.add(connection.id);
    const reusable = await db().transaction.findFirst({
      where: { paymentRequestId: row.id, connectionId: connection.id, status: "processing", checkoutUrl: { not: null }, checkoutExpiresAt: { gt: new Date(at.getTime() + REUSE_MARGIN_MS) } },
      orderBy: { createdAt: "desc" },
    });
    // Not a checkout opened before the processor last failed: its page may be down with it.
    const stale = reusable && connection.lastFailureAt && connection.lastFailureAt.getTime() >= reusable.createdAt.getTime();
    if (reusable?.checkoutUrl && !stale) return { kind: "redirect", url: reusable.checkoutUrl, connectionId: connection.id, fellBack: tried.size > 1 };
    const opened = await openOn(row, connection, resolution, input.returnUrl);
    if (opened.kind === "redirect") return { ...opened, fellBack: tried.size > 1 };
    if (opened.kind === "rejected") return { kind: "unavailable", message: opened.message };
    // Unavailable: fall back if the primary failed, then resolve again (the loop).
    if (triggersFallback(row, routingOf(chain.routing), connection.id, resolution.by)) {
      await db().$transaction(async (tx) => {
        await tx.paymentRequest.updateMany({
          where: { id: row.id, fallbackTriggeredAt: null },
          data: { fallbackTriggeredAt: at },
        });
        await tx.paymentRequestEvent.create({ data: { paymentRequestId: row.id, kind: "fallback_triggered", connectionId: connection.id, detail: opened.message, at } });
        await emitPaymentRequestEvent({ tx, request: row, type: "payment_request.fallback_triggered", at, failed: connection, detail: opened.message });
      });
    }
  }
}

async function openOn(
  row: PaymentRequest,
  connection: ProviderConnection,
  resolution: Resolution,
  returnUrl: () => { success: string; cancel: string },
): Promise<{ kind: "redirect"; url: string; connectionId: string } | { kind: "rejected" | "unavailable"; message: string }> {
  const urls = returnUrl();
  const opened = await openCheckoutOn(connection, {
    workspaceId: row.workspaceId,
    source: "payment_request",
    paymentRequestId: row.id,
    amountMinor: row.amountMinor,
    currency: row.currency,
    description: row.description,
    lines: [{ name: row.description, unitAmountMinor: row.amountMinor, quantity: 1 }],
    payerEmail: row.customerEmail,
    payerName: row.customerName,
    successUrl: urls.success,
    cancelUrl: urls.cancel,
    expiresAt: row.expiresAt,
    isSetupTest: row.isSetupTest,
  });
  if (opened.kind === "opened") {
    await db().paymentRequestEvent.create({ data: { paymentRequestId: row.id, kind: "checkout_opened", connectionId: connection.id, detail: `Routed by ${resolution.by}.` } });
    return { kind: "redirect", url: opened.transaction.checkoutUrl!, connectionId: connection.id };
  }
  await db().paymentRequestEvent.create({ data: { paymentRequestId: row.id, kind: "checkout_failed", connectionId: connection.id, detail: opened.message } });
  if (opened.kind === "rejected") return { kind: "rejected", message: "This payment can't be taken online right now. Nothing was charged: please contact the merchant." };
  return { kind: "unavailable", message: opened.message };
}

/** A link's history for its detail page, newest first. */
export async function paymentRequestHistory(input: { workspaceId: string; livemode: boolean; id: string }) {
  const row = await findRequest(db(), input);
  return db().paymentRequestEvent.findMany({ where: { paymentRequestId: row.id }, orderBy: [{ at: "desc" }, { id: "desc" }], take: 200 });
}

/**
 * The open pay-link of a recovery, made on first need for the amount due (the recovery's page, the
 * dunning email's `{{pay_link_url}}`): one open link per recovery, so a second ask finds the first.
 * A closed recovery has nothing to collect; a workspace with no usable provider cannot take it.
 */
export async function payLinkForRecovery(input: { workspaceId: string; recoveryId: string; createdVia: "dashboard" | "api"; createdByUserId?: string | null }) {
  const recovery = await db().recovery.findFirst({
    where: { id: input.recoveryId, workspaceId: input.workspaceId },
    select: { id: true, status: true, amountDueMinor: true, currency: true, externalId: true, customer: { select: { email: true, name: true } } },
  });
  if (!recovery) throw new AppError("recovery_not_found", "This recovery doesn't exist in this workspace.");
  const at = now();
  const open = await db().paymentRequest.findFirst({
    where: { workspaceId: input.workspaceId, recoveryId: recovery.id, status: "open", OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  const chain = await connectionsOf(input.workspaceId);
  if (open) return { view: view(open, chain, at), created: false };
  const resolved = resolveConnection({ providerOverrideId: null, fallbackTriggeredAt: null, isSetupTest: false }, routingOf(chain.routing), chain.connections);
  const landsOn = chain.connections.find((c) => c.id === resolved.connectionId);
  if (!landsOn) throw new AppError("provider_connection_invalid", "No payment provider is connected yet: connect Stripe or add Dojo on the Payments › Providers page first.");
  const currency = recovery.currency.toUpperCase();
  const created = await createPaymentRequest({
    workspaceId: input.workspaceId,
    livemode: landsOn.livemode,
    createdVia: input.createdVia,
    createdByUserId: input.createdByUserId ?? null,
    amountMinor: recovery.amountDueMinor,
    currency,
    description: `Outstanding payment ${recovery.externalId}`,
    customerEmail: recovery.customer?.email ?? null,
    customerName: recovery.customer?.name ?? null,
    customerReference: recovery.externalId,
    recoveryId: recovery.id,
  });
  return { view: created, created: true };
}

/**
 * The dunning email's `{{pay_link_url}}`, opened: the recovery's pay-link code, or null when there is
 * nothing to pay any more or the workspace has no provider to take it (its /recover page says what to do).
 */
export async function payLinkCodeForRecovery(recoveryId: string): Promise<string | null> {
  const recovery = await db().recovery.findUnique({ where: { id: recoveryId }, select: { workspaceId: true, status: true } });
  if (!recovery || (recovery.status !== "pending" && recovery.status !== "failed")) return null;
  try {
    return (await payLinkForRecovery({ workspaceId: recovery.workspaceId, recoveryId, createdVia: "api" })).view.shortCode;
  } catch (error) {
    if (error instanceof AppError && ["provider_connection_invalid", "validation_failed", "recovery_closed"].includes(error.code)) return null;
    throw error;
  }
}
