// The backend's answers (app/contracts/stripe-app/views.server.ts), as the views read them.

export type RecoveryStatus = "pending" | "recovered" | "failed" | "abandoned";

export interface RecoveryAttempt {
  id: string;
  stripeInvoiceId: string;
  stripeCustomerId: string;
  status: RecoveryStatus;
  amountDueCents: number;
  recoveredAmountCents: number | null;
  currency: string;
  startedAt: string;
  endedAt: string | null;
  nextActionAt: string | null;
  nextActionReason: string | null;
}

export interface OpenRecovery extends RecoveryAttempt {
  /** The debt in words: a Stripe invoice's id, or a Shopify contract in a workspace that has both. */
  reference: { title: string; subtitle: string };
  paused: boolean;
  customerName: string | null;
  customerEmail: string | null;
}

export interface Overview {
  created: boolean;
  connected: boolean;
  workspace: { id: string; name: string };
  summary: {
    window: string;
    windowStart: string | null;
    currency: string;
    failedRevenueCents: number;
    recoveredRevenueCents: number;
    recoveryRate: number;
    atRiskCount: number;
    openCount: number;
  };
  openRecoveries: OpenRecovery[];
  hasMore: boolean;
}

export type TimelineEntry =
  | { at: string; kind: "failure"; source: string; attemptNumber: number; declineCode: string | null; message: string | null; status: string }
  | { at: string; kind: "email"; messageId: string; emailKind: string; subject: string; status: string; openedAt: string | null; clickedAt: string | null }
  | { at: string; kind: "charge_succeeded"; source: string; attemptNumber: number }
  | { at: string; kind: "outcome"; outcome: string; reasonCode: string | null };

export interface Timeline {
  attempt: RecoveryAttempt;
  customer: { id: string; email: string | null; name: string | null } | null;
  card: { brand: string | null; last4: string } | null;
  paused: boolean;
  nextAction: { kind: string | null; at: string | null; reason: string | null } | null;
  declineCode: string | null;
  reasonForCustomer: string;
  hostedInvoiceUrl: string | null;
  entries: TimelineEntry[];
}

export interface Recoveries {
  recoveries: RecoveryAttempt[];
  latest: Timeline | null;
}

export interface Settings {
  created: boolean;
  connected: boolean;
  workspace: { id: string; name: string; timezone: string };
  retryPolicy: {
    maxRetries: number;
    retryWindowDays: number;
    preferredLocalHours: [number, number];
    paydayAware: boolean;
    quietHours: { start: number; end: number } | null;
  };
  activeSequences: number;
  dashboardUrl: string;
}
