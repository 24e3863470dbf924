// The engine's happenings as outbound events (ADR 0080): each one emitted inside the engine's own
// transaction, once per happening (its dedupe key), quiet (only integrations want them; the owner is
// not emailed when no endpoint takes one) and, when it is one of Flow Arc's alert types, with the
// facts alert rules match on. Registered in app/wiring.server.ts: the engine does not import webhooks.
import type { RecoveryListener } from "~/domain/recovery/listeners";
import { now } from "~/utils/clock.server";
import type { Tx } from "~/utils/db.server";
import { formatMoney } from "~/utils/money";
import type { Customer, Recovery } from "../../../generated/prisma/client";
import { emitWebhookEvent, type AlertFacts } from "./events.server";
import { failureCodeOf, paymentMethodOf } from "./facts";

type Emit = Parameters<typeof emitWebhookEvent>[0];

/** The customer, unless erased (then nothing that names them goes out). */
async function customerOf(tx: Tx, recovery: Recovery): Promise<Customer | null> {
  if (recovery.erasedAt || !recovery.customerId) return null;
  return tx.customer.findUnique({ where: { id: recovery.customerId } });
}

function recoveryFields(recovery: Recovery, customer: Customer | null) {
  const erased = recovery.erasedAt !== null;
  return {
    recoveryId: recovery.id,
    paymentId: recovery.id,
    externalId: erased ? null : recovery.externalId,
    provider: recovery.provider,
    amountCents: recovery.amountDueMinor,
    currency: recovery.currency,
    status: recovery.status,
    subscriptionId: erased ? null : recovery.externalSubscriptionId,
    customer: erased
      ? { id: null, externalId: null, email: null }
      : { id: customer?.id ?? null, externalId: recovery.externalCustomerId, email: customer?.email ?? null },
  };
}

function facts(recovery: Recovery, customer: Customer | null, type: AlertFacts["type"], summary: (who: string, amount: string) => string): AlertFacts {
  const amount = formatMoney(recovery.amountDueMinor, recovery.currency);
  const who = customer?.email || customer?.name || (recovery.erasedAt ? "an erased customer" : recovery.externalCustomerId);
  return {
    type,
    amountMinor: recovery.amountDueMinor,
    currency: recovery.currency.toUpperCase(),
    provider: recovery.provider,
    paymentMethod: paymentMethodOf(recovery),
    summary: summary(who, amount),
  };
}

function emit(tx: Tx, recovery: Recovery, input: Omit<Emit, "tx" | "workspaceId" | "recoveryId" | "quiet">) {
  return emitWebhookEvent({ tx, workspaceId: recovery.workspaceId, recoveryId: recovery.id, quiet: true, ...input });
}

const words = (code: string) => code.replace(/_/g, " ");

export const webhooksListener: RecoveryListener = {
  opened: async (tx, recovery) => {
    const customer = await customerOf(tx, recovery);
    const failureCode = failureCodeOf(recovery);
    return emit(tx, recovery, {
      type: "recovery.started",
      dedupeKey: `recovery.started:${recovery.id}`,
      data: { ...recoveryFields(recovery, customer), startedAt: recovery.startedAt, declineCode: recovery.declineCode, failureCode },
      // A subscription's invoice that failed: the subscription is past due (Flow Arc's alert type).
      alert: recovery.externalSubscriptionId
        ? facts(recovery, customer, "subscription_past_due", (who, amount) => `Subscription past due: ${amount} from ${who}`)
        : undefined,
    });
  },

  failed: async (tx, recovery, failure) => {
    const customer = await customerOf(tx, recovery);
    const failureCode = failureCodeOf(recovery);
    const alert = facts(recovery, customer, "payment_failed", (who, amount) => `${amount} from ${who} failed: ${words(failureCode)}`);
    return emit(tx, recovery, {
      type: "payment.failed",
      dedupeKey: `payment.failed:${recovery.id}:${failure.dedupeKey}`,
      data: {
        ...recoveryFields(recovery, customer),
        source: failure.source,
        attemptNumber: failure.attemptNumber,
        failedAt: failure.at,
        declineCode: recovery.declineCode,
        failureCode,
        failureMessage: recovery.failureMessage,
        paymentMethod: alert.paymentMethod,
      },
      alert: { ...alert, failureCode },
    });
  },

  recovered: async (tx, recovery) => {
    const customer = await customerOf(tx, recovery);
    const paid = recovery.recoveredAmountMinor ?? recovery.amountDueMinor;
    return emit(tx, recovery, {
      type: "payment.recovered",
      dedupeKey: `payment.recovered:${recovery.id}`,
      data: { ...recoveryFields(recovery, customer), recoveredAmountCents: paid, recoveredAt: recovery.endedAt ?? now() },
      alert: { ...facts(recovery, customer, "payment_succeeded", (who) => `${formatMoney(paid, recovery.currency)} recovered from ${who}`), amountMinor: paid },
    });
  },

  closed: async (tx, closedRecovery, closed) => {
    // Closed because the customer is being erased: the event names nobody (erasure then deletes the recovery's events).
    const recovery = closed.reasonCode === "customer_erased" ? { ...closedRecovery, erasedAt: closedRecovery.erasedAt ?? now() } : closedRecovery;
    const customer = await customerOf(tx, recovery);
    return emit(tx, recovery, {
      type: "recovery.abandoned",
      dedupeKey: `recovery.abandoned:${recovery.id}`,
      data: { ...recoveryFields(recovery, customer), outcome: closed.outcome, reasonCode: closed.reasonCode, endedAt: recovery.endedAt ?? now() },
      alert: facts(recovery, customer, "payment_abandoned", (who, amount) => `${amount} from ${who} not recovered: ${words(closed.reasonCode)}`),
    });
  },

  paused: async (tx, recovery, pause) => {
    const customer = await customerOf(tx, recovery);
    return emit(tx, recovery, {
      type: "recovery.paused",
      dedupeKey: `recovery.paused:${recovery.id}:${pause.at.toISOString()}`,
      data: { ...recoveryFields(recovery, customer), pausedBy: pause.pausedBy, pausedAt: pause.at, reason: pause.reason },
    });
  },

  unpaused: async (tx, recovery) => {
    const customer = await customerOf(tx, recovery);
    const at = now();
    return emit(tx, recovery, {
      type: "recovery.resumed",
      dedupeKey: `recovery.resumed:${recovery.id}:${at.toISOString()}`,
      data: { ...recoveryFields(recovery, customer), resumedAt: at },
    });
  },

  cardUpdated: async (tx, recovery, change) => {
    const customer = await customerOf(tx, recovery);
    return emit(tx, recovery, {
      type: "customer.card_updated",
      dedupeKey: `customer.card_updated:${recovery.id}:${change.at.toISOString()}`,
      data: {
        ...recoveryFields(recovery, customer),
        updatedAt: change.at,
        card: recovery.cardBrand || recovery.cardLast4 ? { brand: recovery.cardBrand, last4: recovery.cardLast4 } : null,
      },
    });
  },

  accountDisconnected: async (tx, event) => {
    const provider = event.pausedBy === "shop_uninstalled" ? "shopify" : "stripe";
    const owners =
      provider === "shopify"
        ? await tx.shopifyShop.findMany({ where: { shopDomain: event.account }, select: { workspaceId: true } })
        : await tx.connectedStripeAccount.findMany({ where: { stripeAccountId: event.account }, select: { workspaceId: true } });
    const workspaceIds = new Set([...owners.map((o) => o.workspaceId), ...event.workspaceIds]);
    for (const workspaceId of workspaceIds) {
      const paused = await tx.recovery.count({ where: { workspaceId, externalAccountId: event.account, status: "pending", paused: true, pausedBy: event.pausedBy } });
      const what = provider === "shopify" ? `Shopify store ${event.account} uninstalled Recoup` : `Stripe account ${event.account} disconnected`;
      await emitWebhookEvent({
        tx,
        workspaceId,
        type: "provider.disconnected",
        dedupeKey: `provider.disconnected:${event.account}:${event.at.toISOString()}`,
        quiet: true,
        data: { provider, account: event.account, reason: event.reason, disconnectedAt: event.at, pausedRecoveries: paused },
        alert: { type: "provider_disconnected", provider, summary: `${what}: ${paused} open ${paused === 1 ? "recovery" : "recoveries"} paused` },
      });
    }
  },
};
