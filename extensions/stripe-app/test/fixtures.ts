import type { Overview, Recoveries, Settings, Timeline } from "../src/types";

const attempt = {
  id: "rec_1",
  stripeInvoiceId: "in_1",
  stripeCustomerId: "cus_1",
  status: "pending" as const,
  amountDueCents: 2500,
  recoveredAmountCents: null,
  currency: "usd",
  startedAt: "2026-11-10T12:00:00.000Z",
  endedAt: null,
  nextActionAt: "2026-11-12T09:00:00.000Z",
  nextActionReason: "Retrying Thursday morning, just after payday.",
};

export function overview(over: Partial<Overview> = {}): Overview {
  return {
    created: false,
    connected: true,
    workspace: { id: "ws_1", name: "Acme" },
    summary: {
      window: "month",
      windowStart: "2026-11-01T00:00:00.000Z",
      currency: "usd",
      failedRevenueCents: 50_000,
      recoveredRevenueCents: 40_000,
      recoveryRate: 0.8,
      atRiskCount: 3,
      openCount: 1,
    },
    openRecoveries: [{ ...attempt, reference: { title: "in_1", subtitle: "cus_1" }, paused: false, customerName: "Grace Hopper", customerEmail: "grace@example.com" }],
    hasMore: false,
    ...over,
  };
}

export function timeline(over: Partial<Timeline> = {}): Timeline {
  return {
    attempt,
    customer: { id: "cus_1", email: "grace@example.com", name: "Grace Hopper" },
    card: { brand: "visa", last4: "4242" },
    paused: false,
    nextAction: { kind: "retry", at: "2026-11-12T09:00:00.000Z", reason: "Retrying Thursday morning, just after payday." },
    declineCode: "insufficient_funds",
    reasonForCustomer: "Your bank declined the payment because the card's balance was too low.",
    hostedInvoiceUrl: null,
    entries: [
      { at: "2026-11-10T12:00:00.000Z", kind: "failure", source: "platform", attemptNumber: 1, declineCode: "insufficient_funds", message: null, status: "failed" },
      { at: "2026-11-10T13:00:00.000Z", kind: "email", messageId: "m1", emailKind: "payment_failed", subject: "Your payment didn't go through", status: "sent", openedAt: "2026-11-10T14:00:00.000Z", clickedAt: null },
    ],
    ...over,
  };
}

export function recoveries(over: Partial<Recoveries> = {}): Recoveries {
  return { recoveries: [attempt], latest: timeline(), ...over };
}

export function settings(over: Partial<Settings> = {}): Settings {
  return {
    created: true,
    connected: true,
    workspace: { id: "ws_1", name: "Acme", timezone: "Europe/Paris" },
    retryPolicy: { maxRetries: 6, retryWindowDays: 21, preferredLocalHours: [8, 11], paydayAware: true, quietHours: null },
    activeSequences: 1,
    dashboardUrl: "https://recoup.example.com/dashboard",
    ...over,
  };
}
