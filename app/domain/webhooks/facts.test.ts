import { describe, expect, it } from "vitest";
import { failureCodeOf, paymentMethodOf } from "./facts";
import { DISABLE_AFTER_MS, MAX_ATTEMPTS, nextAttemptAt, RETRY_DELAYS_MS, shouldDisable } from "./schedule";
import { FAILURE_CODES } from "./schemas";

describe("failureCodeOf: a provider's decline code in Flow Arc's words", () => {
  it.each([
    ["stripe", "insufficient_funds", "insufficient_funds"],
    ["stripe", "expired_card", "card_expired"],
    ["stripe", "incorrect_cvc", "incorrect_cvc"],
    ["stripe", "invalid_cvc", "incorrect_cvc"],
    ["stripe", "do_not_honor", "do_not_honor"],
    ["stripe", "fraudulent", "fraud_suspected"],
    ["stripe", "stolen_card", "fraud_suspected"],
    ["stripe", "authentication_required", "authentication_required"],
    ["stripe", "processing_error", "processing_error"],
    ["stripe", "card_velocity_exceeded", "card_declined"],
    ["adyen", "Expired Card", "card_expired"],
    // A PSP the catalogue does not know: the words of its code.
    ["acme_pay", "CVV_MISMATCH", "incorrect_cvc"],
    ["acme_pay", "nsf", "insufficient_funds"],
    ["acme_pay", "declined_by_bank", "card_declined"],
    ["acme_pay", "zz_42", "unknown"],
  ])("%s %s → %s", (provider, declineCode, expected) => {
    expect(failureCodeOf({ provider, declineCode })).toBe(expected);
  });

  it("is unknown without a code, and falls back to the error code", () => {
    expect(failureCodeOf({ provider: "stripe", declineCode: null })).toBe("unknown");
    expect(failureCodeOf({ provider: "stripe", declineCode: null, errorCode: "authentication_required" })).toBe("authentication_required");
  });

  it("answers only Flow Arc's codes", () => {
    for (const code of ["generic_decline", "lost_card", "pickup_card", "try_again_later", "withdrawal_count_limit_exceeded", "", "   "]) {
      expect(FAILURE_CODES).toContain(failureCodeOf({ provider: "stripe", declineCode: code }));
    }
  });
});

describe("paymentMethodOf", () => {
  it("is a card when the failure names one, else what the provider takes", () => {
    expect(paymentMethodOf({ provider: "custom", cardLast4: "4242" })).toBe("card");
    expect(paymentMethodOf({ provider: "custom", cardBrand: "unknown" })).toBe("other");
    expect(paymentMethodOf({ provider: "stripe" })).toBe("card");
    expect(paymentMethodOf({ provider: "GoCardless" })).toBe("direct_debit");
    expect(paymentMethodOf({ provider: "paypal" })).toBe("wallet");
    expect(paymentMethodOf({ provider: null })).toBe("other");
  });
});

describe("the retry schedule", () => {
  it("backs off exponentially over about three days, ten attempts in all", () => {
    expect(MAX_ATTEMPTS).toBe(10);
    for (let i = 1; i < RETRY_DELAYS_MS.length; i++) expect(RETRY_DELAYS_MS[i]!).toBeGreaterThanOrEqual(RETRY_DELAYS_MS[i - 1]!);
    const total = RETRY_DELAYS_MS.reduce((s, d) => s + d, 0);
    expect(total / 3_600_000).toBeCloseTo(70.6, 1);
    const at = new Date("2026-12-10T00:00:00Z");
    expect(nextAttemptAt(1, at)).toEqual(new Date("2026-12-10T00:01:00Z"));
    expect(nextAttemptAt(9, at)).toEqual(new Date("2026-12-11T00:00:00Z"));
    expect(nextAttemptAt(10, at)).toBeNull();
  });

  it("disables after three days of nothing but failures", () => {
    const at = new Date("2026-12-10T00:00:00Z");
    expect(shouldDisable({ failingSince: null, at })).toBe(false);
    expect(shouldDisable({ failingSince: new Date(at.getTime() - DISABLE_AFTER_MS + 1), at })).toBe(false);
    expect(shouldDisable({ failingSince: new Date(at.getTime() - DISABLE_AFTER_MS), at })).toBe(true);
  });
});
