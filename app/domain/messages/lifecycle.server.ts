// The one lifecycle of an outbound message to a customer (docs/decisions/0041-one-outbound-message-lifecycle.md):
// a DunningMessage row, whoever carries it (our own email through the mail port, or a platform's
// email such as Shopify's payment-method update email). The row is the outbox: it is stored once per
// (recovery, dedupeKey), claimed (`sending`, attempts + 1) before the call-out and marked `sent` or
// `failed` after it. Delivery is at least once (docs/decisions/0003-email-delivery-at-least-once.md):
// a row left in `sending` by a crash is claimed and sent again, under the same key (the message id).
import type { z } from "zod";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import type { MessageStatus } from "../../../generated/prisma/client";
import type { QueueSpec } from "../../../jobs/queues";

/** The states a message may still be sent from: `sending` is a claim a crash may have left behind. */
export const OPEN_STATUSES: MessageStatus[] = ["scheduled", "sending"];

/** What the carrier answered to the call-out. A refusal is an answer, not an outage: it is final. */
export type Sent<T extends string = string> = { sent: true; transport: T; providerMessageId?: string | null };
export type Refused = { sent: false; errors: string[] };
export type CallOutResult = Sent | Refused;

/** A send's outcome; `refused` only for a carrier that can refuse (its call-out may answer Refused). */
export type SendOutcome<R extends CallOutResult = CallOutResult> =
  | (R extends Sent<infer T> ? { outcome: "sent"; transport: T } : never)
  | (R extends Refused ? { outcome: "refused"; errors: string[] } : never)
  | { outcome: "skipped"; reason: string }
  | { outcome: "held"; until: Date }
  | { outcome: "not_sendable"; status: MessageStatus | "missing" };

type StoredMessage = { id: string; status: MessageStatus; attempts: number };

/** A message stored already claimed: the insert is the claim of a send made at once (sendNow). */
const CLAIMED_ON_INSERT = { status: "sending", attempts: 1 } as const;
/** A message stored for its send job to claim. */
export const SCHEDULED_ON_INSERT = { status: "scheduled", attempts: 0 } as const;

/** The error a message row keeps: the one truncation for thrown errors and refusals alike. */
function errorText(error: unknown): string {
  return String((error as Error)?.message ?? error).slice(0, 500);
}

function refusalText(errors: string[]): string {
  return errorText(errors.join("; "));
}

/**
 * Enqueues a stored message's send job, inside the transaction that stored it. The job key is the
 * message id, so storing the same message again never makes a second job.
 */
export async function enqueueSend(tx: Tx, queue: QueueSpec<z.ZodType<{ messageId: string }>>, messageId: string): Promise<void> {
  await enqueue(queue, { messageId }, { key: messageId, tx });
}

/**
 * Moves an open message to `sending` and counts the attempt, only if nobody did since `message` was
 * read (same status and attempts): of two workers that read the same row, one claims it and the
 * other sends nothing. A retry after a crash reads the row afresh and claims it again.
 */
async function claim(message: StoredMessage): Promise<boolean> {
  const { count } = await db().dunningMessage.updateMany({
    where: { id: message.id, status: message.status, attempts: message.attempts },
    data: { status: "sending", attempts: { increment: 1 } },
  });
  return count === 1;
}

async function markSent(messageId: string, result: Sent): Promise<void> {
  const delivered = { sentAt: now(), transport: result.transport, providerMessageId: result.providerMessageId ?? null, error: null };
  const { count } = await db().dunningMessage.updateMany({ where: { id: messageId, status: "sending" }, data: { ...delivered, status: "sent" } });
  // The open pixel can be fetched before this update lands: keep its newer status, record the send.
  if (count === 0) await db().dunningMessage.update({ where: { id: messageId }, data: delivered });
}

async function markRefused(messageId: string, errors: string[]): Promise<void> {
  await db().dunningMessage.updateMany({ where: { id: messageId, status: "sending" }, data: { status: "failed", error: refusalText(errors) } });
}

/**
 * A send job's run over one stored message (null: it is gone): a message no longer open is left
 * alone; `skip` (the recovery closed, paused, no address…) ends it as `skipped`; `hold` may postpone
 * it (having enqueued the later run); otherwise it is claimed and `callOut` carries it. A call-out
 * that throws records the error and rethrows, so the job is retried with backoff; on the job's last
 * attempt the message is `failed`. A refusal marks it `failed` at once.
 */
export async function sendStoredMessage<M extends StoredMessage, R extends CallOutResult>(input: {
  message: M | null;
  lastAttempt?: boolean;
  skip: (message: M) => string | null;
  hold?: (message: M) => Promise<Date | null>;
  callOut: (message: M) => Promise<R>;
}): Promise<SendOutcome<R>> {
  type Outcome = SendOutcome<CallOutResult>;
  const { message } = input;
  if (!message) return { outcome: "not_sendable", status: "missing" };
  if (!OPEN_STATUSES.includes(message.status)) return { outcome: "not_sendable", status: message.status };
  const skipReason = input.skip(message);
  if (skipReason) {
    await db().dunningMessage.updateMany({ where: { id: message.id, status: { in: OPEN_STATUSES } }, data: { status: "skipped", error: skipReason } });
    return { outcome: "skipped", reason: skipReason };
  }
  const until = input.hold ? await input.hold(message) : null;
  if (until) return { outcome: "held", until };
  if (!(await claim(message))) return { outcome: "not_sendable", status: message.status };

  let result: CallOutResult;
  try {
    result = await input.callOut(message);
  } catch (error) {
    await db().dunningMessage.updateMany({
      where: { id: message.id, status: "sending" },
      data: input.lastAttempt ? { status: "failed", error: errorText(error) } : { error: errorText(error) },
    });
    throw error;
  }
  let outcome: Outcome;
  if (result.sent) {
    await markSent(message.id, result);
    outcome = { outcome: "sent", transport: result.transport };
  } else {
    await markRefused(message.id, result.errors);
    outcome = { outcome: "refused", errors: result.errors };
  }
  // R decides which of the two the call-out can give: the one it gave is in SendOutcome<R>.
  return outcome as SendOutcome<R>;
}

export type SendNowOutcome<M> =
  | { outcome: "duplicate"; message: M }
  | { outcome: "sent"; message: M }
  | { outcome: "refused"; message: M; errors: string[] };

/**
 * A message sent while someone waits for the answer (the merchant's button, the customer page).
 * `insert` stores the row with the `claimed` state it is given, once per (recovery, dedupeKey): a
 * second press or a retried request finds it (`duplicate`) and sends nothing. A call-out that throws
 * sent nothing: the row goes, so the person may ask again, and the error is rethrown. No job retries
 * these; a crash after the call-out leaves the row in `sending`, which nothing sends again.
 */
export async function sendNow<M extends { id: string }>(input: {
  insert: (tx: Tx, claimed: typeof CLAIMED_ON_INSERT) => Promise<{ message: M; created: boolean }>;
  callOut: () => Promise<CallOutResult>;
}): Promise<SendNowOutcome<M>> {
  const { message, created } = await db().$transaction((tx) => input.insert(tx, CLAIMED_ON_INSERT));
  if (!created) return { outcome: "duplicate", message };
  let result: CallOutResult;
  try {
    result = await input.callOut();
  } catch (error) {
    // Nothing was sent: the row goes, so the same request may be made again.
    await db().dunningMessage.deleteMany({ where: { id: message.id, status: "sending" } });
    throw error;
  }
  if (!result.sent) {
    await markRefused(message.id, result.errors);
    return { outcome: "refused", message, errors: result.errors };
  }
  await markSent(message.id, result);
  return { outcome: "sent", message };
}
