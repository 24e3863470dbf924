// The production planning code as a policy of the shared recovery simulator
// (../shared/recovery-sim/README.md, "Writing a policy"). Nothing here decides anything: each
// simulated invoice is replayed as the engine lives it (app/domain/recovery/engine.server.ts) and
// every decision comes from the code the engine and the dunning jobs run:
//   - `decideNextAction` (app/domain/recovery/policy.ts) with a new workspace's settings,
//     called exactly when the engine calls it: the failure is recorded (the first one, each declined
//     retry, a customer's failed payment), a new payment method arrives, a planned wait ends;
//   - the default dunning sequence (app/domain/dunning/default-sequence.ts), its steps due and spaced
//     by app/domain/dunning/schedule.ts, as runDunningStep does;
//   - the policy's own customer emails (card update, authentication) sent at once, as
//     requestCustomerAction does (they are not spaced).
// What the adapter does is translation: the simulator's state into the policy's input, the pending
// plan and the sequence into the simulator's one pending decision.
import { DEFAULT_SEQUENCE } from "../../app/domain/dunning/default-sequence";
import { stepDueAt } from "../../app/domain/dunning/schedule";
import { emailSendAt, planSequenceEmail } from "../../app/domain/recovery/email-plan";
import {
  actionTime,
  classifyFailure,
  decideNextAction,
  DEFAULT_RETRY_SETTINGS,
  type AttemptRecord,
  type CardBrand,
  type FailureInput,
  type MessageRecord,
  type NextAction,
  type RetrySettings,
} from "../../app/domain/recovery/policy";

// ---------- the simulator's contract (README.md "state" and "decisions") ----------

export interface SimFailure {
  declineCode: string | null;
  adviceCode: string | null;
  network: string;
  networkCode: string | null;
  networkCategory: number | null;
  networkAdvice: string | null;
  funding: string;
  amount: number;
  currency: string;
  amountUsd: number;
  failedAt: number;
  customerTz: string;
  utcOffsetMinutes: number;
  region: string;
}

export type SimAttempt =
  | {
      at: number;
      kind: "retry";
      result: "succeeded" | "failed";
      declineCode?: string | null;
      adviceCode?: string | null;
      networkCode?: string | null;
      networkCategory?: number | null;
      networkAdvice?: string | null;
    }
  | { at: number; kind: "customer_update"; source: string; result: "succeeded" | "failed" };

export interface SimState {
  failure: SimFailure;
  attempts: SimAttempt[];
  messages: { at: number; kind: "email" }[];
  events: { at: number; kind: "card_updated" | "customer_update_failed"; source?: string }[];
  card: { updates: number; updatedAt: number | null };
  now: number;
  horizonAt: number;
}

export type SimDecision =
  | { type: "retry"; at: number }
  | { type: "email"; at: number }
  | { type: "wait"; until: number }
  | { type: "stop" };

export type SimPolicy = (state: SimState) => SimDecision;

// ---------- what a new merchant gets ----------

/**
 * A new workspace's settings: the defaults, laid over as `retrySettingsFor` does for a workspace with
 * no overrides and the schema's default timezone (Workspace.timezone @default("UTC")).
 */
export const NEW_WORKSPACE_SETTINGS: RetrySettings = { ...DEFAULT_RETRY_SETTINGS, fallbackTimezone: "UTC" };

/**
 * The customer's country as a provider reports it (Stripe: the invoice's customer_address, the
 * card's issuing country): the simulator names a region and a time zone, which stand for it.
 */
const COUNTRY_OF_ZONE: Record<string, string> = {
  "Europe/London": "GB",
  "Europe/Berlin": "DE",
  "Europe/Paris": "FR",
  "Europe/Madrid": "ES",
  "Europe/Amsterdam": "NL",
  "Australia/Sydney": "AU",
  "Australia/Perth": "AU",
  "America/Sao_Paulo": "BR",
  "Asia/Singapore": "SG",
  "America/Toronto": "CA",
  "America/Vancouver": "CA",
};
const COUNTRY_OF_REGION: Record<string, string> = { US: "US", CA: "CA", UK: "GB", AU: "AU", LATAM: "BR", APAC: "SG" };

function countryOf(f: SimFailure): string | null {
  return COUNTRY_OF_ZONE[f.customerTz] ?? COUNTRY_OF_REGION[f.region] ?? null;
}

// ---------- one invoice as the engine keeps it ----------

interface LatestFailure {
  at: number;
  declineCode: string | null;
  adviceCode: string | null;
  networkCode: string | null;
  networkAdvice: string | null;
}

interface Sent {
  at: number;
  kind: MessageRecord["kind"];
}

interface InvoiceBook {
  failure: SimFailure;
  /** Recovery.startedAt: the first failure, as Stripe reported it. */
  startedAt: number;
  /** Recovery.lastFailureAt and its codes. */
  latest: LatestFailure;
  /** Recovery.cardFingerprint: the card the latest failure was on. */
  fingerprint: string;
  recoupRetries: number;
  /** Recovery.lastRetryAt: when the last retry was made. */
  lastRetryAt: number | null;
  paymentMethodUpdatedAt: number | null;
  cardAttempts: AttemptRecord[];
  sent: Sent[];
  /** Index of the sequence's next step. */
  nextStep: number;
  /** The customer's latest own action (a payment they tried). */
  customerActedAt: number | null;
  settings: RetrySettings;
  /** The engine's current decision (Recovery.nextActionKind/At); null once acted on (an email). */
  plan: NextAction | null;
  /** What we last handed the simulator, to tell which email went out. */
  lastDecision: SimDecision & { emailKind?: MessageRecord["kind"] };
  seenAttempts: number;
  seenMessages: number;
  seenEvents: number;
}

/** The card the engine would see: one fingerprint per set of credentials (the network updater gives new ones). */
function fingerprintOf(failure: SimFailure, updates: number): string {
  return `sim:${failure.failedAt}:${failure.amountUsd}:${updates}`;
}

function brandOf(network: string): CardBrand {
  return network === "visa" || network === "mastercard" || network === "amex" || network === "discover" ? network : "unknown";
}

function minorUnits(amount: number, currency: string): number {
  return currency.toUpperCase() === "JPY" ? Math.round(amount) : Math.round(amount * 100);
}

function failureInput(book: InvoiceBook): FailureInput {
  const f = book.failure;
  return {
    provider: "stripe",
    // Stripe reports a decline as error `card_declined` with the decline_code beside it; the
    // catalogue looks the decline_code up first.
    errorCode: "card_declined",
    declineCode: book.latest.declineCode,
    adviceCode: book.latest.adviceCode,
    networkDeclineCode: book.latest.networkCode,
    networkAdviceCode: book.latest.networkAdvice,
    cardBrand: brandOf(f.network),
    cardFingerprint: book.fingerprint,
    amountMinor: minorUnits(f.amount, f.currency),
    currency: f.currency.toLowerCase(),
    // What the providers report (ADR 0048): the customer's time zone and country, the card's funding.
    customerTimezone: f.customerTz,
    customerCountry: countryOf(f),
    cardFunding: f.funding,
    failedAt: new Date(book.latest.at),
  };
}

/** `decide` in engine.server.ts: the recovery's facts into the policy. */
function plan(book: InvoiceBook, now: number, settings: RetrySettings): NextAction {
  return decideNextAction({
    failure: failureInput(book),
    recoveryStartedAt: new Date(book.startedAt),
    paymentMethodUpdatedAt: book.paymentMethodUpdatedAt === null ? null : new Date(book.paymentMethodUpdatedAt),
    recoupRetriesSoFar: book.recoupRetries,
    lastRetryAt: book.lastRetryAt === null ? null : new Date(book.lastRetryAt),
    cardAttempts: book.cardAttempts,
    messages: book.sent.map((m) => ({ at: new Date(m.at), kind: m.kind })),
    // A new merchant leaves retrying to Recoup (Smart Retries off): no platform attempt to wait for.
    platformNextAttemptAt: null,
    settings,
    now: new Date(now),
  });
}

/** When the sequence's next step goes out, as runDunningStep asks the email plan; null when it does not. */
function nextSequenceEmailAt(book: InvoiceBook, now: number): number | null {
  const step = DEFAULT_SEQUENCE.steps[book.nextStep];
  if (!step) return null;
  const plan = planSequenceEmail({
    classification: classifyFailure(failureInput(book)),
    stepDueAt: stepDueAt({ startedAt: new Date(book.startedAt) }, step.delayHours),
    sentForRecovery: book.sent.map((m) => new Date(m.at)),
    lastEmailToCustomerAt: book.sent.length ? new Date(Math.max(...book.sent.map((m) => m.at))) : null,
    customerActedAt: book.customerActedAt === null ? null : new Date(book.customerActedAt),
    nextAction: nextActionOf(book.plan),
    zone: book.failure.customerTz,
    settings: book.settings,
    now: new Date(now),
  });
  return plan.kind === "send" ? plan.at.getTime() : null;
}

/** Recovery.nextActionKind / nextActionAt as the engine stores a plan. */
function nextActionOf(plan: NextAction | null): { kind: string | null; at: Date | null } {
  if (!plan) return { kind: null, at: null };
  return { kind: plan.kind, at: actionTime(plan) };
}

/**
 * A failure Stripe reports (invoice.payment_failed) carries its time in whole seconds (`created`):
 * the engine's lastFailureAt is the decline's second, not its instant. Our own charges' declines
 * are stamped by the engine's clock after the answer (provider.server.ts), so they are exact.
 */
function reportedByStripe(at: number): number {
  return Math.floor(at / 1000) * 1000;
}

function newBook(s: SimState, settings: RetrySettings): InvoiceBook {
  const f = s.failure;
  const fingerprint = fingerprintOf(f, 0);
  const failedAt = reportedByStripe(f.failedAt);
  const book: InvoiceBook = {
    failure: f,
    startedAt: failedAt,
    latest: { at: failedAt, declineCode: f.declineCode, adviceCode: f.adviceCode, networkCode: f.networkCode, networkAdvice: f.networkAdvice },
    fingerprint,
    recoupRetries: 0,
    lastRetryAt: null,
    paymentMethodUpdatedAt: null,
    // recordInvoiceFailure records the platform's failed attempt before planning.
    cardAttempts: [{ at: new Date(failedAt), source: "platform", succeeded: false, cardFingerprint: fingerprint, amountMinor: minorUnits(f.amount, f.currency), currency: f.currency.toLowerCase() }],
    sent: [],
    nextStep: 0,
    customerActedAt: null,
    settings,
    plan: null,
    lastDecision: { type: "wait", until: s.now },
    seenAttempts: 0,
    seenMessages: 0,
    seenEvents: 0,
  };
  return book;
}

/** Applies what happened since the last call, as the engine's commands would; true when the engine plans again. */
function applyNews(book: InvoiceBook, s: SimState): boolean {
  let replan = false;
  const f = book.failure;
  const attemptOn = (at: number, source: AttemptRecord["source"], fingerprint: string): AttemptRecord => ({
    at: new Date(at), source, succeeded: false, cardFingerprint: fingerprint, amountMinor: minorUnits(f.amount, f.currency), currency: f.currency.toLowerCase(),
  });

  for (const m of s.messages.slice(book.seenMessages)) {
    const d = book.lastDecision;
    const kind = d.type === "email" && d.emailKind ? d.emailKind : "sequence";
    book.sent.push({ at: m.at, kind });
    if (kind === "sequence") book.nextStep += 1;
    // The engine's own email went: it plans once more (a retry may follow an authentication request).
    else if (book.plan?.kind === "email") replan = true;
  }
  book.seenMessages = s.messages.length;

  // Events and attempts in time order: a card update, then a decline on it, is not the reverse.
  const news: ({ at: number; attempt: SimAttempt } | { at: number; event: SimState["events"][number] })[] = [
    ...s.attempts.slice(book.seenAttempts).map((attempt) => ({ at: attempt.at, attempt })),
    ...s.events.slice(book.seenEvents).map((event) => ({ at: event.at, event })),
  ].sort((a, b) => a.at - b.at);
  book.seenAttempts = s.attempts.length;
  book.seenEvents = s.events.length;
  const cardNow = fingerprintOf(f, s.card.updates);

  for (const item of news) {
    if ("attempt" in item) {
      const a = item.attempt;
      if (a.result !== "failed") continue; // a success ends the invoice: never seen here
      if (a.kind === "retry") {
        // recordAttemptResult, "declined": the retry counts, its codes become the recovery's, a
        // payment method change before it is spent.
        book.fingerprint = cardNow;
        book.cardAttempts.push(attemptOn(a.at, "recoup", cardNow));
        book.recoupRetries += 1;
        book.lastRetryAt = a.at;
        book.latest = { at: a.at, declineCode: a.declineCode ?? null, adviceCode: a.adviceCode ?? null, networkCode: a.networkCode ?? null, networkAdvice: a.networkAdvice ?? null };
        book.paymentMethodUpdatedAt = null;
        replan = true;
      } else {
        // The customer paid with "fixed" details and was declined again: Stripe reports a new
        // invoice.payment_failed (recordInvoiceFailure). The simulator gives no codes for it: the
        // latest decline's are kept, at the new time.
        const at = reportedByStripe(a.at);
        book.cardAttempts.push(attemptOn(at, "customer", cardNow));
        book.latest = { ...book.latest, at };
        book.customerActedAt = at;
        if (book.paymentMethodUpdatedAt !== null && book.paymentMethodUpdatedAt <= at) book.paymentMethodUpdatedAt = null;
        replan = true;
      }
    } else if (item.event.kind === "card_updated") {
      // payment_method.automatically_updated → onPaymentMethodUpdated (no fingerprint named).
      book.paymentMethodUpdatedAt = Math.max(item.at, book.latest.at + 1);
      replan = true;
    }
  }

  // A planned wait ran out: the charge-retry job plans again (runChargeRetry → notDue).
  if (book.plan?.kind === "wait" && book.plan.until && book.plan.until.getTime() <= s.now) replan = true;
  return replan;
}

/** The one decision the simulator holds: the earliest of the engine's plan and the sequence's next email. */
function decision(book: InvoiceBook, s: SimState): InvoiceBook["lastDecision"] {
  const options: InvoiceBook["lastDecision"][] = [];
  const p = book.plan;
  if (p?.kind === "retry") options.push({ type: "retry", at: p.at.getTime() });
  // The engine's own email goes out in the customer's daytime (sendDunningMessage's hold).
  if (p?.kind === "email") options.push({ type: "email", at: emailSendAt(p.at, book.settings, book.failure.customerTz).getTime(), emailKind: p.template });
  if (p?.kind === "wait" && p.until) options.push({ type: "wait", until: p.until.getTime() });
  // A stop that ends the recovery (the customer revoked the payment) ends the invoice.
  if (p?.kind === "stop" && p.endsRecovery) return { type: "stop" };
  const seq = nextSequenceEmailAt(book, s.now);
  if (seq !== null) options.push({ type: "email", at: seq, emailKind: "sequence" });
  const when = (d: InvoiceBook["lastDecision"]) => (d.type === "wait" ? d.until : d.type === "stop" ? Infinity : d.at);
  // Ties: the engine's own action first (it is planned in the failure's transaction).
  const best = options.reduce<InvoiceBook["lastDecision"] | null>((a, b) => (a === null || when(b) < when(a) ? b : a), null);
  // Nothing planned: the recovery stays open (a "stop" ends retries, not the recovery) until it
  // expires after 30 days, the simulator's horizon; a new card or a payment still counts.
  return best ?? { type: "wait", until: s.horizonAt };
}

/** The simulator's policy factory: one book per invoice (the simulator runs invoices one at a time). */
export function createPolicy(options: { settings?: RetrySettings; observe?: (action: NextAction, state: SimState) => void } = {}): SimPolicy {
  const settings = options.settings ?? NEW_WORKSPACE_SETTINGS;
  let book: InvoiceBook | null = null;
  return (s) => {
    // A new invoice is a new recovery: recordInvoiceFailure plans at once.
    const current = book !== null && book.failure === s.failure ? book : newBook(s, settings);
    const opened = current !== book;
    book = current;
    if (opened || applyNews(current, s)) {
      current.plan = plan(current, s.now, settings);
      options.observe?.(current.plan, s);
    }
    // The engine's times are whole milliseconds; the simulator's clock need not be (its failure
    // times are fractional). Handing it whole milliseconds, never before `now`, keeps a 20-hour
    // spacing 20 hours in its eyes too.
    const d = decision(current, s);
    current.lastDecision = d.type === "wait" ? { ...d, until: Math.ceil(d.until) } : d.type === "stop" ? d : { ...d, at: Math.ceil(Math.max(d.at, s.now)) };
    const out = current.lastDecision;
    return out.type === "email" ? { type: "email", at: out.at } : out;
  };
}
