import { describe, expect, it } from "vitest";
import { decimalToMinor, minorToDecimal } from "./money";

describe("decimal amounts ⇄ minor units, exactly", () => {
  it("reads a decimal string in the currency's minor unit", () => {
    expect(decimalToMinor("40.00", "USD")).toBe(4000);
    expect(decimalToMinor("0.1", "EUR")).toBe(10);
    expect(decimalToMinor("19.99", "usd")).toBe(1999);
    expect(decimalToMinor("12", "USD")).toBe(1200);
    expect(decimalToMinor("1.50", "USD")).toBe(150);
    expect(decimalToMinor("1500", "JPY")).toBe(1500);
    // 0.29 * 100 is 28.999999999999996 as a float: never through one.
    expect(decimalToMinor("0.29", "USD")).toBe(29);
  });

  it("refuses what is not a plain amount in that currency", () => {
    for (const bad of ["1.234", "-1", "1e3", "abc", "", "1.", ".5", "1,50", "12.5.0"]) expect(decimalToMinor(bad, "USD"), bad).toBeNull();
    expect(decimalToMinor("1.5", "JPY")).toBeNull();
    expect(decimalToMinor("1.50", "JPY")).toBeNull();
  });

  it("writes minor units back with the currency's places", () => {
    expect(minorToDecimal(4000, "USD")).toBe("40.00");
    expect(minorToDecimal(5, "EUR")).toBe("0.05");
    expect(minorToDecimal(0, "USD")).toBe("0.00");
    expect(minorToDecimal(1500, "JPY")).toBe("1500");
    expect(minorToDecimal(1234, "KWD")).toBe("1.234");
  });
});
