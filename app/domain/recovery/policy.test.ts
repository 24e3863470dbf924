import { describe, it, expect, vi, afterEach } from "vitest";
import { DateTime } from "luxon";
import { DECLINE_CODES, NO_CONTACT_SUBCATEGORIES } from "./decline-codes";
import { FAILED_AT, makeFailure } from "../../../tests/helpers/failure-input";
import { learnRates, LEARNING_MIN_ATTEMPTS, type RetryOutcome } from "./learning";
import {
  DEFAULT_RETRY_SETTINGS,
  RETRY_GAPS_HOURS,
  classifyFailure,
  decideNextAction,
  MC_WINDOW_MARGIN_MS,
  type AttemptRecord,
  type FailureInput,
  type NextAction,
  type PolicyInput,
  type RetrySettings,
} from "./policy";

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const T0 = FAILED_AT; // a Monday, 10:00 UTC
const plus = (d: Date, ms: number) => new Date(d.getTime() + ms);
const iso = (s: string) => new Date(s);

// Any hour, not payday-timed: isolates the rule under test from time-of-day shaping.
const ANY_HOUR: RetrySettings = {
  ...DEFAULT_RETRY_SETTINGS,
  preferredLocalHours: [0, 24],
  paydayAware: false,
  quietHours: null,
  fallbackTimezone: "UTC",
};

type InputOverrides = Partial<Omit<PolicyInput, "failure" | "settings">> & {
  failure?: Partial<FailureInput>;
  settings?: Partial<RetrySettings>;
};

function makeInput(over: InputOverrides = {}): PolicyInput {
  const failure = makeFailure(over.failure);
  const { failure: _f, settings: _s, ...rest } = over;
  return {
    recoveryStartedAt: failure.failedAt,
    paymentMethodUpdatedAt: null,
    recoupRetriesSoFar: 0,
    cardAttempts: [],
    messages: [],
    platformNextAttemptAt: null,
    now: plus(failure.failedAt, MIN),
    ...rest,
    failure,
    settings: { ...ANY_HOUR, ...over.settings },
  };
}

function retryAt(action: NextAction): Date {
  expect(action.kind, action.reason).toBe("retry");
  if (action.kind !== "retry") throw new Error("unreachable");
  return action.at;
}

function attempts(count: number, first: Date, stepMs: number, over: Partial<AttemptRecord> = {}): AttemptRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    at: plus(first, i * stepMs),
    source: (["recoup", "platform", "customer"] as const)[i % 3],
    succeeded: false,
    cardFingerprint: "fp_card",
    amountMinor: 4900,
    currency: "usd",
    ...over,
  }));
}

function localHour(at: Date, zone: string): number {
  return DateTime.fromJSDate(at, { zone }).hour;
}

afterEach(() => {
  vi.useRealTimers();
});

describe("classifyFailure", () => {
  const stripe = DECLINE_CODES.filter((e) => e.psp === "stripe");
  const shopify = DECLINE_CODES.filter((e) => e.psp === "shopify");

  it.each(stripe.map((e) => [e.code, e] as const))("stripe decline_code %s classifies as the catalogue says", (_code, entry) => {
    const c = classifyFailure(makeFailure({ declineCode: entry.code, errorCode: "card_declined", cardBrand: "amex" }));
    expect(c.category).toBe(entry.category);
    expect(c.subcategory).toBe(entry.subcategory);
    expect(c.code).toBe(entry.code);
    expect(c.customerMessage).toBe(entry.customerMessage);
    expect(c.declineType).toBe(entry.category === "soft_retry" ? "soft" : "hard");
  });

  it.each(stripe.map((e) => [e.code, e] as const))("stripe error code %s alone classifies as the catalogue says", (_code, entry) => {
    const c = classifyFailure(makeFailure({ declineCode: null, errorCode: entry.code, cardBrand: "amex" }));
    expect(c.category).toBe(entry.category);
  });

  it.each(shopify.map((e) => [e.code, e] as const))("shopify error_code %s classifies as the catalogue says", (_code, entry) => {
    const c = classifyFailure(makeFailure({ provider: "shopify", declineCode: null, errorCode: entry.code, cardBrand: "unknown" }));
    expect(c.category).toBe(entry.category);
    expect(c.code).toBe(entry.code);
  });

  it("reads decline_code before error code", () => {
    const c = classifyFailure(makeFailure({ errorCode: "card_declined", declineCode: "stolen_card" }));
    expect(c.category).toBe("terminal");
    expect(c.code).toBe("stolen_card");
    expect(classifyFailure(makeFailure({ errorCode: "expired_card", declineCode: "expired_card" })).category).toBe("hard_customer");
    expect(classifyFailure(makeFailure({ errorCode: "incorrect_cvc", declineCode: null })).category).toBe("hard_customer");
    expect(classifyFailure(makeFailure({ errorCode: "authentication_required", declineCode: null })).subcategory).toBe("authentication");
  });

  it("treats an unrecognised decline code as unknown and soft, even under card_declined", () => {
    const c = classifyFailure(makeFailure({ errorCode: "card_declined", declineCode: "brand_new_code" }));
    expect(c).toMatchObject({ category: "unknown", declineType: "soft", code: "brand_new_code", subcategory: "other" });
    expect(c.merchantReason).toContain("brand_new_code");
    expect(c.customerMessage.length).toBeGreaterThan(10);
  });

  it("falls back to a specific error code when the decline code is unknown", () => {
    expect(classifyFailure(makeFailure({ errorCode: "expired_card", declineCode: "brand_new_code" })).category).toBe("hard_customer");
  });

  it("treats missing codes as unknown", () => {
    const c = classifyFailure(makeFailure({ errorCode: null, declineCode: null }));
    expect(c).toMatchObject({ category: "unknown", declineType: "soft", code: null });
    expect(classifyFailure(makeFailure({ errorCode: "weird", declineCode: null })).category).toBe("unknown");
  });

  it("lets Stripe advice codes override the catalogue", () => {
    expect(classifyFailure(makeFailure({ adviceCode: "do_not_try_again" }))).toMatchObject({ category: "terminal", subcategory: "do_not_try_again", declineType: "hard" });
    expect(classifyFailure(makeFailure({ adviceCode: "confirm_card_data" }))).toMatchObject({ category: "hard_customer", subcategory: "invalid_card" });
    expect(classifyFailure(makeFailure({ adviceCode: "try_again_later" })).category).toBe("soft_retry");
  });

  it.each(["04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3"])("makes Visa category-1 response %s terminal", (code) => {
    const c = classifyFailure(makeFailure({ declineCode: "do_not_honor", networkDeclineCode: code, cardBrand: "visa" }));
    expect(c.category).toBe("terminal");
    expect(c.merchantReason).toContain(`Visa response ${code}`);
  });

  it("normalises network codes (single digit, lower case)", () => {
    expect(classifyFailure(makeFailure({ networkDeclineCode: "4" })).category).toBe("terminal");
    expect(classifyFailure(makeFailure({ networkDeclineCode: "r0" })).category).toBe("terminal");
    expect(classifyFailure(makeFailure({ cardBrand: "mastercard", networkAdviceCode: "3" })).category).toBe("terminal");
  });

  it("applies the Visa category-1 list to Visa cards only", () => {
    expect(classifyFailure(makeFailure({ networkDeclineCode: "14", cardBrand: "mastercard" })).category).toBe("soft_retry");
    expect(classifyFailure(makeFailure({ networkDeclineCode: "05", cardBrand: "visa" })).category).toBe("soft_retry");
    expect(classifyFailure(makeFailure({ networkDeclineCode: "51", cardBrand: "visa" })).category).toBe("soft_retry");
  });

  it("maps Mastercard advice codes", () => {
    expect(classifyFailure(makeFailure({ cardBrand: "mastercard", networkAdviceCode: "03" }))).toMatchObject({ category: "terminal" });
    expect(classifyFailure(makeFailure({ cardBrand: "mastercard", networkAdviceCode: "21" }))).toMatchObject({ category: "terminal", subcategory: "revoked" });
    expect(classifyFailure(makeFailure({ cardBrand: "mastercard", networkAdviceCode: "01" })).category).toBe("hard_customer");
    expect(classifyFailure(makeFailure({ cardBrand: "mastercard", networkAdviceCode: "26" })).category).toBe("soft_retry");
  });

  it("keeps the most severe signal when several apply", () => {
    expect(classifyFailure(makeFailure({ declineCode: "stolen_card", networkDeclineCode: "14" })).subcategory).toBe("lost_or_stolen");
    expect(classifyFailure(makeFailure({ adviceCode: "do_not_try_again", networkDeclineCode: "43" })).subcategory).toBe("lost_or_stolen");
    expect(classifyFailure(makeFailure({ declineCode: "expired_card", adviceCode: "confirm_card_data" })).subcategory).toBe("expired_card");
  });
});

describe("decideNextAction: already paid", () => {
  it("stops when Shopify says the invoice is already paid, even with a new card", () => {
    for (const code of ["invoice_already_paid", "INVOICE_ALREADY_PAID"]) {
      const failure = { provider: "shopify" as const, errorCode: code, declineCode: null };
      const a = decideNextAction(makeInput({ failure }));
      expect(a.kind).toBe("stop");
      expect(a.reason).toMatch(/already paid/);
      const b = decideNextAction(makeInput({ failure, paymentMethodUpdatedAt: plus(T0, HOUR), now: plus(T0, 2 * HOUR) }));
      expect(b.kind).toBe("stop");
    }
  });
});

describe("decideNextAction: a new payment method", () => {
  const cases: Partial<FailureInput>[] = [
    { declineCode: "insufficient_funds" },
    { declineCode: "expired_card" },
    { declineCode: "stolen_card" },
    { declineCode: "fraudulent" },
    { declineCode: "do_not_try_again" },
    { declineCode: "authentication_required", errorCode: "authentication_required" },
    { declineCode: "brand_new_code" },
    { networkDeclineCode: "43" },
    { cardBrand: "mastercard", networkAdviceCode: "03" },
    { cardBrand: "mastercard", networkAdviceCode: "21" },
    { adviceCode: "do_not_try_again" },
  ];

  it.each(cases)("retries within a minute for %o", (failure) => {
    const now = plus(T0, 2 * HOUR);
    const a = decideNextAction(
      makeInput({
        failure,
        paymentMethodUpdatedAt: plus(T0, HOUR),
        paymentMethodFingerprint: "fp_new",
        now,
        recoupRetriesSoFar: 99,
        platformNextAttemptAt: plus(now, DAY),
        settings: { quietHours: { start: 0, end: 24 }, preferredLocalHours: [3, 4] },
      }),
    );
    const at = retryAt(a);
    expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime());
    expect(at.getTime() - now.getTime()).toBeLessThanOrEqual(MIN);
    expect(a.reason).toMatch(/within a minute/);
  });

  it("ignores a payment-method change at or before the failure", () => {
    for (const updated of [T0, plus(T0, -HOUR)]) {
      const now = plus(T0, 2 * DAY);
      const at = retryAt(decideNextAction(makeInput({ paymentMethodUpdatedAt: updated, now })));
      expect(at.getTime()).toBeGreaterThanOrEqual(now.getTime() + HOUR);
      expect(decideNextAction(makeInput({ failure: { declineCode: "expired_card" }, paymentMethodUpdatedAt: updated })).kind).toBe("email");
    }
  });

  it("does not treat the same card re-saved as new after a terminal decline", () => {
    const a = decideNextAction(
      makeInput({ failure: { networkDeclineCode: "14" }, paymentMethodUpdatedAt: plus(T0, HOUR), paymentMethodFingerprint: "fp_card", now: plus(T0, 2 * HOUR) }),
    );
    expect(a.kind).toBe("email");
  });

  it("retries the same card re-saved after a soft decline, within its network budget", () => {
    const now = plus(T0, 2 * HOUR);
    const base = { paymentMethodUpdatedAt: plus(T0, HOUR), paymentMethodFingerprint: "fp_card", now };
    const free = retryAt(decideNextAction(makeInput(base)));
    expect(free.getTime() - now.getTime()).toBeLessThanOrEqual(MIN);

    const full = attempts(20, plus(now, -10 * DAY), HOUR);
    const a = decideNextAction(makeInput({ ...base, cardAttempts: full, settings: { retryWindowDays: 60 } }));
    const at = retryAt(a);
    expect(at.getTime()).toBe(plus(now, -10 * DAY).getTime() + 30 * DAY);
    expect(a.reason).toMatch(/Visa/);
  });

  it("does not hold a different new card to the old card's budget", () => {
    const now = plus(T0, 2 * HOUR);
    const a = decideNextAction(
      makeInput({
        paymentMethodUpdatedAt: plus(T0, HOUR),
        paymentMethodFingerprint: "fp_new",
        now,
        cardAttempts: attempts(30, plus(now, -5 * DAY), HOUR),
      }),
    );
    expect(retryAt(a).getTime() - now.getTime()).toBeLessThanOrEqual(MIN);
  });
});

describe("decideNextAction: terminal declines never retry without a new card", () => {
  const terminal = DECLINE_CODES.filter((e) => e.category === "terminal" && (e.psp === "stripe" || e.psp === "shopify"));
  const failures: [string, Partial<FailureInput>][] = [
    ...terminal.map(
      (e) =>
        [
          `${e.psp}:${e.code}`,
          e.psp === "stripe" ? { declineCode: e.code } : { provider: "shopify" as const, errorCode: e.code, declineCode: null },
        ] as [string, Partial<FailureInput>],
    ),
    ...["04", "07", "12", "14", "15", "41", "43", "46", "57", "R0", "R1", "R3"].map(
      (code) => [`visa ${code}`, { networkDeclineCode: code }] as [string, Partial<FailureInput>],
    ),
    ["mc 03", { cardBrand: "mastercard", networkAdviceCode: "03" }],
    ["mc 21", { cardBrand: "mastercard", networkAdviceCode: "21" }],
    ["advice do_not_try_again", { adviceCode: "do_not_try_again" }],
  ];
  const situations: [string, InputOverrides][] = [
    ["first time", {}],
    ["after a request", { messages: [{ at: plus(T0, MIN), kind: "card_update_request" }], now: plus(T0, 3 * DAY) }],
    ["late in the window", { now: plus(T0, 15 * DAY), recoupRetriesSoFar: 3 }],
    ["same card re-saved", { paymentMethodUpdatedAt: plus(T0, HOUR), paymentMethodFingerprint: "fp_card", now: plus(T0, 2 * HOUR) }],
    ["Stripe attempt pending", { platformNextAttemptAt: plus(T0, 2 * DAY) }],
  ];

  it.each(failures)("%s", (_label, failure) => {
    for (const [situation, over] of situations) {
      const a = decideNextAction(makeInput({ ...over, failure }));
      expect(a.kind, `${situation}: ${a.reason}`).not.toBe("retry");
      expect(["email", "wait", "stop"]).toContain(a.kind);
    }
  });

  it.each(terminal.filter((e) => e.psp === "stripe").map((e) => [e.code, e] as const))(
    "stripe %s stops or asks for a new card as its subcategory says",
    (_code, entry) => {
      const a = decideNextAction(makeInput({ failure: { declineCode: entry.code } }));
      if (NO_CONTACT_SUBCATEGORIES.has(entry.subcategory)) {
        expect(a.kind).toBe("stop");
      } else {
        expect(a).toMatchObject({ kind: "email", template: "card_update_request" });
      }
    },
  );

  it("stops on fraud, stolen, lost and pickup codes without contacting the customer", () => {
    for (const failure of [
      { declineCode: "fraudulent" },
      { declineCode: "stolen_card" },
      { declineCode: "lost_card" },
      { declineCode: "pickup_card" },
      { networkDeclineCode: "43" },
      { networkDeclineCode: "04" },
      { provider: "shopify" as const, errorCode: "fraud_suspected", declineCode: null },
    ]) {
      expect(decideNextAction(makeInput({ failure })).kind, JSON.stringify(failure)).toBe("stop");
    }
  });

  it("asks once for a new card on other terminal codes, then waits without a deadline", () => {
    const first = decideNextAction(makeInput({ failure: { networkDeclineCode: "14" } }));
    expect(first).toMatchObject({ kind: "email", template: "card_update_request" });
    const second = decideNextAction(
      makeInput({ failure: { networkDeclineCode: "14" }, messages: [{ at: plus(T0, MIN), kind: "card_update_request" }], now: plus(T0, DAY) }),
    );
    expect(second).toMatchObject({ kind: "wait", until: null });
  });

  it("stops on Mastercard 03/21 when no new card arrived", () => {
    for (const mac of ["03", "21"]) {
      const a = decideNextAction(makeInput({ failure: { cardBrand: "mastercard", networkAdviceCode: mac } }));
      expect(a.kind).toBe("stop");
      expect(a.reason).toContain(`Mastercard advice ${mac}`);
    }
  });

  it("holds the same Mastercard card re-saved after 03/21 for 30 days", () => {
    const base: InputOverrides = {
      failure: { cardBrand: "mastercard", networkAdviceCode: "03" },
      paymentMethodUpdatedAt: plus(T0, 2 * HOUR),
      paymentMethodFingerprint: "fp_card",
      now: plus(T0, DAY),
    };
    expect(decideNextAction(makeInput(base)).kind).toBe("stop"); // 30 days and the margin > the 30-day window
    const a = decideNextAction(makeInput({ ...base, settings: { retryWindowDays: 45 } }));
    expect(retryAt(a).getTime()).toBe(T0.getTime() + 30 * DAY + MC_WINDOW_MARGIN_MS);
    expect(a.reason).toMatch(/30 days/);
  });
});

describe("decideNextAction: customer must act", () => {
  it("emails a card update request for expired or wrong card data", () => {
    for (const failure of [
      { declineCode: "expired_card" },
      { declineCode: null, errorCode: "expired_card" },
      { declineCode: "incorrect_number" },
      { declineCode: null, errorCode: "incorrect_cvc" },
      { adviceCode: "confirm_card_data" },
      { cardBrand: "mastercard" as const, networkAdviceCode: "01" },
      { provider: "shopify" as const, errorCode: "EXPIRED_PAYMENT_METHOD", declineCode: null },
    ]) {
      const now = plus(T0, 5 * MIN);
      const a = decideNextAction(makeInput({ failure, now }));
      expect(a, JSON.stringify(failure)).toMatchObject({ kind: "email", template: "card_update_request", at: now });
    }
  });

  it("emails an authentication request, never a blind retry", () => {
    for (const failure of [
      { errorCode: "authentication_required", declineCode: "authentication_required" },
      { errorCode: "authentication_required", declineCode: null },
      { provider: "shopify" as const, errorCode: "authentication_error", declineCode: null },
    ]) {
      expect(decideNextAction(makeInput({ failure }))).toMatchObject({ kind: "email", template: "authentication_request" });
    }
  });

  it("asks only once, then waits without a deadline", () => {
    const failure = { declineCode: "expired_card" };
    const sent = { at: plus(T0, MIN), kind: "card_update_request" as const };
    expect(decideNextAction(makeInput({ failure, messages: [sent], now: plus(T0, DAY) }))).toMatchObject({ kind: "wait", until: null });

    const auth = { errorCode: "authentication_required", declineCode: "authentication_required" };
    const authSent = { at: plus(T0, MIN), kind: "authentication_request" as const };
    // Asked: its one retry follows 30 hours after the decline; once that retry was made, only the customer can settle it.
    expect(decideNextAction(makeInput({ failure: auth, messages: [authSent] })).kind).toBe("retry");
    expect(decideNextAction(makeInput({ failure: auth, messages: [authSent], recoupRetriesSoFar: 1 }))).toMatchObject({ kind: "wait", until: null });
    // A card-update request does not count as an authentication request.
    expect(decideNextAction(makeInput({ failure: auth, messages: [sent] }))).toMatchObject({ kind: "email", template: "authentication_request" });
  });

  it("counts only requests for this recovery and this card", () => {
    const failure = { declineCode: "expired_card", failedAt: plus(T0, 5 * DAY) };
    const started = T0;
    const sequence = { at: plus(T0, HOUR), kind: "sequence" as const };
    const older = { at: plus(T0, -DAY), kind: "card_update_request" as const };
    expect(decideNextAction(makeInput({ failure, recoveryStartedAt: started, messages: [sequence, older] })).kind).toBe("email");
    // The customer changed card on day 2, that card failed on day 5: the day-1 request was about the old card.
    const day1 = { at: plus(T0, DAY), kind: "card_update_request" as const };
    const a = decideNextAction(makeInput({ failure, recoveryStartedAt: started, paymentMethodUpdatedAt: plus(T0, 2 * DAY), messages: [day1] }));
    expect(a.kind).toBe("email");
    const b = decideNextAction(makeInput({ failure, recoveryStartedAt: started, messages: [day1] }));
    expect(b.kind).toBe("wait");
  });

  it("emails even when the retry schedule is exhausted or Stripe has an attempt planned", () => {
    const a = decideNextAction(
      makeInput({ failure: { declineCode: "expired_card" }, recoupRetriesSoFar: 99, platformNextAttemptAt: plus(T0, DAY) }),
    );
    expect(a.kind).toBe("email");
  });
});

describe("decideNextAction: default schedule", () => {
  it("waits 20 hours, then 44, 68, 92 and 116 after the latest decline", () => {
    expect([...RETRY_GAPS_HOURS]).toEqual([20, 44, 68, 92, 116]);
    for (const [n, hours] of [[0, 20], [1, 44], [2, 68], [3, 92], [4, 116], [6, 116]] as const) {
      const latest = plus(T0, n * 3 * DAY);
      const a = decideNextAction(makeInput({ recoveryStartedAt: T0, failure: { failedAt: latest }, now: plus(latest, MIN), recoupRetriesSoFar: n }));
      expect(retryAt(a).getTime(), `retry #${n}`).toBe(latest.getTime() + hours * HOUR);
    }
  });

  it("spaces the next retry from the last one Recoup asked the merchant to make, which brings no decline back", () => {
    const asked = plus(T0, 4 * DAY);
    const a = decideNextAction(makeInput({ recoupRetriesSoFar: 1, lastRetryAt: asked, now: plus(asked, MIN) }));
    expect(retryAt(a).getTime()).toBe(asked.getTime() + 44 * HOUR);
  });

  it("never schedules earlier than an hour from now", () => {
    const a = decideNextAction(makeInput({ recoveryStartedAt: plus(T0, -10 * DAY), failure: { failedAt: plus(T0, -10 * DAY) }, now: T0 }));
    expect(retryAt(a).getTime()).toBe(T0.getTime() + HOUR);
  });

  it("explains the retry in one sentence", () => {
    const a = decideNextAction(makeInput({ settings: DEFAULT_RETRY_SETTINGS }));
    expect(a.reason).toMatch(/^Retrying .+: insufficient funds usually clear after payday.*\.$/);
    expect(a.reason).toContain("customer's time, UTC");
  });

  it("retries a bank or network outage within hours, at any hour, but not in quiet hours", () => {
    const night = iso("2025-03-03T01:00:00Z");
    const processing = decideNextAction(makeInput({ failure: { declineCode: "processing_error", failedAt: night }, settings: DEFAULT_RETRY_SETTINGS }));
    expect(retryAt(processing).toISOString()).toBe("2025-03-03T03:00:00.000Z");
    const issuer = decideNextAction(makeInput({ failure: { declineCode: "issuer_not_available", failedAt: night }, settings: DEFAULT_RETRY_SETTINGS }));
    expect(retryAt(issuer).toISOString()).toBe("2025-03-03T06:00:00.000Z");
    const quiet = decideNextAction(
      makeInput({ failure: { declineCode: "processing_error", failedAt: night }, settings: { ...DEFAULT_RETRY_SETTINGS, quietHours: { start: 22, end: 7 } } }),
    );
    expect(retryAt(quiet).toISOString()).toBe("2025-03-03T07:00:00.000Z");
    // The outage did not clear: the next retry is a normal one, a day and more later.
    const second = decideNextAction(makeInput({ failure: { declineCode: "processing_error" }, recoupRetriesSoFar: 1 }));
    expect(retryAt(second).getTime()).toBe(T0.getTime() + 44 * HOUR);
  });

  it("asks for authentication first, then retries once 30 hours later in case the bank lets it through", () => {
    const failure = { declineCode: null, errorCode: "authentication_required" };
    const first = decideNextAction(makeInput({ failure }));
    expect(first).toMatchObject({ kind: "email", template: "authentication_request" });
    const asked = [{ at: plus(T0, 2 * MIN), kind: "authentication_request" as const }];
    const then = decideNextAction(makeInput({ failure, messages: asked, now: plus(T0, 3 * MIN) }));
    expect(retryAt(then).getTime()).toBe(T0.getTime() + 30 * HOUR);
    expect(then.reason).toMatch(/asked to confirm the payment/);
    // That retry was declined too: only the customer can settle it now.
    const after = decideNextAction(makeInput({ failure: { ...failure, failedAt: plus(T0, 30 * HOUR) }, recoveryStartedAt: T0, messages: asked, recoupRetriesSoFar: 1, now: plus(T0, 31 * HOUR) }));
    expect(after.kind).toBe("wait");
  });
});

describe("decideNextAction: max retries and the retry window", () => {
  it("stops when Recoup's retries are used up", () => {
    const a = decideNextAction(makeInput({ recoupRetriesSoFar: 8 }));
    expect(a.kind).toBe("stop");
    expect(a.reason).toMatch(/exhausted/);
    expect(a.reason).toMatch(/dunning emails continue/);
    expect(decideNextAction(makeInput({ recoupRetriesSoFar: 7 })).kind).toBe("retry");
    expect(decideNextAction(makeInput({ recoupRetriesSoFar: 2, settings: { maxRetries: 2 } })).kind).toBe("stop");
    expect(decideNextAction(makeInput({ recoupRetriesSoFar: 0, settings: { maxRetries: 0 } })).kind).toBe("stop");
  });

  it("stops when the retry would fall after the window", () => {
    // Declined again on day 13: the next retry, 68 hours later, would be on day 15.8.
    const latest = plus(T0, 13 * DAY);
    const a = decideNextAction(makeInput({ failure: { failedAt: latest }, recoveryStartedAt: T0, now: plus(latest, MIN), recoupRetriesSoFar: 5, settings: { retryWindowDays: 14 } }));
    expect(a.kind).toBe("stop");
    expect(a.reason).toMatch(/14-day retry window/);
    expect(a.reason).toMatch(/exhausted/);
  });

  it("allows a retry exactly at the window's end, not after", () => {
    // Retry #6 (a 116-hour gap), declined on day 25 08:00: 116 hours later is the window's end, 30 days after the start (04:00).
    const latest = plus(T0, 25 * DAY + 8 * HOUR);
    const input = (retryWindowDays: number) =>
      makeInput({ failure: { failedAt: latest }, recoveryStartedAt: plus(T0, 4 * HOUR), now: plus(latest, MIN), recoupRetriesSoFar: 6, settings: { retryWindowDays } });
    expect(retryAt(decideNextAction(input(30))).getTime()).toBe(T0.getTime() + 30 * DAY + 4 * HOUR);
    expect(decideNextAction(input(29)).kind).toBe("stop");
  });

  it("stops when the window has passed", () => {
    expect(decideNextAction(makeInput({ now: plus(T0, 31 * DAY), recoupRetriesSoFar: 3 })).kind).toBe("stop");
  });
});

describe("decideNextAction: waits the issuer or network asks for", () => {
  // Retry #0 of a decline half an hour ago: the schedule would retry 20 hours after it, so a longer wait decides.
  const base = (failure: Partial<FailureInput>): InputOverrides => ({
    failure: { cardBrand: "mastercard", failedAt: plus(T0, -30 * MIN), ...failure },
    recoveryStartedAt: plus(T0, -2 * DAY),
    now: T0,
  });
  const failedAt = T0.getTime() - 30 * MIN;

  it.each([
    ["25", DAY],
    ["26", 2 * DAY],
    ["27", 4 * DAY],
    ["28", 6 * DAY],
    ["29", 8 * DAY],
    ["30", 10 * DAY],
  ] as const)("Mastercard advice %s waits as long as it says, and a safety margin more", (mac, wait) => {
    const a = decideNextAction(makeInput(base({ networkAdviceCode: mac })));
    expect(retryAt(a).getTime()).toBe(failedAt + wait + MC_WINDOW_MARGIN_MS);
    expect(a.reason).toContain(`advice ${mac}`);
  });

  it("Mastercard advice 24 waits at least an hour after the decline, and the margin", () => {
    // Advice 24's hour (and the margin) is shorter than the first 20-hour gap: the schedule decides.
    const at = retryAt(decideNextAction(makeInput(base({ networkAdviceCode: "24" }))));
    expect(at.getTime()).toBeGreaterThanOrEqual(failedAt + HOUR + MC_WINDOW_MARGIN_MS);
    expect(at.getTime()).toBe(failedAt + 20 * HOUR);
    // An outage's first retry comes 2 hours after the decline: just as soon as advice 24 and its margin allow.
    const outage = retryAt(decideNextAction(makeInput(base({ networkAdviceCode: "24", declineCode: "processing_error" }))));
    expect(outage.getTime()).toBe(failedAt + HOUR + MC_WINDOW_MARGIN_MS);
  });

  it("a Mastercard window stays kept when the decline's time reaches us rounded down to the second", () => {
    // The network timed the decline at .999 s; Stripe says .000: the margin covers the difference.
    const declinedAt = failedAt + 999;
    for (const [mac, wait] of [["24", HOUR], ["27", 4 * DAY], ["30", 10 * DAY]] as const) {
      const at = retryAt(decideNextAction(makeInput(base({ networkAdviceCode: mac }))));
      expect(at.getTime()).toBeGreaterThan(declinedAt + wait);
    }
  });

  it("try_again_later waits at least 24 hours", () => {
    for (const failure of [{ adviceCode: "try_again_later" }, { declineCode: "try_again_later" }, { declineCode: "card_decline_rate_limit_exceeded" }]) {
      expect(retryAt(decideNextAction(makeInput(base(failure)))).getTime(), JSON.stringify(failure)).toBe(failedAt + DAY);
    }
  });

  it("Mastercard advice 02 waits 72 hours, and the margin", () => {
    const a = decideNextAction(makeInput(base({ networkAdviceCode: "02" })));
    expect(retryAt(a).getTime()).toBe(failedAt + 3 * DAY + MC_WINDOW_MARGIN_MS);
    expect(a.reason).toContain("advice 02");
  });

  it("spaces unknown declines at least a day after the failure", () => {
    const a = decideNextAction(makeInput(base({ declineCode: "brand_new_code" })));
    expect(retryAt(a).getTime()).toBe(failedAt + DAY);
    expect(a.classification.category).toBe("unknown");
  });

  it("stops when the wait runs past the retry window", () => {
    // Advice 30 holds the retry until T0 + 10 days 30 min (10 days and the margin after the decline); the 30-day window ends at T0 + 8 days.
    const a = decideNextAction(makeInput({ ...base({ networkAdviceCode: "30" }), recoveryStartedAt: plus(T0, -22 * DAY), recoupRetriesSoFar: 3 }));
    expect(a.kind).toBe("stop");
  });
});

describe("decideNextAction: network retry budgets", () => {
  // Retry #0 of a recovery started 5 days ago, declined a day ago: the 20-hour gap is past, so the plan is now + 1 h.
  const now = plus(T0, MIN);
  const planned = now.getTime() + HOUR;
  const P = new Date(planned);
  const budget = (cardAttempts: AttemptRecord[], failure: Partial<FailureInput> = {}): NextAction =>
    decideNextAction(
      makeInput({
        failure: { failedAt: plus(T0, -DAY), ...failure },
        recoveryStartedAt: plus(T0, -5 * DAY),
        now,
        cardAttempts,
        settings: { retryWindowDays: 60 },
      }),
    );

  it("Visa: the 20th attempt in 30 days goes ahead", () => {
    expect(retryAt(budget(attempts(19, plus(P, -30 * DAY + HOUR), HOUR))).getTime()).toBe(planned);
  });

  it("Visa: the 21st waits until the oldest attempt leaves the 30-day window", () => {
    const a = budget(attempts(20, plus(P, -30 * DAY + HOUR), HOUR));
    expect(retryAt(a).getTime()).toBe(planned + HOUR);
    expect(a.reason).toMatch(/Visa's limit of 20 attempts/);
  });

  it("Visa: an attempt exactly 30 days old no longer counts", () => {
    const a = budget(attempts(20, plus(P, -30 * DAY), HOUR));
    expect(retryAt(a).getTime()).toBe(planned);
    expect(a.reason).not.toMatch(/limit/);
  });

  it("counts every source and successes, and attempts without a fingerprint, but not other cards", () => {
    const mixed = attempts(20, plus(P, -30 * DAY + HOUR), HOUR).map((a, i) => ({ ...a, succeeded: i % 2 === 0 }));
    expect(retryAt(budget(mixed)).getTime()).toBe(planned + HOUR);
    const unknownCard = attempts(20, plus(P, -30 * DAY + HOUR), HOUR, { cardFingerprint: null });
    expect(retryAt(budget(unknownCard)).getTime()).toBe(planned + HOUR);
    const otherCard = attempts(20, plus(P, -30 * DAY + HOUR), HOUR, { cardFingerprint: "fp_other" });
    expect(retryAt(budget(otherCard)).getTime()).toBe(planned);
  });

  it.each(["amex", "discover", "other", "unknown"] as const)("uses Visa's 20/30-day cap for %s", (cardBrand) => {
    expect(retryAt(budget(attempts(19, plus(P, -30 * DAY + HOUR), HOUR), { cardBrand })).getTime()).toBe(planned);
    expect(retryAt(budget(attempts(20, plus(P, -30 * DAY + HOUR), HOUR), { cardBrand })).getTime()).toBe(planned + HOUR);
  });

  it("Mastercard: the 10th decline in 24 hours goes ahead, the 11th waits", () => {
    const mc = { cardBrand: "mastercard" as const };
    expect(retryAt(budget(attempts(9, plus(P, -DAY + MIN), MIN), mc)).getTime()).toBe(planned);
    const a = budget(attempts(10, plus(P, -DAY + MIN), MIN), mc);
    expect(retryAt(a).getTime()).toBe(planned + MIN);
    expect(a.reason).toMatch(/10 declines per card in 24 hours/);
  });

  it("Mastercard: successful attempts are not declines", () => {
    const list = attempts(10, plus(P, -DAY + MIN), MIN).map((a, i) => ({ ...a, succeeded: i === 3 }));
    expect(retryAt(budget(list, { cardBrand: "mastercard" })).getTime()).toBe(planned);
  });

  it("Mastercard: the 35th same-amount attempt in 30 days goes ahead, the 36th waits", () => {
    const mc = { cardBrand: "mastercard" as const };
    const step = 20 * HOUR; // at most 2 in any 24 h, so only the 30-day rule binds
    expect(retryAt(budget(attempts(34, plus(P, -30 * DAY + step), step), mc)).getTime()).toBe(planned);
    const a = budget(attempts(35, plus(P, -30 * DAY + step), step), mc);
    expect(retryAt(a).getTime()).toBe(planned + step);
    expect(a.reason).toMatch(/35 attempts per card and amount/);
  });

  it("Mastercard: other amounts or currencies do not count toward the 35, and the Visa cap does not apply", () => {
    const mc = { cardBrand: "mastercard" as const };
    const step = 20 * HOUR;
    expect(retryAt(budget(attempts(35, plus(P, -30 * DAY + step), step, { amountMinor: 5000 }), mc)).getTime()).toBe(planned);
    expect(retryAt(budget(attempts(35, plus(P, -30 * DAY + step), step, { currency: "eur" }), mc)).getTime()).toBe(planned);
    expect(retryAt(budget(attempts(35, plus(P, -30 * DAY + step), step, { currency: "USD" }), mc)).getTime()).toBe(planned + step);
    expect(retryAt(budget(attempts(35, plus(P, -30 * DAY + step), step), { ...mc, currency: "USD" })).getTime()).toBe(planned + step);
    expect(retryAt(budget(attempts(25, plus(P, -30 * DAY + step), step), mc)).getTime()).toBe(planned);
  });

  it("moves a budget-delayed retry back into the customer's preferred hours", () => {
    // Plan: 20 hours after Monday's 10:00 decline is Tue 4 Mar 06:00 UTC, moved to 07:00; the oldest attempt
    // leaves the window at 15:00 that day, after the preferred hours: moved to 07:00 the next morning.
    const list = attempts(20, iso("2025-02-02T15:00:00Z"), HOUR);
    const a = decideNextAction(
      makeInput({
        recoveryStartedAt: plus(T0, -5 * DAY),
        now,
        cardAttempts: list,
        settings: { ...DEFAULT_RETRY_SETTINGS, paydayAware: false, retryWindowDays: 60 },
      }),
    );
    expect(retryAt(a).toISOString()).toBe("2025-03-05T07:00:00.000Z");
    expect(a.reason).toMatch(/Visa's limit of 20 attempts/);
  });

  it("stops when the budget frees up only after the retry window", () => {
    // Retry #4, declined 5 days ago: the 116-hour gap is past, so the plan is now + 1 h, inside the 30-day
    // window (it ends at T0 + 1 day); the oldest attempt leaves Visa's 30 days only at the plan + 1 day.
    const list = attempts(20, plus(P, -29 * DAY), HOUR);
    const late: InputOverrides = { failure: { failedAt: plus(T0, -5 * DAY) }, recoveryStartedAt: plus(T0, -29 * DAY), now, recoupRetriesSoFar: 4 };
    expect(retryAt(decideNextAction(makeInput(late))).getTime()).toBe(planned);
    const a = decideNextAction(makeInput({ ...late, cardAttempts: list }));
    expect(a.kind).toBe("stop");
    expect(a.reason).toMatch(/Visa's limit/);
    expect(a.reason).toMatch(/30-day retry window/);
  });
});

describe("decideNextAction: Stripe owns its scheduled attempt", () => {
  it("waits until two hours after Stripe's next attempt", () => {
    const next = plus(T0, 3 * DAY);
    const a = decideNextAction(makeInput({ platformNextAttemptAt: next }));
    expect(a).toMatchObject({ kind: "wait", until: plus(next, 2 * HOUR) });
    expect(a.reason).toMatch(/Stripe owns that attempt/);
  });

  it("names Shopify for Shopify recoveries", () => {
    const a = decideNextAction(makeInput({ failure: { provider: "shopify", errorCode: "insufficient_funds", declineCode: null }, platformNextAttemptAt: plus(T0, DAY) }));
    expect(a.kind).toBe("wait");
    expect(a.reason).toMatch(/Shopify/);
  });

  it("ignores a platform attempt that is not in the future", () => {
    const now = plus(T0, 2 * DAY);
    expect(decideNextAction(makeInput({ now, platformNextAttemptAt: plus(T0, DAY) })).kind).toBe("retry");
    expect(decideNextAction(makeInput({ now, platformNextAttemptAt: now })).kind).toBe("retry");
  });
});

describe("decideNextAction: time of day", () => {
  const defaults = { ...DEFAULT_RETRY_SETTINGS, paydayAware: false };

  it("retries between 07:00 and 10:00 Tokyo time for a customer in Tokyo", () => {
    // Declined Mon 19:00 in Tokyo; 20 hours later is Tue 15:00 there: moved to 07:00 the next Tokyo morning.
    const a = decideNextAction(makeInput({ failure: { customerTimezone: "Asia/Tokyo" }, settings: defaults }));
    const at = retryAt(a);
    expect(at.toISOString()).toBe("2025-03-04T22:00:00.000Z");
    expect(localHour(at, "Asia/Tokyo")).toBe(7);
    expect(a.reason).toContain("customer's time, Asia/Tokyo");
  });

  it("keeps a retry already inside the preferred hours", () => {
    // Declined Mon 12:30 in Tokyo: 20 hours later is Tue 08:30 there, already inside 07–10.
    const a = decideNextAction(makeInput({ failure: { customerTimezone: "Asia/Tokyo", failedAt: iso("2025-03-03T03:30:00Z") }, settings: defaults }));
    expect(retryAt(a).toISOString()).toBe("2025-03-03T23:30:00.000Z"); // 08:30 in Tokyo
  });

  it("holds local hours across a daylight-saving change", () => {
    // Declined 7 Mar 15:00 EST; retry #1 (+44 hours) lands at 12:00 EDT after the 9 Mar switch: moved to 07:00 EDT next day.
    const failedAt = iso("2025-03-07T20:00:00Z");
    const a = decideNextAction(makeInput({ failure: { customerTimezone: "America/New_York", failedAt }, recoupRetriesSoFar: 1, settings: defaults }));
    expect(retryAt(a).toISOString()).toBe("2025-03-10T11:00:00.000Z");
  });

  it("uses the workspace timezone when the customer's is unknown or invalid", () => {
    for (const customerTimezone of [null, "Not/AZone"]) {
      const a = decideNextAction(makeInput({ failure: { customerTimezone }, settings: { ...defaults, fallbackTimezone: "Asia/Tokyo" } }));
      expect(retryAt(a).toISOString()).toBe("2025-03-04T22:00:00.000Z"); // 07:00 in Tokyo, as above
      expect(a.reason).toContain("workspace time, Asia/Tokyo");
    }
  });

  it("falls back to UTC when both timezones are invalid", () => {
    const a = decideNextAction(makeInput({ failure: { customerTimezone: null }, settings: { ...defaults, fallbackTimezone: "Nowhere/Land" } }));
    expect(retryAt(a).toISOString()).toBe("2025-03-04T07:00:00.000Z"); // 06:00 UTC (+20 h) moved to 07:00, the start of 07–10
    expect(a.reason).toContain("workspace time, UTC");
  });

  it("supports preferred hours that wrap past midnight", () => {
    const a = decideNextAction(makeInput({ settings: { ...defaults, preferredLocalHours: [22, 2] } }));
    expect(retryAt(a).toISOString()).toBe("2025-03-04T22:00:00.000Z");
  });

  it("never charges inside quiet hours", () => {
    // Declined at 02:30 in Paris; 20 hours later is 22:30 there, which is quiet: moved to 08:00 Paris (07:00 UTC).
    const failedAt = iso("2025-03-03T01:30:00Z");
    const a = decideNextAction(
      makeInput({ failure: { customerTimezone: "Europe/Paris", failedAt }, settings: { quietHours: { start: 21, end: 8 } } }),
    );
    expect(retryAt(a).toISOString()).toBe("2025-03-04T07:00:00.000Z");
  });

  it("finds the hours that are both preferred and not quiet", () => {
    const failedAt = iso("2025-03-03T06:00:00Z");
    // 20 hours later is Tue 02:00 UTC; preferred 07–10, quiet 06–09: only 09:00–10:00 is both.
    const a = decideNextAction(makeInput({ failure: { failedAt }, settings: { ...defaults, quietHours: { start: 6, end: 9 } } }));
    expect(retryAt(a).toISOString()).toBe("2025-03-04T09:00:00.000Z");
  });

  it("lets quiet hours win when they cover all the preferred hours", () => {
    // 20 hours later is Tue 08:00 UTC, preferred but quiet (06–12): moved to the first hour that is not quiet.
    const failedAt = iso("2025-03-03T12:00:00Z");
    const a = decideNextAction(makeInput({ failure: { failedAt }, settings: { ...defaults, quietHours: { start: 6, end: 12 } } }));
    expect(retryAt(a).toISOString()).toBe("2025-03-04T12:00:00.000Z");
  });
});

describe("decideNextAction: paydays", () => {
  const shortOfMoney = (failedAt: string, over: InputOverrides = {}) =>
    decideNextAction(
      makeInput({
        ...over,
        failure: { failedAt: iso(failedAt), ...over.failure },
        now: plus(iso(failedAt), MIN),
        settings: { ...DEFAULT_RETRY_SETTINGS, ...over.settings },
      }),
    );

  it("retries an American customer short of money on Friday morning, their likeliest payday, in their time", () => {
    // Monday 10 March 2025, 09:00 in New York (EDT, UTC-4); Friday's pay has landed by 07:00.
    const a = shortOfMoney("2025-03-10T13:00:00Z", { failure: { customerTimezone: "America/New_York", customerCountry: "US" } });
    expect(retryAt(a).toISOString()).toBe("2025-03-14T11:00:00.000Z");
    expect(a.reason).toMatch(/Fri 14 Mar 07:00 \(customer's time, America\/New_York\)/);
    expect(a.reason).toMatch(/pay is most likely in/);
  });

  it("tries an earlier payday worth most of the likeliest one first: the 1st, then Friday", () => {
    // Failed on Friday 28 March 2025 (10:00 in Toronto): Tuesday 1 April pays the semi-monthly
    // payers, Friday 4 April more people; the Friday stays for the next retry.
    const a = shortOfMoney("2025-03-28T14:00:00Z", { failure: { customerTimezone: "America/Toronto", customerCountry: "CA" } });
    expect(retryAt(a).toISOString()).toBe("2025-04-01T11:00:00.000Z");
  });

  it("waits for a British customer's month-end pay rather than a Friday", () => {
    // Monday 24 March 2025; most of the UK is paid monthly, on the last working day (Mon 31, BST).
    const a = shortOfMoney("2025-03-24T10:00:00Z", { failure: { customerTimezone: "Europe/London", customerCountry: "GB" } });
    expect(retryAt(a).toISOString()).toBe("2025-03-31T06:00:00.000Z");
  });

  it("goes for the 5th in Brazil, where salaries are paid by then", () => {
    const a = shortOfMoney("2025-03-03T12:00:00Z", { failure: { customerTimezone: "America/Sao_Paulo", customerCountry: "BR" } });
    expect(retryAt(a).toISOString()).toBe("2025-03-05T10:00:00.000Z"); // 07:00 in São Paulo (UTC-3)
  });

  it("learns the customer's own payday from when their earlier failed payments were paid", () => {
    const us = { customerTimezone: "America/New_York", customerCountry: "US" };
    const without = shortOfMoney("2025-03-20T13:00:00Z", { failure: us });
    expect(retryAt(without).toISOString()).toBe("2025-03-21T11:00:00.000Z"); // Friday
    const paidOn25th = [iso("2024-12-25T15:00:00Z"), iso("2025-01-25T15:00:00Z"), iso("2025-02-25T14:00:00Z")];
    const own = shortOfMoney("2025-03-20T13:00:00Z", { failure: us, customerPaidAt: paidOn25th });
    expect(retryAt(own).toISOString()).toBe("2025-03-25T11:00:00.000Z");
    expect(own.reason).toMatch(/judged from 3 of their own payments/);
  });

  it("does not wait for a payday when payday awareness is off, nor for network errors", () => {
    const us = { customerTimezone: "America/New_York", customerCountry: "US" };
    expect(retryAt(shortOfMoney("2025-03-10T13:00:00Z", { failure: us, settings: { paydayAware: false } })).toISOString()).toBe("2025-03-11T11:00:00.000Z");
    const declined = shortOfMoney("2025-03-10T13:00:00Z", { failure: { ...us, declineCode: "card_velocity_exceeded" } });
    expect(retryAt(declined).toISOString()).toBe("2025-03-11T11:00:00.000Z");
  });
});

describe("decideNextAction: what the workspace's own retries taught", () => {
  // Enough decided retries for learning (learning.ts): 09:00 did far better than 07:00 and 08:00.
  function learned(over: { hourWins?: number; code?: string; codeSucceeds?: boolean } = {}) {
    const rows: RetryOutcome[] = [];
    for (let i = 0; rows.length < LEARNING_MIN_ATTEMPTS + 100; i++) {
      const hour = 7 + (i % 3);
      const day = 1 + (i % 28);
      rows.push({
        attemptedAt: new Date(Date.UTC(2025, 0, day, hour)),
        // i % 6 walks every hour and code together; i / 6 decides the outcome independently of both.
        succeeded: hour === (over.hourWins ?? 9) ? Math.floor(i / 6) % 2 === 0 : Math.floor(i / 6) % 10 === 0,
        declineCode: i % 2 === 0 ? (over.code ?? "do_not_honor") : "insufficient_funds",
      });
    }
    if (over.code && over.codeSucceeds === false) for (const r of rows) if (r.declineCode === over.code) r.succeeded = false;
    return learnRates(rows, () => "UTC");
  }

  it("retries at the hour that worked best for this workspace, inside the preferred hours", () => {
    const a = decideNextAction(makeInput({ failure: { declineCode: "card_velocity_exceeded" }, settings: { preferredLocalHours: [7, 10] }, learned: learned() }));
    expect(DateTime.fromJSDate(retryAt(a), { zone: "UTC" }).hour).toBe(9);
    const prior = decideNextAction(makeInput({ failure: { declineCode: "card_velocity_exceeded" }, settings: { preferredLocalHours: [7, 10] } }));
    expect(DateTime.fromJSDate(retryAt(prior), { zone: "UTC" }).hour).toBe(7);
  });

  it("stops retrying a decline code after which its own retries never succeed, saying why", () => {
    const rates = learned({ code: "do_not_honor", codeSucceeds: false });
    const early = decideNextAction(makeInput({ failure: { declineCode: "do_not_honor" }, learned: rates, recoupRetriesSoFar: 1 }));
    expect(early.kind).toBe("retry");
    const later = decideNextAction(makeInput({ failure: { declineCode: "do_not_honor" }, learned: rates, recoupRetriesSoFar: 2 }));
    expect(later.kind).toBe("stop");
    expect(later.reason).toMatch(/your own retries after "do_not_honor" succeeded \d\.\d % of the time \(\d+ tried, against \d+ % for all codes\)/);
    // Another code is retried as usual.
    expect(decideNextAction(makeInput({ learned: rates, recoupRetriesSoFar: 2 })).kind).toBe("retry");
  });
});

describe("decideNextAction: determinism and purity", () => {
  const scenarios: InputOverrides[] = [
    {},
    { failure: { customerTimezone: "Asia/Tokyo", cardBrand: "mastercard", networkAdviceCode: "26" }, settings: DEFAULT_RETRY_SETTINGS },
    { cardAttempts: attempts(25, plus(T0, -20 * DAY), HOUR), settings: { retryWindowDays: 60 } },
    { failure: { declineCode: "expired_card" } },
    { platformNextAttemptAt: plus(T0, DAY) },
    { paymentMethodUpdatedAt: plus(T0, HOUR), now: plus(T0, 2 * HOUR) },
  ];

  it("gives the same answer twice and leaves its input untouched", () => {
    for (const over of scenarios) {
      const input = makeInput(over);
      const before = structuredClone(input);
      const first = decideNextAction(input);
      const second = decideNextAction(input);
      expect(second).toEqual(first);
      expect(decideNextAction(structuredClone(input))).toEqual(first);
      expect(input).toEqual(before);
    }
  });

  it("does not read the clock", () => {
    const results = [iso("2020-01-01T00:00:00Z"), iso("2031-06-15T12:34:56Z")].map((system) => {
      vi.useFakeTimers();
      vi.setSystemTime(system);
      return scenarios.map((over) => decideNextAction(makeInput(over)));
    });
    expect(results[1]).toEqual(results[0]);
  });

  it("writes every reason as one sentence", () => {
    const inputs: InputOverrides[] = [
      ...scenarios,
      { recoupRetriesSoFar: 8 },
      { failure: { declineCode: "stolen_card" } },
      { failure: { cardBrand: "mastercard", networkAdviceCode: "21" } },
      { failure: { declineCode: "expired_card" }, messages: [{ at: plus(T0, MIN), kind: "card_update_request" }] },
      { failure: { provider: "shopify", errorCode: "payment_provider_is_not_enabled", declineCode: null } },
      { now: plus(T0, 31 * DAY), recoupRetriesSoFar: 3 },
    ];
    for (const over of inputs) {
      const { reason } = decideNextAction(makeInput(over));
      expect(reason).toMatch(/^[A-Z][^\n]*\.$/);
      expect(reason, reason).not.toMatch(/\.\s/);
    }
  });
});

describe("decideNextAction: properties over many clocks", () => {
  const configs: { zone: string; settings: Partial<RetrySettings> }[] = [
    { zone: "Asia/Tokyo", settings: { ...DEFAULT_RETRY_SETTINGS, quietHours: { start: 21, end: 8 } } },
    { zone: "America/New_York", settings: { ...DEFAULT_RETRY_SETTINGS, preferredLocalHours: [0, 24], quietHours: { start: 22, end: 7 } } },
    { zone: "Australia/Lord_Howe", settings: { ...DEFAULT_RETRY_SETTINGS, preferredLocalHours: [20, 2], quietHours: { start: 0, end: 6 } } },
    { zone: "Asia/Kathmandu", settings: { ...DEFAULT_RETRY_SETTINGS, preferredLocalHours: [9, 17], quietHours: { start: 12, end: 14 } } },
    { zone: "Europe/London", settings: { ...DEFAULT_RETRY_SETTINGS, quietHours: { start: 9, end: 10 } } },
  ];
  const failures: Partial<FailureInput>[] = [
    { declineCode: "insufficient_funds" },
    { declineCode: "processing_error" },
    { declineCode: "brand_new_code" },
    { cardBrand: "mastercard", networkAdviceCode: "25" },
    { adviceCode: "try_again_later" },
  ];
  const within = (hour: number, start: number, end: number) => (start < end ? hour >= start && hour < end : hour >= start || hour < end);

  it("never schedules a retry in the past, inside quiet hours, outside preferred hours (an outage's first retry aside) or after the window", () => {
    let retries = 0;
    let outages = 0;
    for (const { zone, settings } of configs) {
      for (let i = 0; i < 400; i++) {
        const now = plus(iso("2025-01-20T00:00:00Z"), i * 97 * MIN);
        const started = plus(now, -((i % 9) * DAY + (i % 5) * HOUR));
        const failure = { ...failures[i % failures.length], customerTimezone: zone, failedAt: plus(now, -((i % 3) * HOUR)) };
        const cardAttempts = i % 4 === 0 ? attempts(19 + (i % 3), plus(now, -29 * DAY), 7 * HOUR) : [];
        const input = makeInput({ failure, recoveryStartedAt: started, now, recoupRetriesSoFar: i % 7, cardAttempts, settings });
        const a = decideNextAction(input);
        expect(["retry", "stop"]).toContain(a.kind);
        if (a.kind !== "retry") continue;
        retries++;
        const hour = localHour(a.at, zone);
        const label = `${zone} now=${now.toISOString()} at=${a.at.toISOString()}`;
        // The first retry after a processing error is an outage's: 2 hours after the decline, at any hour
        // but a quiet one, and as soon as now when that is already past. Every other retry waits at least an
        // hour from now and keeps to the preferred hours.
        const outage = input.recoupRetriesSoFar === 0 && failure.declineCode === "processing_error";
        if (outage) {
          outages++;
          expect(a.at.getTime(), label).toBeGreaterThanOrEqual(Math.max(now.getTime(), failure.failedAt.getTime() + 2 * HOUR));
        } else {
          expect(a.at.getTime(), label).toBeGreaterThanOrEqual(now.getTime() + HOUR);
        }
        const quiet = input.settings.quietHours!;
        expect(within(hour, quiet.start, quiet.end), label).toBe(false);
        const [start, end] = input.settings.preferredLocalHours;
        if (!outage) expect(within(hour, start, end), label).toBe(true);
        expect(a.at.getTime(), label).toBeLessThanOrEqual(started.getTime() + input.settings.retryWindowDays * DAY);
      }
    }
    expect(retries).toBeGreaterThan(1000);
    expect(outages).toBeGreaterThan(0);
  });
});
