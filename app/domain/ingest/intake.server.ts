// `POST /api/v1/ingest/payment-event`: a PSP's payment event, for PSPs with no native webhooks.
// Check, then into the inbox (unique per workspace and event key; row and job in one transaction,
// as for Stripe's events): an acknowledged event always has its row and its job, and a repeat
// changes nothing. The `ingest-event` job feeds it to the recovery engine.
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { sha256 } from "~/utils/crypto.server";
import { receive } from "~/domain/inbox/inbox.server";
import { db } from "~/utils/db.server";
import { customerKeyOf, ingestEvents } from "./process.server";
import type { IngestPaymentEvent } from "./schemas";

const FUTURE_TOLERANCE_MS = 5 * 60_000;

function requirementErrors(event: IngestPaymentEvent): Array<{ path: string; message: string }> {
  const errors: Array<{ path: string; message: string }> = [];
  if (event.event_type === "payment_failed" && event.amount_cents === 0) {
    errors.push({ path: "body.amount_cents", message: "A failed payment has an amount above 0." });
  }
  if (event.occurred_at && Date.parse(event.occurred_at) > now().getTime() + FUTURE_TOLERANCE_MS) {
    errors.push({ path: "body.occurred_at", message: "Cannot be in the future." });
  }
  return errors;
}

/** Sorted keys: the same metadata is the same text, whatever order the client wrote it in. */
function sortedKeys(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * The event's identity (ADR 0033): the client's `event_id`; else its `Idempotency-Key`; else the hash
 * of the event's canonical content (the parsed body: fields in the schema's order, defaults applied,
 * metadata keys sorted), so the same event sent twice is one event.
 */
function eventKeyOf(event: IngestPaymentEvent, idempotencyKey: string | null, livemode: boolean): string {
  // A test key's events never dedupe against live ones (ADR 0032).
  const mode = livemode ? "" : "test:";
  if (event.event_id) return `${mode}id:${event.event_id}`;
  if (idempotencyKey) return `${mode}key:${idempotencyKey}`;
  return `${mode}body:${sha256(JSON.stringify({ ...event, metadata: event.metadata && sortedKeys(event.metadata) }))}`;
}

/**
 * The payment an event is about. LostChurn's documented body names none (`external_id` is ours, and
 * optional): then it is the customer's open payment from this PSP with the same amount and currency
 * (a later failure, the success, the cancellation of that debt), else, for a failure, a new payment
 * whose reference is derived from the event's identity (`pe_…`, the same on a resend). Null: no payment.
 */
async function paymentReferenceOf(workspaceId: string, livemode: boolean, event: IngestPaymentEvent, eventKey: string): Promise<string | null> {
  if (event.external_id) return event.external_id;
  if (event.event_type === "payment_method_updated" || (event.event_type === "subscription_cancelled" && event.subscription_id)) return null;
  const open = await db().recovery.findFirst({
    where: { workspaceId, livemode, provider: event.provider, externalCustomerId: customerKeyOf(event, livemode), status: "pending", amountDueMinor: event.amount_cents, currency: event.currency },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
    select: { externalId: true },
  });
  if (open) return open.externalId;
  return event.event_type === "payment_failed" ? `pe_${sha256(eventKey).slice(0, 24)}` : null;
}

export async function receivePaymentEvent(input: { workspaceId: string; livemode: boolean; event: IngestPaymentEvent; idempotencyKey?: string | null }) {
  const { workspaceId, livemode, event } = input;
  const errors = requirementErrors(event);
  if (errors.length) throw new AppError("validation_failed", `${errors[0]!.path}: ${errors[0]!.message}`, { errors });

  const eventKey = eventKeyOf(event, input.idempotencyKey ?? null, livemode);
  const externalId = await paymentReferenceOf(workspaceId, livemode, event, eventKey);
  // One payment reference, one PSP: an id that already names another provider's payment is refused.
  const existing = externalId
    ? await db().recovery.findUnique({
        where: { workspaceId_externalId: { workspaceId, externalId: externalId } },
        select: { provider: true, livemode: true },
      })
    : null;
  if (existing && existing.provider !== event.provider) {
    throw new AppError("conflict", `external_id "${externalId}" is already a ${existing.provider} payment in this workspace.`);
  }
  // A test key never touches live data, nor a live key test data (ADR 0032).
  if (existing && existing.livemode !== livemode) {
    throw new AppError("conflict", `external_id "${externalId}" is already a ${existing.livemode ? "live" : "test"} payment; report it with a ${existing.livemode ? "live" : "test"} API key.`);
  }
  const stored = await receive(ingestEvents, { workspaceId, livemode, eventKey, externalId, event });
  if (stored.duplicate) return { eventId: stored.id, status: "duplicate" as const, duplicate: true, recoveryInitiated: false };
  return { eventId: stored.id, status: "queued" as const, duplicate: false, recoveryInitiated: event.event_type === "payment_failed" && !existing };
}
