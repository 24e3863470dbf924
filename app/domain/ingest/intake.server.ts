// `POST /api/v1/ingest/payment-event`: a PSP's payment event, for PSPs with no native webhooks.
// Check, store (unique per workspace and event id), enqueue — one transaction, as for Stripe's
// events (app/domain/stripe-events/intake.server.ts): an acknowledged event always has its row and
// its job, and a repeat changes nothing. The `ingest-event` job feeds it to the recovery engine.
import { AppError } from "~/http/errors";
import { now } from "~/utils/clock.server";
import { sha256 } from "~/utils/crypto.server";
import { db, type Prisma } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import type { IngestPaymentEvent } from "./schemas";

const FUTURE_TOLERANCE_MS = 5 * 60_000;

function requirementErrors(event: IngestPaymentEvent): Array<{ path: string; message: string }> {
  const errors: Array<{ path: string; message: string }> = [];
  const needs = (field: keyof IngestPaymentEvent, why: string) => {
    if (event[field] === undefined) errors.push({ path: `body.${field}`, message: why });
  };
  switch (event.event_type) {
    case "payment_failed":
      needs("external_id", "Required for payment_failed: the PSP's reference of the failed payment.");
      if (event.amount_cents === 0) errors.push({ path: "body.amount_cents", message: "A failed payment has an amount above 0." });
      break;
    case "payment_succeeded":
    case "charge_refunded":
      needs("external_id", `Required for ${event.event_type}: the PSP's reference of the payment.`);
      break;
    case "subscription_cancelled":
      if (!event.subscription_id && !event.external_id) {
        errors.push({ path: "body.subscription_id", message: "Give subscription_id (or the external_id of the payment it ends)." });
      }
      break;
    case "payment_method_updated":
      break;
  }
  if (event.occurred_at && Date.parse(event.occurred_at) > now().getTime() + FUTURE_TOLERANCE_MS) {
    errors.push({ path: "body.occurred_at", message: "Cannot be in the future." });
  }
  return errors;
}

export async function receivePaymentEvent(input: { workspaceId: string; event: IngestPaymentEvent }) {
  const { workspaceId, event } = input;
  const errors = requirementErrors(event);
  if (errors.length) throw new AppError("validation_failed", `${errors[0]!.path}: ${errors[0]!.message}`, { errors });

  // One payment reference, one PSP: an id that already names another provider's payment is refused.
  const existing = event.external_id
    ? await db().recoveryAttempt.findUnique({
        where: { workspaceId_stripeInvoiceId: { workspaceId, stripeInvoiceId: event.external_id } },
        select: { provider: true },
      })
    : null;
  if (existing && existing.provider !== event.provider) {
    throw new AppError("conflict", `external_id "${event.external_id}" is already a ${existing.provider} payment in this workspace.`);
  }

  const eventKey = event.event_id ? `id:${event.event_id}` : `body:${sha256(JSON.stringify(event))}`;
  return db().$transaction(async (tx) => {
    const [row] = await tx.ingestedPaymentEvent.createManyAndReturn({
      select: { id: true },
      data: {
        workspaceId,
        eventKey,
        type: event.event_type,
        provider: event.provider,
        externalId: event.external_id ?? null,
        payload: event as Prisma.InputJsonValue,
        receivedAt: now(),
      },
      skipDuplicates: true,
    });
    if (!row) {
      const first = await tx.ingestedPaymentEvent.findUniqueOrThrow({ where: { workspaceId_eventKey: { workspaceId, eventKey } }, select: { id: true } });
      return { eventId: first.id, status: "duplicate" as const, duplicate: true, recoveryInitiated: false };
    }
    await enqueue(queues.ingestEvent, { ingestEventId: row.id }, { tx, key: row.id });
    return { eventId: row.id, status: "queued" as const, duplicate: false, recoveryInitiated: event.event_type === "payment_failed" && !existing };
  });
}
