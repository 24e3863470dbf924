// Processors' webhooks (Dojo's; the next processor's) in the inbox (ADR 0042, ADR 0075): verified
// with the connection's own signing secret, stored once by (connection, event id), acknowledged,
// then applied by the `provider-event` job, which reads the payment back from the processor.
import { AppError } from "~/domain/errors";
import type { InboxSource } from "~/domain/inbox/inbox.server";
import { receive } from "~/domain/inbox/inbox.server";
import { now } from "~/utils/clock.server";
import { decrypt } from "~/utils/crypto.server";
import { db, type Prisma } from "~/utils/db.server";
import type { ProviderEvent } from "../../../generated/prisma/client";
import { queues } from "../../../jobs/queues";
import { processorFor } from "./processors.server";
import type { ProcessorWebhookEvent } from "./processor";
import { syncTransaction } from "./transactions.server";

export const MAX_PROCESSOR_WEBHOOK_BYTES = 256 * 1024;

interface ReceivedProcessorEvent {
  provider: string;
  connectionId: string;
  workspaceId: string;
  event: ProcessorWebhookEvent;
}

/**
 * POST /webhooks/<provider>/<connection id>: an unknown connection, or one of another processor,
 * is a 404; a bad signature a 401 (nothing stored).
 */
export async function receiveProcessorWebhook(input: { provider: string; connectionId: string; headers: Headers; rawBody: string }) {
  const connection = await db().providerConnection.findFirst({ where: { id: input.connectionId, provider: input.provider } });
  if (!connection?.webhookSecretEncrypted) throw new AppError("connection_not_found", "No such provider connection takes webhooks here.");
  const processor = processorFor(connection.provider);
  if (!processor.verifyWebhook) throw new AppError("connection_not_found", "This provider's events do not come to this address.");
  let event: ProcessorWebhookEvent;
  try {
    event = processor.verifyWebhook({ rawBody: input.rawBody, headers: input.headers, secret: decrypt(connection.webhookSecretEncrypted) });
  } catch {
    throw new AppError("invalid_signature", "The webhook signature does not match this connection's signing secret.");
  }
  const stored = await receive(providerEvents, { provider: connection.provider, connectionId: connection.id, workspaceId: connection.workspaceId, event });
  return { id: stored.id, duplicate: stored.duplicate };
}

interface StoredPayload {
  event: Omit<ProcessorWebhookEvent, "createdAt"> & { createdAt: string };
}

export const providerEvents: InboxSource<ProviderEvent, ReceivedProcessorEvent, "providerEventId", Prisma.ProviderEventCreateManyInput> = {
  name: "provider",
  queue: queues.providerEvent,
  jobField: "providerEventId",
  table: (client) => client.providerEvent,
  idColumn: "eventId",
  columns: (_tx, input) => ({
    provider: input.provider,
    connectionId: input.connectionId,
    workspaceId: input.workspaceId,
    eventId: input.event.id,
    type: input.event.type,
    payload: { event: { ...input.event, createdAt: input.event.createdAt.toISOString() } } as unknown as Prisma.InputJsonObject,
    receivedAt: now(),
  }),
  key: (input) => ({ connectionId: input.connectionId, eventId: input.event.id }),
  retryingStatus: "retrying",
  async handle(row) {
    const { event } = row.payload as unknown as StoredPayload;
    if (!event.providerPaymentId && !event.reference) return { status: "ignored", note: "the event names no payment" };
    return syncTransaction({ connectionId: row.connectionId, reference: event.reference, providerPaymentId: event.providerPaymentId });
  },
};
