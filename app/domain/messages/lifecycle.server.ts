// The one lifecycle of an outbound message to a customer (docs/decisions/0041-one-outbound-message-lifecycle.md):
// a DunningMessage row, whoever carries it (our own email through the mail port, or a platform's
// email such as Shopify's payment-method update email). The row is the outbox: it is stored once per
// (recovery, dedupeKey), claimed (`sending`, attempts + 1) before the call-out and marked `sent` or
// `failed` after it. Delivery is at most once per message (docs/decisions/0058-emails-at-most-once-per-message-id.md):
// a row a later run finds in `sending` may have reached the carrier, so it becomes `delivery_unknown`
// and is never handed over again; a call-out the carrier answered with a refusal is retried.
import type { z } from "zod";
import { now } from "~/utils/clock.server";
import { isDatabaseUnavailable, isRecordNotFound } from "~/utils/db-errors.server";
import { db, type Prisma, type Tx } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import type { MessageStatus } from "../../../generated/prisma/client";
import type { QueueSpec } from "../../../jobs/queues";

/**
 * The states a message is still to be settled from. A `scheduled` one is sent; a `sending` one is a
 * claim whose sender died or expired mid-send: it is settled as `delivery_unknown`, never sent again.
 */
export const OPEN_STATUSES: MessageStatus[] = ["scheduled", "sending"];

/**
 * The states of a message that left our hands, or may have (`sending`: claimed, its answer not yet
 * recorded; `delivery_unknown`: cut off before it): every reader counts these as sent (ADR 0058).
 */
export const HANDED_OVER: MessageStatus[] = ["sending", "delivery_unknown", "sent", "opened", "clicked", "converted"];

/**
 * Thrown by a call-out when the carrier may have taken the message though we hold no answer (the
 * connection was lost mid-exchange): the row becomes `delivery_unknown` and the message is not
 * retried. Any other error from a call-out means the carrier did not take it, and the send is retried.
 */
export class DeliveryUnknownError extends Error {
  constructor(readonly reason: unknown) {
    super(`delivery unknown: ${String((reason as Error)?.message ?? reason)}`);
    this.name = "DeliveryUnknownError";
  }
}

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
  | { outcome: "not_sendable"; status: MessageStatus | "missing" }
  | { outcome: "delivery_unknown" };

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
 * Moves a `scheduled` message to `sending` and counts the attempt, only if nobody did since `message`
 * was read (same status and attempts): of two workers that read the same row, one claims it and the
 * other sends nothing. Returns the claim (the row's attempts after it), null when someone else won.
 */
async function claim(message: StoredMessage): Promise<Claim | null> {
  const won = await updateIfStill({ id: message.id, status: "scheduled", attempts: message.attempts }, { status: "sending", attempts: { increment: 1 } });
  return won ? { id: message.id, attempts: message.attempts + 1 } : null;
}

/**
 * Updates the message if it is still as `where` says (its id, and the status and attempts it must
 * have); false when it no longer is. One statement: an `updateMany` outside a transaction is three
 * (BEGIN, UPDATE, COMMIT; ADR 0062), and every send makes two of these.
 */
async function updateIfStill(where: Prisma.DunningMessageWhereUniqueInput, data: Prisma.DunningMessageUpdateInput): Promise<boolean> {
  try {
    await db().dunningMessage.update({ where, data, select: { id: true } });
    return true;
  } catch (error) {
    if (isRecordNotFound(error)) return false;
    throw error;
  }
}

/** A claimed send: the row as this sender left it. Whoever answers for it matches these attempts. */
type Claim = { id: string; attempts: number };

/**
 * The row of a claim this sender still holds: `sending`, or `delivery_unknown` if another run took it
 * for abandoned meanwhile (the sender outlived its job's expiry). The sender's answer is better news.
 */
const stillClaimed = (claimed: Claim) => ({ id: claimed.id, attempts: claimed.attempts, status: { in: ["sending", "delivery_unknown"] as MessageStatus[] } });

const SENT_UPDATE_TRIES = 8;
const SENT_UPDATE_FIRST_WAIT_MS = 250;

/**
 * The carrier took the message: `sent`. A database away for a moment must not leave the row in
 * `sending` (a later run would call it unknown), so the update is tried again for about 30 seconds.
 */
async function markSent(claimed: Claim, result: Sent): Promise<void> {
  const delivered = { sentAt: now(), transport: result.transport, providerMessageId: result.providerMessageId ?? null, error: null };
  for (let attempt = 1; ; attempt++) {
    try {
      // The open pixel can be fetched before this update lands: keep its newer status, record the send.
      if (!(await updateIfStill(stillClaimed(claimed), { ...delivered, status: "sent" }))) {
        await updateIfStill({ id: claimed.id, attempts: claimed.attempts }, delivered);
      }
      return;
    } catch (error) {
      if (!isDatabaseUnavailable(error) || attempt === SENT_UPDATE_TRIES) throw error;
      await new Promise((r) => setTimeout(r, SENT_UPDATE_FIRST_WAIT_MS * 2 ** (attempt - 1)));
    }
  }
}

async function markRefused(claimed: Claim, errors: string[]): Promise<void> {
  await updateIfStill(stillClaimed(claimed), { status: "failed", error: refusalText(errors) });
}

/** A claim a run finds open in `sending`: its sender died or expired mid-send, so it may have gone. */
async function markUnknown(where: { id: string; attempts: number; status: MessageStatus | { in: MessageStatus[] } }, error: string): Promise<boolean> {
  return updateIfStill(where, { status: "delivery_unknown", error });
}

const ABANDONED = "the send was cut off before its answer was recorded: the message may have been delivered, so it is not sent again";

/**
 * A send job's run over one stored message (null: it is gone): a message no longer open is left
 * alone; `skip` (the recovery closed, paused, no address…) ends it as `skipped`; `hold` may postpone
 * it (having enqueued the later run); otherwise it is claimed and `callOut` carries it. A message
 * found in `sending` was claimed by a run that never recorded the carrier's answer: it becomes
 * `delivery_unknown` and is not sent again. A call-out that throws (the carrier did not take it)
 * puts the message back to `scheduled` with the error and rethrows, so the job is retried with
 * backoff; on the job's last attempt the message is `failed`. A refusal marks it `failed` at once.
 * A call-out that throws DeliveryUnknownError ends it `delivery_unknown`, without a retry.
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
  if (message.status === "sending") {
    const settled = await markUnknown({ id: message.id, attempts: message.attempts, status: "sending" }, ABANDONED);
    return settled ? { outcome: "delivery_unknown" } : { outcome: "not_sendable", status: message.status };
  }
  if (!OPEN_STATUSES.includes(message.status)) return { outcome: "not_sendable", status: message.status };
  const skipReason = input.skip(message);
  if (skipReason) {
    await updateIfStill({ id: message.id, status: "scheduled" }, { status: "skipped", error: skipReason });
    return { outcome: "skipped", reason: skipReason };
  }
  const until = input.hold ? await input.hold(message) : null;
  if (until) return { outcome: "held", until };
  const claimed = await claim(message);
  if (!claimed) return { outcome: "not_sendable", status: message.status };

  let result: CallOutResult;
  try {
    result = await input.callOut(message);
  } catch (error) {
    if (error instanceof DeliveryUnknownError) {
      await markUnknown(stillClaimed(claimed), errorText(error.reason));
      return { outcome: "delivery_unknown" };
    }
    // The carrier did not take it: open again for the retry (or failed, on the last attempt).
    await updateIfStill(stillClaimed(claimed), input.lastAttempt ? { status: "failed", error: errorText(error) } : { status: "scheduled", error: errorText(error) });
    throw error;
  }
  let outcome: Outcome;
  if (result.sent) {
    await markSent(claimed, result);
    outcome = { outcome: "sent", transport: result.transport };
  } else {
    await markRefused(claimed, result.errors);
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
 * A call-out that throws DeliveryUnknownError may have been sent: the row stays, `delivery_unknown`.
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
    if (error instanceof DeliveryUnknownError) {
      await markUnknown({ id: message.id, attempts: CLAIMED_ON_INSERT.attempts, status: "sending" }, errorText(error.reason));
      throw error;
    }
    // Nothing was sent: the row goes, so the same request may be made again.
    await db().dunningMessage.deleteMany({ where: { id: message.id, status: "sending" } });
    throw error;
  }
  const claimed = { id: message.id, attempts: CLAIMED_ON_INSERT.attempts };
  if (!result.sent) {
    await markRefused(claimed, result.errors);
    return { outcome: "refused", message, errors: result.errors };
  }
  await markSent(claimed, result);
  return { outcome: "sent", message };
}
