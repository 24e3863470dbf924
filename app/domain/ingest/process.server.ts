// The `ingest-event` job: an ingested PSP event, applied by the same recovery engine as Stripe's
// and Shopify's (open/update a recovery, close it as recovered or abandoned, a new card → retry).
// Safe to run twice: the inbox skips a processed event (app/domain/inbox), and the engine compares
// state, not order.
import {
  markInvoiceAbandoned,
  markRecovered,
  markSubscriptionEnded,
  onPaymentMethodUpdated,
  recordInvoiceFailure,
} from "~/domain/recovery/engine.server";
import { recordCustomerPayment } from "~/domain/recovery/commands.server";
import type { Settlement } from "~/domain/recovery/facts";
import type { InboxSource } from "~/domain/inbox/inbox.server";
import { now } from "~/utils/clock.server";
import { db, type Prisma } from "~/utils/db.server";
import type { IngestedPaymentEvent } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import type { IngestPaymentEvent } from "./schemas";

/** An event without external_id that matched no open payment of the customer (ADR 0033). */
const NO_PAYMENT = "no open payment of this customer with this amount and currency";

type Outcome = { status: "processed" | "ignored"; note?: string; recoveryId?: string | null };

/**
 * The Customer row's key: the PSP's customer id, else the email (lower case). A test key's customer
 * known only by email is `test:email:…`, so it never shares a row with the live customer of that
 * address (ADR 0032).
 */
export function customerKeyOf(event: Pick<IngestPaymentEvent, "customer_id" | "customer_email">, livemode: boolean): string {
  return event.customer_id ?? `${livemode ? "" : "test:"}email:${event.customer_email.trim().toLowerCase()}`;
}

function occurredAt(row: IngestedPaymentEvent, event: IngestPaymentEvent): Date {
  return event.occurred_at ? new Date(event.occurred_at) : row.receivedAt;
}

/** A success for this payment already received (events may arrive out of order): the debt is paid. */
async function settlementOf(row: IngestedPaymentEvent, failedAt: Date): Promise<Settlement> {
  const successes = await db().ingestedPaymentEvent.findMany({
    where: { workspaceId: row.workspaceId, externalId: row.externalId, type: "payment_succeeded", id: { not: row.id } },
  });
  for (const s of successes) {
    const at = occurredAt(s, s.payload as unknown as IngestPaymentEvent);
    if (at >= failedAt) return { state: "paid", amountPaid: (s.payload as unknown as IngestPaymentEvent).amount_cents, at };
  }
  return { state: "open" };
}

async function apply(row: IngestedPaymentEvent, event: IngestPaymentEvent): Promise<Outcome> {
  const { workspaceId } = row;
  const at = occurredAt(row, event);
  switch (event.event_type) {
    case "payment_failed": {
      const recovery = await recordInvoiceFailure({
        workspaceId,
        provider: event.provider,
        livemode: row.livemode,
        accountId: null,
        invoiceId: row.externalId!,
        amountDueMinor: event.amount_cents,
        currency: event.currency,
        hostedInvoiceUrl: event.payment_url ?? null,
        platform: null,
        settlement: await settlementOf(row, at),
        failure: {
          errorCode: null,
          declineCode: event.decline_code ?? null,
          adviceCode: null,
          networkDeclineCode: null,
          networkAdviceCode: null,
          message: null,
          cardBrand: "unknown",
          cardFingerprint: null,
          cardLast4: null,
          customerCountry: event.customer_country ?? null,
          customerTimezone: event.customer_timezone ?? null,
        },
        failedAt: at,
        sourceKey: `ingest:${row.id}`,
        customer: { externalId: customerKeyOf(event, row.livemode), email: event.customer_email, name: event.customer_name ?? null },
        subscriptionId: event.subscription_id ?? null,
        planId: typeof event.metadata?.plan === "string" ? event.metadata.plan : null,
      });
      return { status: "processed", recoveryId: recovery.id };
    }
    case "payment_succeeded": {
      // Any payment of the customer's, recovered or not, is their history (ADR 0049); once per event.
      if (event.amount_cents > 0) {
        await recordCustomerPayment({
          workspaceId,
          provider: event.provider,
          externalCustomerId: customerKeyOf(event, row.livemode),
          externalId: `ingest:${row.id}`,
          paidAt: at,
          amountMinor: event.amount_cents,
          currency: event.currency,
        });
      }
      if (!row.externalId) return { status: "ignored", note: NO_PAYMENT };
      const recovery = await markRecovered({ workspaceId, invoiceId: row.externalId, at, amountPaid: event.amount_cents });
      return recovery ? { status: "processed", recoveryId: recovery.id } : { status: "ignored", note: "no recovery for this payment" };
    }
    case "subscription_cancelled": {
      if (event.subscription_id) {
        await markSubscriptionEnded({ workspaceId, subscriptionId: event.subscription_id, at, reason: "subscription_canceled" });
        return { status: "processed" };
      }
      if (!row.externalId) return { status: "ignored", note: NO_PAYMENT };
      const recovery = await markInvoiceAbandoned({ workspaceId, invoiceId: row.externalId, reason: "subscription_canceled", at });
      return recovery ? { status: "processed", recoveryId: recovery.id } : { status: "ignored", note: "no recovery for this payment" };
    }
    case "payment_method_updated": {
      const updated = await onPaymentMethodUpdated({ workspaceId, externalCustomerId: customerKeyOf(event, row.livemode), at });
      return updated.length ? { status: "processed" } : { status: "ignored", note: "no open recovery for this customer" };
    }
    case "charge_refunded":
      // A refund changes no recovery: what was recovered was paid, whatever the merchant gives back later.
      return { status: "ignored", note: "refunds do not change recoveries" };
  }
}

/** A checked PSP event, as the intake stores it. */
export interface ReceivedPaymentEvent {
  workspaceId: string;
  livemode: boolean;
  eventKey: string;
  externalId: string | null;
  event: IngestPaymentEvent;
}

/**
 * Ingested events in the inbox: unique per workspace and event key; /api/v1 answers the row's id,
 * which is the id replay takes. A failed run reads `failed` while it is retried (docs/decisions/0042).
 */
export const ingestEvents: InboxSource<IngestedPaymentEvent, ReceivedPaymentEvent, "ingestEventId", Prisma.IngestedPaymentEventCreateManyInput> = {
  name: "ingest",
  queue: queues.ingestEvent,
  jobField: "ingestEventId",
  table: (client) => client.ingestedPaymentEvent,
  idColumn: "id",
  columns: (_tx, input) => ({
    workspaceId: input.workspaceId,
    eventKey: input.eventKey,
    type: input.event.event_type,
    provider: input.event.provider,
    livemode: input.livemode,
    externalId: input.externalId,
    payload: input.event as Prisma.InputJsonValue,
    receivedAt: now(),
  }),
  key: (input) => ({ workspaceId: input.workspaceId, eventKey: input.eventKey }),
  retryingStatus: "failed",
  async handle(row) {
    const outcome = await apply(row, row.payload as unknown as IngestPaymentEvent);
    return { status: outcome.status, note: outcome.note, columns: { recoveryId: outcome.recoveryId ?? undefined } };
  },
};
