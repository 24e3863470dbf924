import { describe, expect, it } from "vitest";
import { findUnstorable, jsonDepthExceeds, MAX_JSON_DEPTH } from "./storable-text";

const nested = (depth: number, open = "[", close = "]") => `${open.repeat(depth)}${close.repeat(depth)}`;

describe("jsonDepthExceeds", () => {
  it("allows exactly the depth the walk allows, and refuses one more level", () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    // The same bound as findUnstorable's, on the parsed value.
    expect(findUnstorable(JSON.parse(nested(MAX_JSON_DEPTH)))).toBeNull();
    expect(findUnstorable(JSON.parse(nested(MAX_JSON_DEPTH + 1)))?.reason).toBe("depth");
  });

  it("counts objects and arrays alike, and siblings do not add up", () => {
    const objects = `${'{"a":'.repeat(MAX_JSON_DEPTH + 1)}1${"}".repeat(MAX_JSON_DEPTH + 1)}`;
    expect(jsonDepthExceeds(objects)).toBe(true);
    const wide = `[${Array.from({ length: 10_000 }, () => nested(10)).join(",")}]`;
    expect(jsonDepthExceeds(wide)).toBe(false);
  });

  it("skips brackets inside strings, escaped quotes included", () => {
    const inString = JSON.stringify({ text: "[".repeat(10_000), quoted: `\\"${"{".repeat(500)}\\"` });
    expect(jsonDepthExceeds(inString)).toBe(false);
    expect(jsonDepthExceeds(`["\\\\", ${nested(MAX_JSON_DEPTH)}]`)).toBe(true);
  });

  it("scans a 100,000-level body without recursion and stops at the limit", () => {
    expect(jsonDepthExceeds(nested(100_000))).toBe(true);
    expect(jsonDepthExceeds("[".repeat(1_000_000))).toBe(true);
  });
});
