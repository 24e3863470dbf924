import { describe, expect, it } from "vitest";
import { decimalToMinor, shopifyCardBrand } from "./admin.server";

describe("decimalToMinor", () => {
  it("converts Shopify's Decimal strings exactly, with the currency's exponent", () => {
    expect(decimalToMinor("49.90", "USD")).toBe(4990);
    expect(decimalToMinor("49.9", "usd")).toBe(4990);
    expect(decimalToMinor("10.0", "EUR")).toBe(1000);
    expect(decimalToMinor("0.07", "GBP")).toBe(7);
    expect(decimalToMinor("1500.0", "JPY")).toBe(1500);
    expect(decimalToMinor("12.345", "KWD")).toBe(12345);
    expect(decimalToMinor("19", "USD")).toBe(1900);
    // 0.1 + 0.2 in floating point is not 0.3; strings are.
    expect(decimalToMinor("1234567.89", "USD")).toBe(123456789);
  });

  it("rounds half up past the exponent, and refuses what is not a decimal", () => {
    expect(decimalToMinor("1.005", "USD")).toBe(101);
    expect(decimalToMinor("1.004", "USD")).toBe(100);
    expect(() => decimalToMinor("12,50", "EUR")).toThrow(/Not a decimal/);
  });
});

describe("shopifyCardBrand", () => {
  it("maps Shopify's spellings onto the policy's brands", () => {
    expect(shopifyCardBrand("visa")).toBe("visa");
    expect(shopifyCardBrand("Visa")).toBe("visa");
    expect(shopifyCardBrand("master")).toBe("mastercard");
    expect(shopifyCardBrand("american_express")).toBe("amex");
    expect(shopifyCardBrand("American Express")).toBe("amex");
    expect(shopifyCardBrand("jcb")).toBe("other");
    expect(shopifyCardBrand(null)).toBe("unknown");
  });
});
