// Dojo behind the collection port (app/domain/collect/processor.ts, docs/decisions/0075): a pay-link's
// checkout is a Dojo payment intent paid on Dojo's hosted page (https://pay.dojo.tech/checkout/<id>),
// refunds are refunds of that intent. The calls and the wire format are in ./client.server.ts; webhook
// signatures in ./webhooks.ts.
import {
  ProcessorRejectedError,
  ProcessorUnavailableError,
  type CheckoutCreated,
  type CheckoutInput,
  type CollectProcessor,
  type DepositAttempt,
  type PaymentState,
  type ProcessorAccount,
  type ProcessorWebhookEvent,
  type RefundCreated,
  type RefundInput,
} from "~/domain/collect/processor";
import {
  DojoClient,
  dojoCheckoutUrl,
  type DojoCreatePaymentIntentRequest,
  type DojoPaymentEvent,
  type DojoPaymentIntent,
  type DojoRefund,
} from "./client.server";
import { verifyDojoWebhook } from "./webhooks";

/** Dojo's Money: "Accepts `GBP` and `EUR`" (the API reference's `currencyCode`). */
const CURRENCIES = ["GBP", "EUR"] as const;

function clientFor(account: ProcessorAccount): DojoClient {
  const apiKey = account.apiKey?.trim();
  if (!apiKey) throw new ProcessorUnavailableError("This Dojo connection has no API key.", "auth");
  return new DojoClient(apiKey);
}

function createRequest(input: CheckoutInput): DojoCreatePaymentIntentRequest {
  const currencyCode = input.currency.toUpperCase();
  const lines = input.lines?.length ? input.lines : [{ name: input.description, unitAmountMinor: input.amountMinor, quantity: 1 }];
  return {
    amount: { value: input.amountMinor, currencyCode },
    // Dojo echoes `reference` on the intent (1–60 characters): Recoup's transaction id, to find ours again.
    reference: input.reference,
    description: input.description,
    // Auto: captured as soon as the card is authorised, so "paid" means money moved (no capture step of ours).
    captureMode: "Auto",
    // Dojo's customer has an email and a phone, no name: customerName has nowhere to go.
    customer: input.customerEmail ? { emailAddress: input.customerEmail } : null,
    config: {
      redirectUrl: input.successUrl,
      cancelUrl: input.cancelUrl,
      // Without an address of ours, the hosted page asks for one: the payer's email is what receipts need.
      ...(input.customerEmail ? {} : { customerEmail: { collectionRequired: true } }),
    },
    // ItemLine.amountTotal is the line's total (unit × quantity); names are at most 100 characters, ids 60.
    itemLines: lines.map((line, i) => ({
      id: `line-${i + 1}`,
      name: line.name.slice(0, 100),
      quantity: line.quantity,
      amountTotal: { value: line.unitAmountMinor * line.quantity, currencyCode },
    })),
    // Unset, Dojo voids an unpaid intent after 30 days.
    expireAt: input.expiresAt ? input.expiresAt.toISOString() : null,
    // Dojo's OpenAPI documents IdempotencyKey on refunds only. Should it ignore the key on creation, this is
    // how a duplicate intent can be told apart in Dojo's dashboard.
    metadata: { "recoup-idempotency-key": input.idempotencyKey.slice(0, 100), ...(input.sandboxSimulate ? { "recoup-sandbox-simulate": input.sandboxSimulate } : {}) },
  };
}

const date = (iso: string | null | undefined): Date | null => {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
};

/**
 * Dojo status → the port's. Captured and Refunded both mean the money moved (a refund is tracked on its own);
 * Canceled and Reversed can no longer be paid; Created and Authorized (a moment, with Auto capture) are
 * still open. A Created intent past its expireAt is voided by Dojo: it can no longer be paid. Dojo has no
 * failed status: a declined card shows as a Declined payment event while the intent stays open for another
 * card on the same page, so "failed" is never reported. An unknown status reads as processing, so the
 * caller keeps looking rather than concluding.
 */
function portStatus(intent: DojoPaymentIntent, now: Date): PaymentState["status"] {
  switch (intent.status) {
    case "Captured":
    case "Refunded":
      return "paid";
    case "Canceled":
    case "Reversed":
      return "canceled";
    case "Created": {
      const expireAt = date(intent.expireAt);
      return expireAt && expireAt.getTime() <= now.getTime() ? "canceled" : "processing";
    }
    default:
      return "processing";
  }
}

/**
 * Card attempts from `paymentEvents`: one per Dojo transaction (events sharing a transactionId), newest
 * first. Dojo gives no decline reason, only the event type, so the message says which.
 */
function attemptsOf(intent: DojoPaymentIntent): DepositAttempt[] {
  const byTransaction = new Map<string, DojoPaymentEvent[]>();
  for (const event of intent.paymentEvents ?? []) {
    if (!event.transactionId) continue;
    const list = byTransaction.get(event.transactionId) ?? [];
    list.push(event);
    byTransaction.set(event.transactionId, list);
  }
  const attempts: DepositAttempt[] = [];
  for (const [transactionId, events] of byTransaction) {
    const types = new Set(events.map((e) => e.eventType));
    let status: string;
    let errorMessage: string | null = null;
    if (types.has("Declined")) {
      status = "failed";
      errorMessage = "Declined by the card issuer.";
    } else if (types.has("Error")) {
      status = "failed";
      errorMessage = "Dojo could not process the card.";
    } else if (types.has("Captured") || types.has("Refunded")) {
      status = "succeeded";
    } else if (types.has("Reversed") || types.has("Canceled")) {
      status = "canceled";
    } else if (types.has("Authorized")) {
      status = "requires_capture";
    } else if (types.has("AuthChallenged")) {
      status = "requires_action";
    } else {
      status = (events[events.length - 1]?.eventType ?? "unknown").toLowerCase();
    }
    const times = events.map((e) => date(e.transactionDateTime)).filter((d): d is Date => d !== null);
    const attemptedAt = times.length ? new Date(Math.min(...times.map((d) => d.getTime()))) : (date(intent.updatedAt) ?? date(intent.createdAt) ?? new Date(0));
    attempts.push({ status, paymentId: transactionId, attemptedAt, errorMessage, paymentMethod: "card" });
  }
  // An answer without paymentEvents (they are not in every API version's schema) still names the captured transaction.
  const details = intent.paymentDetails;
  if (attempts.length === 0 && details?.transactionId && (intent.status === "Captured" || intent.status === "Refunded")) {
    attempts.push({
      status: "succeeded",
      paymentId: details.transactionId,
      attemptedAt: date(details.transactionDateTime) ?? date(intent.updatedAt) ?? date(intent.createdAt) ?? new Date(0),
      errorMessage: null,
      paymentMethod: "card",
    });
  }
  return attempts.sort((a, b) => b.attemptedAt.getTime() - a.attemptedAt.getTime());
}

function paidAtOf(intent: DojoPaymentIntent): Date | null {
  const captured = (intent.paymentEvents ?? []).find((e) => e.eventType === "Captured");
  return date(captured?.transactionDateTime) ?? date(intent.paymentDetails?.transactionDateTime) ?? date(intent.updatedAt);
}

/**
 * Dojo's Refund has no status (nor amount): it is answered once Dojo has accepted the refund and counted it
 * in the intent's refundedAmount, and the API has no later state to wait for, so an answered refund is
 * complete. The fake does the same (tests/fakes/dojo-server.ts).
 */
function refundCreated(refund: DojoRefund, requestedId: string | null): RefundCreated {
  const providerRefundId = refund?.refundId || requestedId;
  // Without an id there is nothing to read back: an answer to retry (the same IdempotencyKey replays it).
  if (!providerRefundId) throw new ProcessorUnavailableError("Dojo answered a refund without its refundId.", "outage");
  return { providerRefundId, status: "completed" };
}

export const dojoProcessor: CollectProcessor = {
  name: "dojo",
  currencies: CURRENCIES,

  async createCheckout(account, input): Promise<CheckoutCreated> {
    const client = clientFor(account);
    const currency = input.currency.toUpperCase();
    if (!(CURRENCIES as readonly string[]).includes(currency)) {
      throw new ProcessorRejectedError(`Dojo takes ${CURRENCIES.join(" and ")}, not ${currency}.`, "currency_not_supported");
    }
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) {
      throw new ProcessorRejectedError(`A checkout amount is a positive whole number of minor units, not ${input.amountMinor}.`, "invalid_amount");
    }
    const intent = await client.createPaymentIntent(createRequest(input), input.idempotencyKey);
    return {
      providerPaymentId: intent.id,
      // Built from the documented page address rather than the answer's `paymentLink` (which Dojo writes
      // with ":443"): the same page, and DOJO_CHECKOUT_BASE can point it at the fake.
      checkoutUrl: dojoCheckoutUrl(intent.id),
      expiresAt: date(intent.expireAt),
    };
  },

  async getPayment(account, providerPaymentId): Promise<PaymentState> {
    const intent = await clientFor(account).getPaymentIntent(providerPaymentId);
    const status = portStatus(intent, new Date());
    const money = intent.totalAmount ?? intent.amount;
    return {
      status,
      amountMinor: money.value,
      currency: money.currencyCode.toUpperCase(),
      paidAt: status === "paid" ? paidAtOf(intent) : null,
      // Dojo refunds name the payment intent itself: it is the charge.
      chargeRef: status === "paid" ? intent.id : null,
      payerEmail: intent.customer?.emailAddress || null,
      attempts: attemptsOf(intent),
    };
  },

  /**
   * DELETE /payment-intents/{id} cancels a Created intent. Refused (already paid, already canceled and
   * so 404, …): the intent is read back, and true only if it is Canceled now. Dojo being unreachable is
   * not a refusal: ProcessorUnavailableError propagates, so a caller can tell "not now" from "no".
   */
  async cancelCheckout(account, providerPaymentId): Promise<boolean> {
    const client = clientFor(account);
    try {
      const intent = await client.cancelPaymentIntent(providerPaymentId);
      return intent.status === "Canceled";
    } catch (error) {
      if (!(error instanceof ProcessorRejectedError)) throw error;
    }
    try {
      return (await client.getPaymentIntent(providerPaymentId)).status === "Canceled";
    } catch (error) {
      if (error instanceof ProcessorRejectedError) return false;
      throw error;
    }
  },

  /**
   * POST /payment-intents/{id}/refunds with the amount in minor units. The refund is of the intent (chargeRef,
   * when set, is that same id) and in its currency: Dojo takes no currency on a refund.
   */
  async refund(account, input: RefundInput): Promise<RefundCreated> {
    const client = clientFor(account);
    if (!Number.isSafeInteger(input.amountMinor) || input.amountMinor <= 0) {
      throw new ProcessorRejectedError(`A refund amount is a positive whole number of minor units, not ${input.amountMinor}.`, "invalid_amount");
    }
    const refund = await client.createRefund(
      input.providerPaymentId,
      { amount: input.amountMinor, refundReason: input.reason.slice(0, 1024) || null },
      input.idempotencyKey,
    );
    return refundCreated(refund, null);
  },

  async getRefund(account, providerRefundId): Promise<RefundCreated> {
    return refundCreated(await clientFor(account).getRefund(providerRefundId), providerRefundId);
  },

  async verify(account): Promise<void> {
    await clientFor(account).listWebhookEvents();
  },

  // Dojo's events name the payment intent only (Recoup's reference is on the intent, not the event).
  verifyWebhook({ rawBody, headers, secret }): ProcessorWebhookEvent {
    const event = verifyDojoWebhook({ rawBody, headers, secret });
    return { id: event.id, type: event.type, createdAt: event.createdAt, providerPaymentId: event.paymentIntentId, reference: null, providerRefundId: null, payload: event.raw };
  },
};
