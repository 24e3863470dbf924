// The retry policy: one pure function deciding what a recovery does next.
// No clock reads, no IO, no randomness: the engine replays it on a virtual clock.
import { DateTime } from "luxon";
import { validZone, zoneOf } from "~/utils/customer-zone";
import {
  customerMessageFor,
  lookupDeclineCode,
  NO_CONTACT_SUBCATEGORIES,
  type DeclineCategory,
  type DeclineCode,
  type DeclineSubcategory,
} from "./decline-codes";
import { dayOfMonthFactors, declineCodeRate, hourFactors, weekdayFactors, type LearnedRates } from "./learning";
import { fundsLikelyAt, localDate, paydayBelief, type PaydayBelief } from "./paydays";

export type CardBrand = "visa" | "mastercard" | "amex" | "discover" | "other" | "unknown";

export interface FailureInput {
  /** "stripe", "shopify", or an ingested PSP's name ("adyen", "braintree", "checkout", …): whose codes these are. */
  provider: string;
  /** Stripe error code (card_declined, expired_card, authentication_required, incorrect_cvc …); Shopify error_code. */
  errorCode: string | null;
  /** Stripe decline_code: insufficient_funds, do_not_honor … */
  declineCode: string | null;
  /** Stripe advice_code: confirm_card_data | do_not_try_again | try_again_later */
  adviceCode: string | null;
  /** Raw network response code, e.g. Visa '05', '51', '54', '14'; Mastercard '51'. */
  networkDeclineCode: string | null;
  /** Mastercard merchant advice code '01', '02', '03', '21', '24'..'30' (Stripe: charge.outcome.network_advice_code). */
  networkAdviceCode: string | null;
  cardBrand: CardBrand;
  cardFingerprint: string | null;
  /** Integer minor units. */
  amountMinor: number;
  /** ISO 4217, lower case. */
  currency: string;
  /** IANA, e.g. 'Europe/Paris'. */
  customerTimezone: string | null;
  /** credit | debit | prepaid, as the provider reports the card (null when it does not say). */
  cardFunding?: string | null;
  /** ISO 3166-1 alpha-2 country of the customer (billing address, else the card's issuing country). */
  customerCountry?: string | null;
  failedAt: Date;
}

/** Every charge attempt on this card (fingerprint) in the last 30+ days, from any retrier. */
export interface AttemptRecord {
  at: Date;
  /** platform = Stripe's/Shopify's own automatic attempts */
  source: "recoup" | "platform" | "customer";
  succeeded: boolean;
  cardFingerprint: string | null;
  amountMinor: number;
  currency: string;
}

export interface MessageRecord {
  at: Date;
  kind: "sequence" | "card_update_request" | "authentication_request";
}

export interface RetrySettings {
  /** Recoup's own retries per recovery; network limits cap it anyway. */
  maxRetries: number;
  retryWindowDays: number;
  /** Retry between these local hours: [start, end), end exclusive; may wrap midnight; start === end means any hour. */
  preferredLocalHours: [number, number];
  /** The workspace timezone, used when the customer's is unknown. */
  fallbackTimezone: string;
  /** When money was short, time retries for the mornings the customer's pay is most likely in (paydays.ts). */
  paydayAware: boolean;
  /** Local hours in which nothing is scheduled, e.g. {start: 21, end: 8}; end exclusive; start === end means none. */
  quietHours: { start: number; end: number } | null;
}

export const DEFAULT_RETRY_SETTINGS: RetrySettings = Object.freeze({
  maxRetries: 8,
  retryWindowDays: 30,
  // Pay lands overnight: from 07:00 the day's deposit is in (paydays.ts DEPOSIT_LANDED_HOUR).
  preferredLocalHours: Object.freeze([7, 10]) as unknown as [number, number],
  fallbackTimezone: "UTC",
  paydayAware: true,
  quietHours: null,
});

/** A workspace's settings as the engine applies them: its overrides laid over the defaults, its timezone the fallback. */
export function retrySettingsFor(workspace: { retrySettings: unknown; timezone: string }): RetrySettings {
  const overrides = (workspace.retrySettings ?? {}) as Partial<RetrySettings>;
  return { ...DEFAULT_RETRY_SETTINGS, fallbackTimezone: workspace.timezone, ...overrides };
}

export interface PolicyInput {
  /** The latest failure. */
  failure: FailureInput;
  /** First failure of this invoice. */
  recoveryStartedAt: Date;
  /** The customer/network gave a new default payment method after the latest failure. */
  paymentMethodUpdatedAt: Date | null;
  /**
   * Fingerprint of that new payment method, when known. If it equals the failed card's, the
   * "new card" is the same card re-saved: terminal declines and Mastercard 03/21 still apply.
   */
  paymentMethodFingerprint?: string | null;
  /** Recoup's retries on this recovery. */
  recoupRetriesSoFar: number;
  /** When Recoup last made or asked for a retry of it: a retry the merchant makes brings no decline back, and the next is spaced from this. */
  lastRetryAt?: Date | null;
  /** All attempts on this card, any invoice, any retrier (used for network limits). */
  cardAttempts: AttemptRecord[];
  messages: MessageRecord[];
  /** Stripe's invoice.next_payment_attempt: Stripe owns that attempt. */
  platformNextAttemptAt: Date | null;
  settings: RetrySettings;
  now: Date;
  /**
   * When this customer's earlier payments went through (oldest first, CustomerPayment): the moments
   * money was there, which point at their payday. Those on this debt's billing day are left out.
   */
  customerPaidAt?: Date[];
  /** What this workspace's own retries have taught (learning.ts); null or absent until there is enough. */
  learned?: LearnedRates | null;
  /** In the standing holdout (ADR 0072): Recoup leaves it to the platform, so its outcome measures what Recoup adds. */
  holdout?: boolean;
}

export type DeclineType = "soft" | "hard";

export interface Classification {
  declineType: DeclineType;
  category: DeclineCategory;
  /** The code that matched the catalogue, else the raw decline/error code. */
  code: string | null;
  customerMessage: string;
  merchantReason: string;
  /** Catalogue subcategory after network overrides ('other' when unknown). */
  subcategory: DeclineSubcategory;
}

export type NextAction =
  | { kind: "retry"; at: Date; reason: string; classification: Classification }
  | {
      kind: "email";
      at: Date;
      template: "card_update_request" | "authentication_request";
      reason: string;
      classification: Classification;
    }
  | { kind: "wait"; until: Date | null; reason: string; classification: Classification }
  | {
      kind: "stop";
      reason: string;
      classification: Classification;
      /** The recovery ends here, with this reason code: the customer told their bank to stop paying the merchant. */
      endsRecovery?: string;
    };

/** The moment an action names (Recovery.nextActionAt): a retry's or email's time, a wait's end; none for a stop. */
export function actionTime(action: NextAction): Date | null {
  return action.kind === "retry" || action.kind === "email" ? action.at : action.kind === "wait" ? action.until : null;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * The least time between the latest decline and Recoup's n-th retry (0-based): a day, then two,
 * three, four and five. Issuer holds and short balances clear over days, and a card retried too often
 * gets flagged; the payday search then picks the best morning from there (ADR 0052).
 */
export const RETRY_GAPS_HOURS: readonly number[] = Object.freeze([20, 44, 68, 92, 116]);
/** Bank or network outages clear within hours: the first retry comes this soon, at any hour. */
const OUTAGE_RETRY_HOURS: Partial<Record<DeclineSubcategory, number>> = { processing: 2, issuer_unavailable: 5 };
/** An off-session retry after the bank asked for authentication, in case it now lets it through. */
const AUTHENTICATION_RETRY_HOURS = 30;
/** Mornings the payday search looks at, from the earliest allowed one. */
const PAYDAY_SEARCH_DAYS = 7;
/** What a day's wait costs a retry's value (the customer may cancel, the money drains): 8 %. */
const DAILY_DISCOUNT = 0.08;
/** A payday morning worth this share of the best one in the search is taken, if it comes first. */
const GOOD_ENOUGH_SHARE = 0.6;
/** A decline code after which this workspace's own retries succeed at under this share of its usual rate stops retrying early. */
const HOPELESS_SHARE_OF_USUAL = 0.25;
/** A new card is charged almost at once: the customer has just acted and expects it. */
export const NEW_CARD_RETRY_DELAY_MS = 30_000;
export const MIN_RETRY_DELAY_MS = HOUR;
/** Stripe's own attempt is given this long to run (and its webhook to arrive) before we act. */
export const PLATFORM_ATTEMPT_GRACE_MS = 2 * HOUR;
const TRY_AGAIN_LATER_MS = DAY;
const UNKNOWN_MIN_GAP_MS = DAY;

// Visa category 1 ("issuer will never approve"): never reattempt.
// https://usa.visa.com/dam/VCOM/global/support-legal/documents/visa-core-rules-and-visa-product-and-service-rules.pdf
const VISA_CATEGORY_1: Readonly<Record<string, { subcategory: DeclineSubcategory; label: string }>> = {
  "04": { subcategory: "pickup_card", label: "pick up card" },
  "07": { subcategory: "pickup_card", label: "pick up card, special condition" },
  "12": { subcategory: "not_permitted", label: "invalid transaction" },
  "14": { subcategory: "invalid_card", label: "invalid account number" },
  "15": { subcategory: "invalid_card", label: "no such issuer" },
  "41": { subcategory: "lost_or_stolen", label: "lost card" },
  "43": { subcategory: "lost_or_stolen", label: "stolen card" },
  "46": { subcategory: "closed_account", label: "closed account" },
  "57": { subcategory: "not_permitted", label: "transaction not permitted to cardholder" },
  R0: { subcategory: "revoked", label: "stop payment order" },
  R1: { subcategory: "revoked", label: "revocation of authorisation" },
  R3: { subcategory: "revoked", label: "revocation of all authorisations" },
};

// Mastercard Merchant Advice Codes 24–30 (sent with insufficient funds): minimum wait before a retry.
// https://developer.paypal.com/braintree/docs/reference/general/merchant-responses/merchant-advice-codes
const MC_ADVICE_WAIT_MS: Readonly<Record<string, number>> = {
  "24": HOUR,
  "25": DAY,
  "26": 2 * DAY,
  "27": 4 * DAY,
  "28": 6 * DAY,
  "29": 8 * DAY,
  "30": 10 * DAY,
};
// MAC 03 (do not try again) and 21 (payment cancelled): no retry of the card for 30 days.
const MC_NO_RETRY = new Set(["03", "21"]);
const MC_NO_RETRY_MS = 30 * DAY;
// MAC 02 ("try again later") gives no duration; acquirers advise 72 hours
// (https://docs.everonet.com/en-us/gateway/developer-portal/appendix/mastercard-merchant-advice-code).
const MC_TRY_LATER_MS = 3 * DAY;
// A Mastercard wait is counted from the decline as the network timed it, which reaches us rounded
// (Stripe's event times are whole seconds) and through clocks that drift: a retry planned at the
// window's last instant can land inside it. Every Mastercard window is kept with this margin.
export const MC_WINDOW_MARGIN_MS = HOUR;

const NETWORK_BUDGETS = {
  visa: { attempts: 20, windowMs: 30 * DAY },
  mastercardDeclines: { attempts: 10, windowMs: DAY },
  mastercardSameAmount: { attempts: 35, windowMs: 30 * DAY },
} as const;

// Codes whose issuer asks for a pause, not just a retry.
const TRY_LATER_CODES = new Set(["try_again_later", "card_decline_rate_limit_exceeded"]);
// Generic codes that must not hide a more specific, unrecognised decline code.
const GENERIC_ERROR_CODES = new Set(["card_declined", "payment_method_declined"]);
// A payday helps when money is the problem, not when the network is.
// Card limits reset on the issuer's own cycle, not on payday.
const PAYDAY_SUBCATEGORIES = new Set<DeclineSubcategory>(["insufficient_funds", "do_not_honor", "other"]);

const SEVERITY: Record<DeclineCategory, number> = { unknown: 0, soft_retry: 1, hard_customer: 2, terminal: 3 };

interface Analysis {
  classification: Classification;
  /** Mastercard MAC 03/21: no retry of this card for 30 days. */
  mcNoRetry: string | null;
  /** Earliest retry instant imposed by the issuer/network, with why. */
  holds: { at: number; why: string }[];
}

function normaliseNetworkCode(code: string | null): string | null {
  if (!code) return null;
  const trimmed = code.trim().toUpperCase();
  if (!trimmed) return null;
  return /^\d$/.test(trimmed) ? `0${trimmed}` : trimmed;
}

function lookup(f: FailureInput): DeclineCode | undefined {
  const psp = f.provider;
  const byDecline = lookupDeclineCode(psp, f.declineCode);
  if (byDecline) return byDecline;
  const error = f.errorCode?.trim().toLowerCase() ?? "";
  // An unrecognised decline_code under a generic "card_declined" is unknown, not generic.
  if (f.declineCode?.trim() && GENERIC_ERROR_CODES.has(error)) return undefined;
  return lookupDeclineCode(psp, f.errorCode);
}

function analyse(f: FailureInput): Analysis {
  const entry = lookup(f);
  const rawCode = f.declineCode?.trim() || f.errorCode?.trim() || null;
  let category: DeclineCategory = entry?.category ?? "unknown";
  let subcategory: DeclineSubcategory = entry?.subcategory ?? "other";
  const notes: string[] = [
    entry
      ? entry.description
      : rawCode
        ? `Unrecognised decline code "${rawCode}": retried cautiously, at least a day apart.`
        : "The payment failed without a decline code: retried cautiously, at least a day apart.",
  ];
  const holds: Analysis["holds"] = [];
  const failedAt = f.failedAt.getTime();

  const escalate = (to: DeclineCategory, sub: DeclineSubcategory) => {
    const toNoContact = NO_CONTACT_SUBCATEGORIES.has(sub);
    const currentNoContact = category === "terminal" && NO_CONTACT_SUBCATEGORIES.has(subcategory);
    if (SEVERITY[to] > SEVERITY[category] || (to === "terminal" && toNoContact && !currentNoContact)) {
      category = to;
      subcategory = sub;
    }
  };

  const advice = f.adviceCode?.trim().toLowerCase() ?? null;
  if (advice === "do_not_try_again") {
    escalate("terminal", "do_not_try_again");
    notes.push("The issuer asked not to retry this card.");
  } else if (advice === "confirm_card_data") {
    escalate("hard_customer", "invalid_card");
    notes.push("The issuer asked for the card details to be confirmed.");
  } else if (advice === "try_again_later") {
    holds.push({ at: failedAt + TRY_AGAIN_LATER_MS, why: "the issuer asked to try again later" });
  }
  if (entry && TRY_LATER_CODES.has(entry.code.toLowerCase()) && advice !== "try_again_later") {
    holds.push({ at: failedAt + TRY_AGAIN_LATER_MS, why: "the issuer asked to try again later" });
  }

  const network = normaliseNetworkCode(f.networkDeclineCode);
  if (f.cardBrand === "visa" && network && VISA_CATEGORY_1[network]) {
    const rule = VISA_CATEGORY_1[network];
    escalate("terminal", rule.subcategory);
    notes.push(`Visa response ${network} (${rule.label}) is never retried under Visa's rules.`);
  }

  const mac = normaliseNetworkCode(f.networkAdviceCode);
  let mcNoRetry: string | null = null;
  if (mac && MC_NO_RETRY.has(mac)) {
    mcNoRetry = mac;
    escalate("terminal", mac === "21" ? "revoked" : "do_not_try_again");
    notes.push(
      mac === "21"
        ? "Mastercard advice 21: the cardholder cancelled payments to you; no retry of this card for 30 days."
        : "Mastercard advice 03: do not try again; no retry of this card for 30 days.",
    );
  } else if (mac === "01") {
    escalate("hard_customer", "invalid_card");
    notes.push("Mastercard advice 01: the card details need updating.");
  } else if (mac === "02") {
    holds.push({ at: failedAt + MC_TRY_LATER_MS + MC_WINDOW_MARGIN_MS, why: "Mastercard asked to try again later (advice 02)" });
  } else if (mac && MC_ADVICE_WAIT_MS[mac] !== undefined) {
    const wait = MC_ADVICE_WAIT_MS[mac];
    holds.push({ at: failedAt + wait + MC_WINDOW_MARGIN_MS, why: `Mastercard asked to wait ${describeDuration(wait)} (advice ${mac})` });
  }

  if (category === "unknown") {
    holds.push({ at: failedAt + UNKNOWN_MIN_GAP_MS, why: "kept at least a day after the decline" });
  }

  const overridden = !entry || entry.category !== category || entry.subcategory !== subcategory;
  const customerMessage =
    entry && !overridden ? entry.customerMessage : customerMessageFor(category === "unknown" ? "other" : subcategory);

  return {
    classification: {
      declineType: category === "hard_customer" || category === "terminal" ? "hard" : "soft",
      category,
      code: entry?.code ?? rawCode,
      customerMessage,
      merchantReason: notes.join(" "),
      subcategory,
    },
    mcNoRetry,
    holds,
  };
}

export function classifyFailure(f: FailureInput): Classification {
  return analyse(f).classification;
}

export function decideNextAction(input: PolicyInput): NextAction {
  const { failure } = input;
  const now = input.now.getTime();
  const analysis = analyse(failure);
  const classification = analysis.classification;
  const ctx = makeContext(input);

  if (classification.subcategory === "already_paid") {
    return { kind: "stop", reason: "Stopped: the invoice is already paid, so there is nothing to recover.", classification };
  }
  if (input.holdout) {
    return {
      kind: "wait",
      until: null,
      reason: "Held out: this customer is in the standing holdout, so Recoup neither retries nor emails. The platform's own collection runs as it would without Recoup, and the outcome measures what Recoup adds.",
      classification,
    };
  }

  const pmUpdated =
    input.paymentMethodUpdatedAt !== null && input.paymentMethodUpdatedAt.getTime() > failure.failedAt.getTime();
  const newFingerprint = input.paymentMethodFingerprint ?? null;
  const sameCard = pmUpdated && newFingerprint !== null && newFingerprint === failure.cardFingerprint;
  const neverRetry = classification.category === "terminal";

  if (pmUpdated && !(sameCard && neverRetry)) {
    return planRetry(ctx, analysis, {
      earliest: now + NEW_CARD_RETRY_DELAY_MS,
      why: "the customer updated their payment method after the decline",
      immediate: true,
    });
  }

  if (neverRetry) {
    if (classification.subcategory === "revoked" && !sameCard) {
      // Neither retried nor chased by email (email-plan.ts): nothing is left for the recovery to do.
      const reason =
        analysis.mcNoRetry === "21"
          ? "Stopped: Mastercard advice 21 says the cardholder cancelled payments to you, so this card is not retried and the customer is not chased."
          : stopReasonFor("revoked");
      return { kind: "stop", reason, classification, endsRecovery: "authorization_revoked" };
    }
    if (analysis.mcNoRetry) {
      if (!sameCard) {
        return {
          kind: "stop",
          reason: `Stopped retrying: Mastercard advice ${analysis.mcNoRetry} forbids retrying this card for 30 days and no new card was added.`,
          classification,
        };
      }
      return scheduleRetry(ctx, analysis, {
        earliest: Math.max(now + MIN_RETRY_DELAY_MS, failure.failedAt.getTime() + MC_NO_RETRY_MS + MC_WINDOW_MARGIN_MS),
        why: `the customer re-saved the same card, which Mastercard advice ${analysis.mcNoRetry} allows to be retried only 30 days after the decline`,
      });
    }
    if (NO_CONTACT_SUBCATEGORIES.has(classification.subcategory)) {
      return { kind: "stop", reason: stopReasonFor(classification.subcategory), classification };
    }
    return emailOnce(input, classification, "card_update_request", "this card will not be approved again");
  }

  if (classification.category === "hard_customer") {
    if (classification.subcategory === "authentication") {
      const asked = emailOnce(input, classification, "authentication_request", "the bank needs the customer to confirm the payment");
      if (asked.kind !== "wait" || input.recoupRetriesSoFar > 0) return asked;
      // Asked already: one off-session retry a day later, in case the bank now lets it through.
      return scheduleRetry(ctx, analysis, {
        earliest: Math.max(now + MIN_RETRY_DELAY_MS, failure.failedAt.getTime() + AUTHENTICATION_RETRY_HOURS * HOUR),
        why: "the customer was asked to confirm the payment, and banks often let a later attempt through without it",
      });
    }
    return emailOnce(input, classification, "card_update_request", hardReasonFor(classification.subcategory));
  }

  const n = input.recoupRetriesSoFar;
  const latest = Math.max(failure.failedAt.getTime(), input.lastRetryAt?.getTime() ?? -Infinity);
  const outage = n === 0 ? OUTAGE_RETRY_HOURS[classification.subcategory] : undefined;
  if (outage !== undefined) {
    return scheduleRetry(ctx, analysis, { earliest: Math.max(now, latest + outage * HOUR), why: softReasonFor(classification), anyHour: true });
  }
  const hopeless = n >= 2 ? hopelessCode(input, classification) : null;
  if (hopeless) return { kind: "stop", reason: hopeless, classification };
  return scheduleRetry(ctx, analysis, {
    earliest: Math.max(now + MIN_RETRY_DELAY_MS, latest + gapHours(n) * HOUR),
    why: softReasonFor(classification),
  });
}

function gapHours(n: number): number {
  return RETRY_GAPS_HOURS[Math.min(n, RETRY_GAPS_HOURS.length - 1)];
}

/** The workspace's own retries after this decline code almost never succeed: say so and stop. */
function hopelessCode(input: PolicyInput, c: Classification): string | null {
  const code = c.code?.toLowerCase();
  if (!code || !input.learned) return null;
  const rate = declineCodeRate(input.learned, code);
  const { overall } = input.learned;
  const usual = overall.attempts > 0 ? overall.successes / overall.attempts : 0;
  if (rate === null || rate >= usual * HOPELESS_SHARE_OF_USUAL) return null;
  const tried = input.learned.byDeclineCode[code]?.attempts ?? 0;
  return `Stopped retrying: your own retries after "${code}" succeeded ${(rate * 100).toFixed(1)} % of the time (${tried} tried, against ${(usual * 100).toFixed(0)} % for all codes), so more retries would only cost fees; the dunning emails continue separately.`;
}

interface Context {
  input: PolicyInput;
  zone: string;
  zoneLabel: string;
  windowEnd: number;
  preferred: [number, number];
  quiet: { start: number; end: number } | null;
}

function makeContext(input: PolicyInput): Context {
  const { settings, failure } = input;
  const zone = zoneOf(failure.customerTimezone, settings.fallbackTimezone);
  return {
    input,
    zone,
    zoneLabel: validZone(failure.customerTimezone) ? `customer's time, ${zone}` : `workspace time, ${zone}; customer's timezone unknown`,
    windowEnd: input.recoveryStartedAt.getTime() + settings.retryWindowDays * DAY,
    preferred: learnedPreferredHours(input) ?? settings.preferredLocalHours,
    quiet: settings.quietHours,
  };
}

/** The hour inside the preferred ones at which this workspace's own retries did best, once it has learnt that. */
function learnedPreferredHours(input: PolicyInput): [number, number] | null {
  const factors = input.learned ? hourFactors(input.learned) : null;
  if (!factors) return null;
  const [start, end] = input.settings.preferredLocalHours;
  let best: number | null = null;
  for (let h = 0; h < 24; h++) {
    if (!inHourRange(h, start, end)) continue;
    if (best === null || factors[h] > factors[best]) best = h;
  }
  return best === null || factors[best] <= 1 ? null : [best, (best + 1) % 24];
}

interface RetryPlan {
  earliest: number;
  why: string;
  /** A customer-triggered retry on a new card: charge now, ignore the schedule's hours. */
  immediate: boolean;
  /** Any hour will do (outages), quiet hours aside. */
  anyHour?: boolean;
}

function planRetry(ctx: Context, analysis: Analysis, plan: RetryPlan): NextAction {
  const { classification } = analysis;
  const { input } = ctx;
  const notes: string[] = [];
  let paydayNote: { at: number; note: string } | null = null;
  let t = plan.earliest;

  if (!plan.immediate) {
    for (const hold of analysis.holds) {
      if (hold.at > t) {
        t = hold.at;
        notes.push(hold.why);
      }
    }
    t = plan.anyHour ? alignQuiet(t, ctx) : align(t, ctx);
    if (!plan.anyHour && input.settings.paydayAware && PAYDAY_SUBCATEGORIES.has(classification.subcategory)) {
      paydayNote = bestMorning(t, ctx);
      if (paydayNote) t = paydayNote.at;
    }
  }

  // Fingerprint whose network budget applies: the new card's if known, else the failed card's.
  const fingerprint = plan.immediate ? (input.paymentMethodFingerprint ?? null) : input.failure.cardFingerprint;
  if (!plan.immediate || fingerprint !== null) {
    for (let guard = 0; guard < input.cardAttempts.length + 2; guard++) {
      const clear = budgetClearAt(t, fingerprint, input);
      if (clear === null) break;
      t = align(clear.at, ctx);
      if (!notes.includes(clear.why)) notes.push(clear.why);
    }
  }
  if (paydayNote && paydayNote.at === t) notes.push(paydayNote.note);

  const pushed = t > plan.earliest;
  if ((!plan.immediate || pushed) && t > ctx.windowEnd) {
    const because = notes.length > 0 ? ` (${notes.join("; ")})` : "";
    return {
      kind: "stop",
      reason: `Stopped retrying: the retry schedule is exhausted, as the next allowed retry${because} would fall after the ${input.settings.retryWindowDays}-day retry window; the dunning emails continue separately.`,
      classification,
    };
  }

  const when =
    plan.immediate && !pushed ? "within a minute" : `${formatLocal(t, ctx.zone)} (${ctx.zoneLabel})`;
  const why = [plan.why, ...notes].join("; ");
  return { kind: "retry", at: new Date(t), reason: `Retrying ${when}: ${why}.`, classification };
}

/** A scheduled (not customer-triggered) retry: Recoup's own limits and the platform's attempt come first. */
function scheduleRetry(ctx: Context, analysis: Analysis, plan: Omit<RetryPlan, "immediate">): NextAction {
  const { input } = ctx;
  const { classification } = analysis;
  const { settings, failure } = input;
  if (input.recoupRetriesSoFar >= settings.maxRetries) {
    return {
      kind: "stop",
      reason: `Stopped retrying: the retry schedule is exhausted, as all ${settings.maxRetries} retries have been used; the dunning emails continue separately.`,
      classification,
    };
  }
  const platformAt = input.platformNextAttemptAt?.getTime() ?? null;
  if (platformAt !== null && platformAt > input.now.getTime()) {
    const platform = failure.provider === "shopify" ? "Shopify" : "Stripe";
    return {
      kind: "wait",
      until: new Date(platformAt + PLATFORM_ATTEMPT_GRACE_MS),
      reason: `Waiting until 2 hours after ${platform}'s own retry on ${formatLocal(platformAt, ctx.zone)} (${ctx.zoneLabel}): ${platform} owns that attempt, so Recoup will not collide with it.`,
      classification,
    };
  }
  return planRetry(ctx, analysis, { ...plan, immediate: false });
}

function emailOnce(
  input: PolicyInput,
  classification: Classification,
  template: "card_update_request" | "authentication_request",
  because: string,
): NextAction {
  // One request per card: a payment-method change earlier than this failure starts a new count.
  const since = Math.max(input.recoveryStartedAt.getTime(), input.paymentMethodUpdatedAt?.getTime() ?? -Infinity);
  const already = input.messages.find((m) => m.kind === template && m.at.getTime() >= since);
  const ask = template === "authentication_request" ? "confirm the payment" : "update their card";
  if (already) {
    return {
      kind: "wait",
      until: null,
      reason: `Waiting for the customer to ${ask}: we already asked on ${formatUtcDate(already.at.getTime())} and ${because}.`,
      classification,
    };
  }
  return {
    kind: "email",
    at: new Date(input.now.getTime()),
    template,
    reason: `Emailing the customer to ${ask} instead of retrying: ${because}.`,
    classification,
  };
}

function hardReasonFor(sub: DeclineSubcategory): string {
  switch (sub) {
    case "expired_card":
      return "the card has expired, so retrying it cannot succeed";
    case "invalid_card":
      return "the card details were rejected, so retrying them cannot succeed";
    case "pin_required":
      return "the bank wants a PIN, which cannot be given online";
    case "payment_method_missing":
      return "there is no usable payment method on file";
    case "limits":
      return "the amount is above what this card allows";
    default:
      return "the customer has to act before a retry can succeed";
  }
}

function stopReasonFor(sub: DeclineSubcategory): string {
  switch (sub) {
    case "fraud":
      return "Stopped: the bank flagged this payment as suspected fraud, so neither retrying nor chasing the customer about this card is safe.";
    case "lost_or_stolen":
    case "pickup_card":
      return "Stopped: the bank reported the card lost, stolen or to be retained, so retrying it or chasing the customer about it is pointless and unsafe.";
    case "revoked":
      return "Stopped: the cardholder told their bank to stop paying you, so retrying this card is not allowed.";
    case "blocked":
      return "Stopped: your own blocking rules refuse this card.";
    case "merchant_action":
      return "Stopped: the payment provider reported a problem only the store can fix; fix it, then restart the recovery.";
    default:
      return "Stopped: this card must not be retried.";
  }
}

function softReasonFor(c: Classification): string {
  if (c.category === "unknown") return "the decline reason is unknown, so retries are spaced out";
  switch (c.subcategory) {
    case "insufficient_funds":
      return "insufficient funds usually clear after payday";
    case "limits":
      return "card limits usually reset within days";
    case "processing":
    case "issuer_unavailable":
      return "temporary bank or network problems usually clear within hours";
    case "duplicate":
      return "the bank held it as a duplicate of a recent payment";
    case "do_not_honor":
      return "generic bank declines often pass on a later attempt";
    default:
      return "soft declines often pass on a later attempt";
  }
}

// ---------- time of day ----------

/** Whether a local hour is in [start, end), wrapping midnight when end < start; start === end is every hour. */
export function inHourRange(hour: number, start: number, end: number): boolean {
  if (start === end) return true;
  return start < end ? hour >= start && hour < end : hour >= start || hour < end;
}

/** Whether a local hour is quiet; quiet hours with start === end are none. */
export function inQuietHours(hour: number, quiet: RetrySettings["quietHours"]): boolean {
  if (!quiet || quiet.start === quiet.end) return false;
  return inHourRange(hour, quiet.start, quiet.end);
}

/** The first instant ≥ t inside the preferred hours and outside quiet hours (quiet hours win). */
function align(t: number, ctx: Context): number {
  const [start, end] = ctx.preferred;
  const both = (ms: number) => {
    const hour = DateTime.fromMillis(ms, { zone: ctx.zone }).hour;
    return inHourRange(hour, start, end) && !inQuietHours(hour, ctx.quiet);
  };
  const notQuiet = (ms: number) => !inQuietHours(DateTime.fromMillis(ms, { zone: ctx.zone }).hour, ctx.quiet);
  for (const ok of [both, notQuiet]) {
    if (ok(t)) return t;
    const top = DateTime.fromMillis(t, { zone: ctx.zone }).startOf("hour");
    for (let k = 1; k <= 24 * 8; k++) {
      const candidate = top.plus({ hours: k }).toMillis();
      if (ok(candidate)) return candidate;
    }
  }
  return t;
}

/** The first instant ≥ t outside quiet hours. */
function alignQuiet(t: number, ctx: Context): number {
  if (!inQuietHours(DateTime.fromMillis(t, { zone: ctx.zone }).hour, ctx.quiet)) return t;
  const top = DateTime.fromMillis(t, { zone: ctx.zone }).startOf("hour");
  for (let k = 1; k <= 26; k++) {
    const candidate = top.plus({ hours: k }).toMillis();
    if (!inQuietHours(DateTime.fromMillis(candidate, { zone: ctx.zone }).hour, ctx.quiet)) return candidate;
  }
  return t;
}

// ---------- paydays ----------

/**
 * The best morning for a retry when money was short: among the next PAYDAY_SEARCH_DAYS mornings
 * from `t`, the one where fresh pay is likeliest (paydays.ts: the customer's country, their own
 * payments, the retries that failed), weighed by this workspace's own results by day and weekday
 * once learnt, and discounted for waiting. Null when no morning beats the first.
 */
function bestMorning(t: number, ctx: Context): { at: number; note: string } | null {
  const { input } = ctx;
  const belief = paydayBeliefOf(ctx);
  const learned = input.learned ?? null;
  const byDay = learned ? dayOfMonthFactors(learned) : null;
  const byWeekday = learned ? weekdayFactors(learned) : null;
  const firstDay = DateTime.fromMillis(t, { zone: ctx.zone }).startOf("day");
  const mornings: Array<{ at: number; value: number; day: number }> = [];
  for (let d = 0; d < PAYDAY_SEARCH_DAYS; d++) {
    const at = d === 0 ? t : align(firstDay.plus({ days: d }).toMillis(), ctx);
    if (at > ctx.windowEnd) break;
    const local = localDate(belief, at);
    const value =
      fundsLikelyAt(belief, at) * (byDay?.[local.day - 1] ?? 1) * (byWeekday?.[local.weekday - 1] ?? 1) * Math.exp(-DAILY_DISCOUNT * d);
    mornings.push({ at, value, day: d });
  }
  const top = Math.max(0, ...mornings.map((m) => m.value));
  if (top <= 0) return null;
  // The first morning worth 60 % of the best: the retry after it can still take the better one, so a
  // belief spread over several pay schedules is hedged rather than bet on the likeliest.
  const best = mornings.find((m) => m.value >= GOOD_ENOUGH_SHARE * top)!;
  if (best.day === 0) return null;
  const own = belief.ownPayments > 0 ? `, judged from ${belief.ownPayments} of their own payments` : "";
  return { at: best.at, note: `timed for the morning their pay is most likely in${own}` };
}

function paydayBeliefOf(ctx: Context): PaydayBelief {
  const { input } = ctx;
  const latest = input.failure.failedAt.getTime();
  const started = input.recoveryStartedAt.getTime();
  const failedRetries = input.cardAttempts
    .filter((a) => a.source === "recoup" && !a.succeeded && a.at.getTime() > started && a.at.getTime() <= latest)
    .map((a) => a.at.getTime())
    .sort((a, b) => a - b);
  return paydayBelief({
    country: input.failure.customerCountry,
    zone: ctx.zone,
    failedAt: started,
    failedRetries,
    // A renewal paid on its billing day (this debt's day of the month) marks the billing day, not the payday.
    paidAt: (input.customerPaidAt ?? []).map((d) => d.getTime()).filter((t) => !sameDayOfMonth(t, started, ctx.zone)),
  });
}

function sameDayOfMonth(a: number, b: number, zone: string): boolean {
  const da = DateTime.fromMillis(a, { zone });
  const db = DateTime.fromMillis(b, { zone });
  const gap = Math.abs(da.day - db.day);
  return Math.min(gap, 31 - gap) <= 1;
}

// ---------- network budgets ----------

function budgetClearAt(t: number, fingerprint: string | null, input: PolicyInput): { at: number; why: string } | null {
  const { failure } = input;
  const attempts = input.cardAttempts
    .filter((a) => fingerprint === null || a.cardFingerprint === null || a.cardFingerprint === fingerprint)
    .map((a) => ({ ...a, ms: a.at.getTime() }))
    .filter((a) => a.ms <= t)
    .sort((a, b) => a.ms - b.ms);

  // The retry itself counts: it is allowed only if count + 1 stays within the budget.
  const clear = (counted: { ms: number }[], limit: number, windowMs: number): number | null => {
    const inWindow = counted.filter((a) => a.ms > t - windowMs);
    if (inWindow.length + 1 <= limit) return null;
    return inWindow[inWindow.length - limit].ms + windowMs;
  };

  const candidates: { at: number; why: string }[] = [];
  if (failure.cardBrand === "mastercard") {
    const { mastercardDeclines: d, mastercardSameAmount: s } = NETWORK_BUDGETS;
    const declines = clear(attempts.filter((a) => !a.succeeded), d.attempts, d.windowMs);
    if (declines !== null) candidates.push({ at: declines, why: "held back by Mastercard's limit of 10 declines per card in 24 hours" });
    const currency = failure.currency.toLowerCase();
    const same = attempts.filter((a) => a.amountMinor === failure.amountMinor && a.currency.toLowerCase() === currency);
    const sameAmount = clear(same, s.attempts, s.windowMs);
    if (sameAmount !== null) candidates.push({ at: sameAmount, why: "held back by Mastercard's limit of 35 attempts per card and amount in 30 days" });
  } else {
    const v = NETWORK_BUDGETS.visa;
    const visa = clear(attempts, v.attempts, v.windowMs);
    if (visa !== null) {
      const network = failure.cardBrand === "visa" ? "Visa's" : "the networks' (Visa's)";
      candidates.push({ at: visa, why: `held back by ${network} limit of 20 attempts per card in 30 days` });
    }
  }
  if (candidates.length === 0) return null;
  return candidates.reduce((a, b) => (b.at > a.at ? b : a));
}

// ---------- formatting ----------

function formatLocal(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).setLocale("en-GB").toFormat("ccc d LLL HH:mm");
}

function formatUtcDate(ms: number): string {
  return DateTime.fromMillis(ms, { zone: "UTC" }).setLocale("en-GB").toFormat("d LLL");
}

function describeDuration(ms: number): string {
  if (ms < DAY) return `${Math.round(ms / HOUR)} hour${ms === HOUR ? "" : "s"}`;
  const days = Math.round(ms / DAY);
  return `${days} day${days === 1 ? "" : "s"}`;
}
