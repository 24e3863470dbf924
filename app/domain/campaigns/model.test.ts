import { describe, expect, it } from "vitest";
import { byPrecedence, CampaignFiltersSchema, chooseCampaign, claims, filterMiss, segmentsOf, specificity, storedFilters, type CampaignCandidate, type EnrollmentFacts } from "./model";

const facts = (over: Partial<EnrollmentFacts> = {}): EnrollmentFacts => ({
  provider: "stripe",
  amountMinor: 2500,
  currency: "usd",
  category: "soft_retry",
  subcategory: "insufficient_funds",
  declineCode: "insufficient_funds",
  planId: "price_pro",
  priorFailures: 0,
  customerSince: new Date("2025-01-01T00:00:00Z"),
  failedAt: new Date("2026-11-01T00:00:00Z"),
  ...over,
});

let n = 0;
const campaign = (over: Partial<CampaignCandidate> = {}): CampaignCandidate => ({
  id: `c${++n}`,
  name: `Campaign ${n}`,
  status: "active",
  trigger: "payment_failed",
  filters: {},
  priority: 100,
  updatedAt: new Date("2026-10-01T00:00:00Z"),
  stepCount: 2,
  ...over,
});

describe("triggers", () => {
  it("payment_failed and any_decline take every failure; soft_decline only soft ones; card_expired only expired cards", () => {
    const hard = facts({ category: "hard_customer", subcategory: "expired_card", declineCode: "expired_card" });
    expect(claims(campaign({ trigger: "payment_failed" }), hard)).toBe(true);
    expect(claims(campaign({ trigger: "any_decline" }), hard)).toBe(true);
    expect(claims(campaign({ trigger: "soft_decline" }), facts())).toBe(true);
    expect(claims(campaign({ trigger: "soft_decline" }), hard)).toBe(false);
    expect(claims(campaign({ trigger: "card_expired" }), hard)).toBe(true);
    expect(claims(campaign({ trigger: "card_expired" }), facts())).toBe(false);
  });

  it("repeated_failure needs an earlier failure; high_value_churn 100 major units in the payment's currency", () => {
    expect(claims(campaign({ trigger: "repeated_failure" }), facts())).toBe(false);
    expect(claims(campaign({ trigger: "repeated_failure" }), facts({ priorFailures: 1 }))).toBe(true);
    expect(claims(campaign({ trigger: "high_value_churn" }), facts({ amountMinor: 9_999 }))).toBe(false);
    expect(claims(campaign({ trigger: "high_value_churn" }), facts({ amountMinor: 10_000 }))).toBe(true);
    // JPY has no minor unit: ¥100 is high value, ¥99 is not.
    expect(claims(campaign({ trigger: "high_value_churn" }), facts({ currency: "jpy", amountMinor: 100 }))).toBe(true);
    expect(claims(campaign({ trigger: "high_value_churn" }), facts({ currency: "jpy", amountMinor: 99 }))).toBe(false);
  });

  it("manual, card_expiring and pre_dunning never claim a failed payment", () => {
    for (const trigger of ["manual", "card_expiring", "pre_dunning"]) expect(claims(campaign({ trigger }), facts())).toBe(false);
  });
});

describe("filters", () => {
  it("each filter refuses what it should, and names itself", () => {
    expect(filterMiss({ min_amount_cents: 3000 }, facts())).toBe("min_amount_cents");
    expect(filterMiss({ max_amount_cents: 2000 }, facts())).toBe("max_amount_cents");
    expect(filterMiss({ min_amount_cents: 2500, max_amount_cents: 2500 }, facts())).toBeNull();
    expect(filterMiss({ currencies: ["eur"] }, facts())).toBe("currencies");
    expect(filterMiss({ decline_categories: ["hard_customer", "terminal"] }, facts())).toBe("decline_categories");
    expect(filterMiss({ decline_codes: ["INSUFFICIENT_FUNDS"] }, facts())).toBeNull();
    expect(filterMiss({ decline_codes: ["do_not_honor"] }, facts())).toBe("decline_codes");
    expect(filterMiss({ decline_codes: ["x"] }, facts({ declineCode: null }))).toBe("decline_codes");
    expect(filterMiss({ psps: ["Stripe"] }, facts())).toBeNull();
    expect(filterMiss({ psps: ["adyen"] }, facts())).toBe("psps");
    expect(filterMiss({ plans: ["price_pro"] }, facts())).toBeNull();
    expect(filterMiss({ plans: ["price_pro"] }, facts({ planId: null }))).toBe("plans");
    expect(filterMiss({ customer_segments: ["new"] }, facts())).toBe("customer_segments");
    expect(filterMiss({ customer_segments: ["established"] }, facts())).toBeNull();
  });

  it("segments: new within 60 days of the first payment (or unknown), high value, repeat failure", () => {
    expect(segmentsOf(facts())).toEqual(["established"]);
    expect(segmentsOf(facts({ customerSince: null }))).toEqual(["new"]);
    expect(segmentsOf(facts({ customerSince: new Date("2026-10-01T00:00:00Z"), amountMinor: 20_000, priorFailures: 2 }))).toEqual(["new", "high_value", "repeat_failure"]);
  });

  it("the schema takes ISO codes in any case, refuses unknown fields and an empty range", () => {
    expect(CampaignFiltersSchema.parse({ currencies: ["USD"] })).toEqual({ currencies: ["usd"] });
    expect(CampaignFiltersSchema.safeParse({ colour: "red" }).success).toBe(false);
    expect(CampaignFiltersSchema.safeParse({ currencies: ["dollars"] }).success).toBe(false);
    expect(CampaignFiltersSchema.safeParse({ min_amount_cents: 10, max_amount_cents: 5 }).success).toBe(false);
    expect(storedFilters({ colour: "red" })).toEqual({});
  });
});

describe("precedence", () => {
  it("the lower priority number wins; then the more specific; then the one updated last", () => {
    const broadNew = campaign({ updatedAt: new Date("2026-10-05T00:00:00Z") });
    const broadOld = campaign({ updatedAt: new Date("2026-09-01T00:00:00Z") });
    const soft = campaign({ trigger: "soft_decline", updatedAt: new Date("2026-08-01T00:00:00Z") });
    const softUsd = campaign({ trigger: "soft_decline", filters: { currencies: ["usd"] }, updatedAt: new Date("2026-07-01T00:00:00Z") });
    const urgent = campaign({ priority: 10, updatedAt: new Date("2026-01-01T00:00:00Z") });
    expect(specificity(broadNew)).toBe(0);
    expect(specificity(softUsd)).toBe(2);
    expect([broadOld, soft, urgent, broadNew, softUsd].sort(byPrecedence).map((c) => c.id)).toEqual([urgent.id, softUsd.id, soft.id, broadNew.id, broadOld.id]);
    expect(chooseCampaign([broadOld, broadNew, soft], facts())?.id).toBe(soft.id);
    expect(chooseCampaign([broadOld, broadNew, soft], facts({ category: "hard_customer", subcategory: "lost_or_stolen" }))?.id).toBe(broadNew.id);
  });

  it("only active campaigns with steps enroll", () => {
    expect(chooseCampaign([campaign({ status: "paused" }), campaign({ status: "draft" }), campaign({ stepCount: 0 })], facts())).toBeNull();
  });
});
