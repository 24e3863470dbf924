import { describe, it, expect } from "vitest";
import {
  DECLINE_CATEGORIES,
  DECLINE_CODES,
  DECLINE_PSPS,
  DECLINE_SUBCATEGORIES,
  EXPECTED_RECOVERY_RATES,
  NO_CONTACT_SUBCATEGORIES,
  classifyDecline,
  declineCodeVariations,
  declinePspOf,
  findDeclineCode,
  lookupDeclineCode,
  subcategoriesOf,
  type DeclineCategory,
  type DeclinePsp,
} from "./decline-codes";

// https://docs.stripe.com/declines/codes
const STRIPE_DECLINE_CODES = [
  "authentication_required", "approve_with_id", "call_issuer", "card_not_supported", "card_velocity_exceeded",
  "currency_not_supported", "do_not_honor", "do_not_try_again", "duplicate_transaction", "expired_card",
  "fraudulent", "generic_decline", "incorrect_number", "incorrect_cvc", "incorrect_pin", "incorrect_zip",
  "insufficient_funds", "invalid_account", "invalid_amount", "invalid_cvc", "invalid_expiry_month",
  "invalid_expiry_year", "invalid_number", "invalid_pin", "issuer_not_available", "lost_card",
  "merchant_blacklist", "new_account_information_available", "no_action_taken", "not_permitted",
  "offline_pin_required", "online_or_offline_pin_required", "pickup_card", "pin_try_exceeded",
  "processing_error", "reenter_transaction", "restricted_card", "revocation_of_all_authorizations",
  "revocation_of_authorization", "security_violation", "service_not_allowed", "stolen_card",
  "stop_payment_order", "testmode_decline", "transaction_not_allowed", "try_again_later",
  "withdrawal_count_limit_exceeded",
];
const STRIPE_ERROR_CODES = ["card_declined", "expired_card"];

const SHOPIFY_CODES = [
  "payment_method_declined", "insufficient_funds", "expired_payment_method", "payment_method_not_found",
  "invalid_payment_method", "authentication_error", "fraud_suspected", "payment_provider_is_not_enabled",
  "invalid_customer_billing_agreement", "customer_not_found", "customer_invalid", "unexpected_error",
  "transient_error", "buyer_canceled_payment_method", "invoice_already_paid", "inventory_allocations_not_found",
  "CARD_DECLINED", "DO_NOT_HONOR", "EXPIRED_CARD", "INSUFFICIENT_FUNDS", "TRANSIENT_ERROR", "INCORRECT_NUMBER",
  "INVALID_CVC", "PICK_UP_CARD", "CALL_ISSUER", "GENERIC_ERROR", "PROCESSING_ERROR", "FRAUD_SUSPECTED",
  "AUTHENTICATION_ERROR",
];

const ADYEN_CODES = [
  "Refused", "Not enough balance", "Expired Card", "Blocked Card", "Acquirer Error", "CVC Declined",
  "Issuer Unavailable", "Withdrawal amount exceeded", "Fraud", "Do Not Honor", "3D Not Authenticated",
];

const expectCategory = (psp: DeclinePsp, code: string, category: DeclineCategory, subcategory?: string) => {
  const entry = findDeclineCode(psp, code);
  expect(entry, `${psp}:${code}`).toBeDefined();
  expect(entry!.category, `${psp}:${code}`).toBe(category);
  if (subcategory) expect(entry!.subcategory, `${psp}:${code}`).toBe(subcategory);
};

describe("decline-codes catalogue: coverage", () => {
  it.each(STRIPE_DECLINE_CODES)("lists Stripe decline code %s", (code) => {
    expect(DECLINE_CODES.some((e) => e.psp === "stripe" && e.code === code)).toBe(true);
  });

  it.each(STRIPE_ERROR_CODES)("lists Stripe error code %s", (code) => {
    expect(findDeclineCode("stripe", code)?.code).toBe(code);
  });

  it.each(SHOPIFY_CODES)("lists Shopify code %s in its own spelling", (code) => {
    expect(DECLINE_CODES.some((e) => e.psp === "shopify" && e.code === code)).toBe(true);
  });

  it("lists every Shopify code in both spellings with the same category", () => {
    const shopify = DECLINE_CODES.filter((e) => e.psp === "shopify");
    for (const entry of shopify) {
      const twin = entry.code === entry.code.toLowerCase() ? entry.code.toUpperCase() : entry.code.toLowerCase();
      const other = shopify.find((e) => e.code === twin);
      expect(other, twin).toBeDefined();
      expect(other!.category).toBe(entry.category);
      expect(other!.subcategory).toBe(entry.subcategory);
    }
  });

  it.each(ADYEN_CODES)("lists Adyen refusal reason %s (case-insensitively)", (code) => {
    expect(findDeclineCode("adyen", code)).toBeDefined();
  });

  it("lists Braintree 2000-range and 3000 processor responses", () => {
    const codes = DECLINE_CODES.filter((e) => e.psp === "braintree").map((e) => Number(e.code));
    expect(codes.filter((c) => c >= 2000 && c <= 2099).length).toBeGreaterThanOrEqual(30);
    expect(codes).toContain(3000);
  });

  it("lists Checkout.com soft (20xxx) and hard (30xxx) response codes", () => {
    const codes = DECLINE_CODES.filter((e) => e.psp === "checkout").map((e) => e.code);
    for (const code of ["20005", "20051", "20054", "20014", "20087", "20059", "30004"]) expect(codes).toContain(code);
    expect(codes.filter((c) => c.startsWith("30")).length).toBeGreaterThanOrEqual(5);
  });

  it.each(["stripe", "shopify", "adyen", "braintree", "checkout"] as const)("has a few dozen entries for %s, whose failures Recoup reads itself", (psp) => {
    expect(DECLINE_CODES.filter((e) => e.psp === psp).length).toBeGreaterThanOrEqual(24);
  });

  it("has the common failures of every other PSP a subscription business meets: 268 codes across 13 PSPs, as LostChurn's reference promises", () => {
    expect(DECLINE_PSPS).toHaveLength(13);
    const distinct = new Set(DECLINE_CODES.map((e) => `${e.psp}:${e.code.toLowerCase()}`));
    expect(distinct.size).toBe(268);
    for (const psp of DECLINE_PSPS) {
      const entries = DECLINE_CODES.filter((e) => e.psp === psp);
      expect(entries.length, psp).toBeGreaterThanOrEqual(4);
      // A retry that may pass, a customer who must act, and one never to chase.
      for (const category of ["soft_retry", "hard_customer", "terminal"] as const) expect(entries.some((e) => e.category === category), `${psp} ${category}`).toBe(true);
    }
  });
});

describe("decline-codes catalogue: categories", () => {
  it("exports the four categories", () => {
    expect([...DECLINE_CATEGORIES]).toEqual(["soft_retry", "hard_customer", "terminal", "unknown"]);
  });

  it.each([
    ["expired_card", "hard_customer"],
    ["incorrect_number", "hard_customer"],
    ["incorrect_cvc", "hard_customer"],
    ["invalid_cvc", "hard_customer"],
    ["invalid_expiry_year", "hard_customer"],
    ["authentication_required", "hard_customer"],
    ["fraudulent", "terminal"],
    ["stolen_card", "terminal"],
    ["lost_card", "terminal"],
    ["pickup_card", "terminal"],
    ["do_not_try_again", "terminal"],
    ["revocation_of_authorization", "terminal"],
    ["revocation_of_all_authorizations", "terminal"],
    ["insufficient_funds", "soft_retry"],
    ["processing_error", "soft_retry"],
    ["issuer_not_available", "soft_retry"],
    ["try_again_later", "soft_retry"],
    ["generic_decline", "soft_retry"],
    ["do_not_honor", "soft_retry"],
    ["card_declined", "soft_retry"],
  ] as const)("stripe %s is %s", (code, category) => {
    expectCategory("stripe", code, category);
  });

  it("classifies authentication codes with the 'authentication' subcategory", () => {
    expectCategory("stripe", "authentication_required", "hard_customer", "authentication");
    expectCategory("shopify", "authentication_error", "hard_customer", "authentication");
    expectCategory("adyen", "3D Not Authenticated", "hard_customer", "authentication");
    expectCategory("braintree", "2099", "hard_customer", "authentication");
  });

  it("treats invoice_already_paid as terminal/already_paid in both spellings", () => {
    expectCategory("shopify", "invoice_already_paid", "terminal", "already_paid");
    expectCategory("shopify", "INVOICE_ALREADY_PAID", "terminal", "already_paid");
  });

  it.each([
    ["shopify", "insufficient_funds", "soft_retry"],
    ["shopify", "transient_error", "soft_retry"],
    ["shopify", "expired_payment_method", "hard_customer"],
    ["shopify", "fraud_suspected", "terminal"],
    ["shopify", "PICK_UP_CARD", "terminal"],
    ["shopify", "INCORRECT_NUMBER", "hard_customer"],
    ["shopify", "unexpected_error", "unknown"],
    ["adyen", "Not enough balance", "soft_retry"],
    ["adyen", "Expired Card", "hard_customer"],
    ["adyen", "Fraud", "terminal"],
    ["adyen", "Issuer Unavailable", "soft_retry"],
    ["adyen", "CVC Declined", "hard_customer"],
    ["braintree", "2001", "soft_retry"],
    ["braintree", "2004", "hard_customer"],
    ["braintree", "2046", "soft_retry"],
    ["braintree", "2038", "soft_retry"],
    ["braintree", "3000", "soft_retry"],
    ["braintree", "2013", "terminal"],
    ["checkout", "20051", "soft_retry"],
    ["checkout", "20054", "hard_customer"],
    ["checkout", "20059", "terminal"],
    ["checkout", "20087", "hard_customer"],
    ["checkout", "30004", "terminal"],
  ] as const)("%s %s is %s", (psp, code, category) => {
    expectCategory(psp, code, category);
  });

  it("keeps fraud, lost, stolen and pickup codes in no-contact terminal subcategories", () => {
    const dangerous = DECLINE_CODES.filter((e) => ["fraud", "lost_or_stolen", "pickup_card"].includes(e.subcategory));
    expect(dangerous.length).toBeGreaterThan(10);
    for (const e of dangerous) {
      expect(e.category, e.code).toBe("terminal");
      expect(NO_CONTACT_SUBCATEGORIES.has(e.subcategory)).toBe(true);
    }
  });

  it("never files a soft or unknown code under a no-contact subcategory", () => {
    for (const e of DECLINE_CODES) {
      if (NO_CONTACT_SUBCATEGORIES.has(e.subcategory)) expect(e.category, `${e.psp}:${e.code}`).toBe("terminal");
    }
  });
});

describe("decline-codes catalogue: shape", () => {
  it("has well-formed entries", () => {
    for (const e of DECLINE_CODES) {
      const id = `${e.psp}:${e.code}`;
      expect(DECLINE_PSPS, id).toContain(e.psp);
      expect(DECLINE_CATEGORIES, id).toContain(e.category);
      expect(DECLINE_SUBCATEGORIES, id).toContain(e.subcategory);
      expect(e.code.trim(), id).toBe(e.code);
      for (const text of [e.description, e.customerMessage, e.recommendedAction]) {
        expect(text.length, id).toBeGreaterThan(5);
        expect(text.endsWith("."), `${id}: ${text}`).toBe(true);
      }
    }
  });

  it("has no duplicate psp + code", () => {
    const keys = DECLINE_CODES.map((e) => `${e.psp}:${e.code}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("agrees with itself when codes differ only by case", () => {
    const byFolded = new Map<string, DeclineCategory>();
    for (const e of DECLINE_CODES) {
      const key = `${e.psp}:${e.code.toLowerCase()}`;
      const seen = byFolded.get(key);
      if (seen) expect(seen, key).toBe(e.category);
      byFolded.set(key, e.category);
    }
  });

  it("writes customer messages without jargon or blame", () => {
    const banned = [/issuer/i, /\bcvc\b/i, /\bcvv\b/i, /3d ?secure/i, /decline code/i, /acquirer/i, /fraud/i, /stolen/i, /\bavs\b/i, /your fault/i, /you failed/i, /mistake/i, /\bpsp\b/i];
    for (const e of DECLINE_CODES) {
      for (const re of banned) expect(re.test(e.customerMessage), `${e.psp}:${e.code}: ${e.customerMessage}`).toBe(false);
    }
  });

  it("is frozen", () => {
    expect(Object.isFrozen(DECLINE_CODES)).toBe(true);
    expect(Object.isFrozen(DECLINE_CODES[0])).toBe(true);
  });
});

describe("findDeclineCode", () => {
  it("is case-insensitive and trims", () => {
    expect(findDeclineCode("stripe", "INSUFFICIENT_FUNDS")?.code).toBe("insufficient_funds");
    expect(findDeclineCode("stripe", " Insufficient_Funds ")?.code).toBe("insufficient_funds");
    expect(findDeclineCode("adyen", "not ENOUGH balance")?.code).toBe("Not enough balance");
  });

  it("prefers the exact spelling when both exist", () => {
    expect(findDeclineCode("shopify", "INSUFFICIENT_FUNDS")?.code).toBe("INSUFFICIENT_FUNDS");
    expect(findDeclineCode("shopify", "insufficient_funds")?.code).toBe("insufficient_funds");
  });

  it("is scoped to the psp", () => {
    expect(findDeclineCode("adyen", "insufficient_funds")).toBeUndefined();
    expect(findDeclineCode("stripe", "20051")).toBeUndefined();
    expect(findDeclineCode("checkout", "20051")?.psp).toBe("checkout");
  });

  it("returns undefined for missing or unknown codes", () => {
    expect(findDeclineCode("stripe", null)).toBeUndefined();
    expect(findDeclineCode("stripe", undefined)).toBeUndefined();
    expect(findDeclineCode("stripe", "")).toBeUndefined();
    expect(findDeclineCode("stripe", "   ")).toBeUndefined();
    expect(findDeclineCode("stripe", "definitely_not_a_code")).toBeUndefined();
  });
});

describe("classifyDecline and the lookups around it", () => {
  it("answers psp + code with the catalogue's category and subcategory, and unknown/other for anything else", () => {
    expect(classifyDecline("stripe", "insufficient_funds")).toMatchObject({ category: "soft_retry", subcategory: "insufficient_funds" });
    expect(classifyDecline("braintree", "2004")).toMatchObject({ category: "hard_customer", subcategory: "expired_card" });
    expect(classifyDecline("checkout.com", "30041")).toMatchObject({ category: "terminal", subcategory: "lost_or_stolen" });
    expect(classifyDecline("stripe", "nope")).toEqual({ category: "unknown", subcategory: "other", entry: null });
    expect(classifyDecline("stripe", null)).toEqual({ category: "unknown", subcategory: "other", entry: null });
  });

  it("knows the PSPs by their other names and nothing else", () => {
    expect(declinePspOf("checkout_com")).toBe("checkout");
    expect(declinePspOf(" Adyen ")).toBe("adyen");
    expect(declinePspOf("woocommerce")).toBeNull();
    expect(declinePspOf(null)).toBeNull();
  });

  it("for a PSP outside the catalogue, takes a code where every PSP that knows it agrees", () => {
    expect(lookupDeclineCode("woocommerce", "insufficient_funds")?.category).toBe("soft_retry");
    expect(lookupDeclineCode("custom", "2004")).toMatchObject({ psp: "braintree", category: "hard_customer" });
    expect(lookupDeclineCode("custom", "no_such_code")).toBeUndefined();
    // Today no two PSPs file one code differently; if that changes, such a code is unknown off-catalogue.
    for (const e of DECLINE_CODES) {
      const agreed = declineCodeVariations(e.code).every((o) => o.category === e.category && o.subcategory === e.subcategory);
      expect(lookupDeclineCode("custom", e.code)?.category, e.code).toBe(agreed ? e.category : undefined);
    }
    // A catalogue PSP never borrows another's codes.
    expect(lookupDeclineCode("adyen", "insufficient_funds")).toBeUndefined();
  });

  it("lists one variation per PSP that has the code", () => {
    expect(declineCodeVariations("insufficient_funds").map((e) => e.psp)).toEqual(["stripe", "shopify", "gocardless", "mollie", "square", "razorpay"]);
    expect(declineCodeVariations("20051").map((e) => e.psp)).toEqual(["checkout"]);
    expect(declineCodeVariations("zzz")).toEqual([]);
  });

  it("gives each category an expected rate between 0 and 1, highest for soft declines, and its subcategories", () => {
    for (const c of DECLINE_CATEGORIES) expect(EXPECTED_RECOVERY_RATES[c]).toBeGreaterThan(0);
    expect(EXPECTED_RECOVERY_RATES.soft_retry).toBeGreaterThan(EXPECTED_RECOVERY_RATES.hard_customer);
    expect(EXPECTED_RECOVERY_RATES.hard_customer).toBeGreaterThan(EXPECTED_RECOVERY_RATES.terminal);
    expect(subcategoriesOf("soft_retry")).toContain("insufficient_funds");
    expect(subcategoriesOf("terminal")).toContain("fraud");
    expect(subcategoriesOf("soft_retry")).not.toContain("fraud");
  });
});
