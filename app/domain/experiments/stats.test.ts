import { describe, expect, it } from "vitest";
import { differenceOfMeans, differenceOfShares, meanInterval, twoProportionPValue, wilson } from "./stats";

// Reference values: Newcombe (1998), "Interval estimation for the difference between independent
// proportions", Statistics in Medicine 17: the worked examples of method 10 (56/70 − 48/80) and
// Wilson's interval for 81/263 from Newcombe's companion paper on single proportions.
describe("intervals", () => {
  it("Wilson's interval of a share matches the published example", () => {
    const w = wilson(81, 263);
    expect(w.low).toBeCloseTo(0.2553, 3);
    expect(w.high).toBeCloseTo(0.3662, 3);
    expect(wilson(0, 0)).toEqual({ low: 0, high: 1 });
    expect(wilson(0, 10).low).toBe(0);
  });

  it("Newcombe's hybrid score interval of a difference matches the published example", () => {
    const d = differenceOfShares(56, 70, 48, 80);
    expect(d.estimate).toBeCloseTo(0.2, 4);
    expect(d.low).toBeCloseTo(0.0524, 2);
    expect(d.high).toBeCloseTo(0.3339, 2);
  });

  it("a mean's interval, and a difference of means", () => {
    expect(meanInterval([1, 2, 3, 4, 5])).toEqual({ estimate: 3, low: 1.61, high: 4.39 });
    const d = differenceOfMeans([10, 12, 14, 16], [1, 2, 3, 4]);
    expect(d.estimate).toBe(10.5);
    expect(d.low).toBeGreaterThan(7);
    expect(d.high).toBeLessThan(14);
  });
});

describe("two-proportion z test", () => {
  it("small p-values stay precise (12/60 against 36/60: z ≈ 4.47, p ≈ 7.7e-6); equal shares give 1", () => {
    expect(twoProportionPValue(36, 60, 12, 60)).toBeGreaterThan(5e-6);
    expect(twoProportionPValue(36, 60, 12, 60)).toBeLessThan(1e-5);
    expect(twoProportionPValue(30, 100, 30, 100)).toBeCloseTo(1, 6);
    // 45/100 against 30/100: z ≈ 2.19, p ≈ 0.028.
    expect(twoProportionPValue(45, 100, 30, 100)).toBeCloseTo(0.0285, 3);
    expect(twoProportionPValue(1, 0, 1, 10)).toBe(1);
  });
});
