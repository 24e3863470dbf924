// What the engine announces, and who acts on it. The engine owns the recovery; the emails, Shopify's
// own update email and whatever comes next act on what happened to it. They register here (from
// app/wiring.server.ts) instead of being imported by the engine, so no module the engine calls
// depends on the engine in turn (docs/decisions/0039-the-engine-boundary.md).
import type { Tx } from "~/utils/db.server";
import type { Customer, Recovery, Workspace } from "../../../generated/prisma/client";

export type CustomerActionKind = "card_update_request" | "authentication_request";

/**
 * The rows the engine has already read in the caller's transaction (the recovery's customer and
 * workspace): a listener that needs them uses these instead of reading them again (ADR 0066).
 * `customer: null` means the recovery has none; absent means not read.
 */
export interface ReadInTransaction {
  customer?: Customer | null;
  workspace?: Workspace;
}

/** What the engine asks of the customer. */
export interface CustomerActionRequest {
  kind: CustomerActionKind;
  dedupeKey: string;
  read?: ReadInTransaction;
}

/** One failed payment recorded on a recovery: the platform's (first or later) or one of Recoup's own retries. */
export interface FailureRecorded {
  source: "platform" | "recoup";
  /** The charge attempt's number among its source's attempts. */
  attemptNumber: number;
  at: Date;
  /** Names this failure once (the charge attempt's idempotency key). */
  dedupeKey: string;
}

/** Why a recovery closed without being won back. */
export interface ClosedLost {
  outcome: "failed" | "abandoned";
  /** schedule_exhausted, invoice_voided, subscription_canceled, customer_erased… */
  reasonCode: string;
}

/** A recovery stopped: by the merchant, or because its account left Recoup or its subscription was paused. */
export interface PauseInfo {
  pausedBy: string;
  at: Date;
  reason: string | null;
}

/** A platform account left Recoup (a Stripe account deauthorised, a Shopify store uninstalled). */
export interface AccountDisconnected {
  /** The Stripe account id or the Shopify shop domain. */
  account: string;
  pausedBy: "account_disconnected" | "shop_uninstalled";
  at: Date;
  reason: string;
  /** The workspaces whose open recoveries of that account were paused. */
  workspaceIds: string[];
}

export interface RecoveryListener {
  /** A recovery was opened: inside the transaction that created it, after its first attempt is recorded. */
  opened?(tx: Tx, recovery: Recovery): Promise<unknown>;
  /**
   * The policy asks the customer to act (a new card, a confirmation); one request per `dedupeKey`
   * (per card). Inside the transaction that planned it.
   */
  customerActionNeeded?(tx: Tx, recovery: Recovery, request: CustomerActionRequest): Promise<unknown>;
  /** The recovery was won back: inside the transaction that closed it. */
  recovered?(tx: Tx, recovery: Recovery): Promise<unknown>;
  /**
   * A pause was lifted and the recovery runs again: after that transaction committed. Answers when
   * the customer's next email is due, if this listener sends one.
   */
  resumed?(recoveryId: string): Promise<{ nextEmailAt: Date | null } | void>;
  /** A failed payment was recorded on the recovery: inside the transaction that recorded it. */
  failed?(tx: Tx, recovery: Recovery, failure: FailureRecorded): Promise<unknown>;
  /** The recovery was paused: inside the transaction that paused it. */
  paused?(tx: Tx, recovery: Recovery, pause: PauseInfo): Promise<unknown>;
  /** A pause was lifted and the recovery runs again: inside the transaction that lifted it (`resumed` follows, after the commit). */
  unpaused?(tx: Tx, recovery: Recovery): Promise<unknown>;
  /** The recovery closed without being won back (given up, voided, subscription ended, erased): inside that transaction. */
  closed?(tx: Tx, recovery: Recovery, closed: ClosedLost): Promise<unknown>;
  /** The customer's payment method changed after the recovery's latest failure: inside the transaction that recorded it. */
  cardUpdated?(tx: Tx, recovery: Recovery, change: { at: Date }): Promise<unknown>;
  /** A platform account left Recoup and its recoveries were paused: inside that transaction. */
  accountDisconnected?(tx: Tx, event: AccountDisconnected): Promise<unknown>;
}

/** By name: registering a name again replaces its listener (a module reloaded in development). */
const registered = new Map<string, RecoveryListener>();

/** Registers a listener (app/wiring.server.ts); listeners are told in the order they were first registered. */
export function onRecovery(name: string, listener: RecoveryListener) {
  registered.set(name, listener);
}

/** The engine's side: tells every listener, one after the other, in the caller's transaction. */
export const announce = {
  async opened(tx: Tx, recovery: Recovery) {
    for (const l of registered.values()) await l.opened?.(tx, recovery);
  },
  async customerActionNeeded(tx: Tx, recovery: Recovery, request: CustomerActionRequest) {
    for (const l of registered.values()) await l.customerActionNeeded?.(tx, recovery, request);
  },
  async recovered(tx: Tx, recovery: Recovery) {
    for (const l of registered.values()) await l.recovered?.(tx, recovery);
  },
  async failed(tx: Tx, recovery: Recovery, failure: FailureRecorded) {
    for (const l of registered.values()) await l.failed?.(tx, recovery, failure);
  },
  async paused(tx: Tx, recovery: Recovery, pause: PauseInfo) {
    for (const l of registered.values()) await l.paused?.(tx, recovery, pause);
  },
  async unpaused(tx: Tx, recovery: Recovery) {
    for (const l of registered.values()) await l.unpaused?.(tx, recovery);
  },
  async closed(tx: Tx, recovery: Recovery, closed: ClosedLost) {
    for (const l of registered.values()) await l.closed?.(tx, recovery, closed);
  },
  async cardUpdated(tx: Tx, recovery: Recovery, change: { at: Date }) {
    for (const l of registered.values()) await l.cardUpdated?.(tx, recovery, change);
  },
  async accountDisconnected(tx: Tx, event: AccountDisconnected) {
    for (const l of registered.values()) await l.accountDisconnected?.(tx, event);
  },
  /** When the next email is due: the first listener that says. */
  async resumed(recoveryId: string): Promise<Date | null> {
    let nextEmailAt: Date | null = null;
    for (const l of registered.values()) {
      const answer = await l.resumed?.(recoveryId);
      nextEmailAt ??= answer?.nextEmailAt ?? null;
    }
    return nextEmailAt;
  },
};
