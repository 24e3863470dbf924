import { describe, expect, it } from "vitest";
import { parseShopifyRetryKey, shopifyRetryKey } from "~/providers/shopify/keys";
import { isNewPaymentMethod, paymentMethodVersion } from "./billing.server";

const card = (id: string, lastDigits: string, expiryMonth: number, expiryYear: number) => ({
  id,
  revokedAt: null,
  instrument: { type: "CustomerCreditCard", brand: "visa" as const, lastDigits, expiryMonth, expiryYear },
});

describe("our billing attempts' idempotency keys", () => {
  it("map back to the recovery and attempt number, and only ours do", () => {
    expect(parseShopifyRetryKey(shopifyRetryKey("cmabc123", 2))).toEqual({ recoveryId: "cmabc123", attemptNumber: 2 });
    expect(parseShopifyRetryKey("recoup-retry-cmabc123-2")).toBeNull(); // Stripe's key
    expect(parseShopifyRetryKey("subscription-app-9000")).toBeNull();
    expect(parseShopifyRetryKey(null)).toBeNull();
  });
});

describe("isNewPaymentMethod", () => {
  const failedWith = { cardFingerprint: "gid://shopify/CustomerPaymentMethod/a", cardLast4: "4242" };
  const known = paymentMethodVersion(card("gid://shopify/CustomerPaymentMethod/a", "4242", 1, 2026));

  it("is another vaulted method", () => {
    expect(isNewPaymentMethod(failedWith, known, card("gid://shopify/CustomerPaymentMethod/b", "4242", 1, 2026))).toBe(true);
  });

  it("is the same method updated in place: other expiry or other digits", () => {
    expect(isNewPaymentMethod(failedWith, known, card("gid://shopify/CustomerPaymentMethod/a", "4242", 1, 2030))).toBe(true);
    expect(isNewPaymentMethod(failedWith, known, card("gid://shopify/CustomerPaymentMethod/a", "0005", 1, 2026))).toBe(true);
  });

  it("is not the same card unchanged, a revoked method, or none", () => {
    expect(isNewPaymentMethod(failedWith, known, card("gid://shopify/CustomerPaymentMethod/a", "4242", 1, 2026))).toBe(false);
    expect(isNewPaymentMethod(failedWith, known, { ...card("gid://shopify/CustomerPaymentMethod/b", "1111", 1, 2030), revokedAt: "2026-11-01T00:00:00Z" })).toBe(false);
    expect(isNewPaymentMethod(failedWith, known, null)).toBe(false);
  });

  it("without a known version of that method, compares the last digits", () => {
    const other = paymentMethodVersion(card("gid://shopify/CustomerPaymentMethod/z", "9999", 1, 2026));
    expect(isNewPaymentMethod(failedWith, other, card("gid://shopify/CustomerPaymentMethod/a", "4242", 5, 2031))).toBe(false);
    expect(isNewPaymentMethod(failedWith, null, card("gid://shopify/CustomerPaymentMethod/a", "0005", 5, 2031))).toBe(true);
  });
});
