import { describe, expect, it } from "vitest";
import { parseMobile } from "./mobile";

describe("parseMobile: E.164, UK-first", () => {
  it("reads a national number as British", () => {
    expect(parseMobile("07911 123456")).toBe("+447911123456");
    expect(parseMobile("(07911) 123-456")).toBe("+447911123456");
  });

  it("keeps an international number's own country", () => {
    expect(parseMobile("+33 6 12 34 56 78")).toBe("+33612345678");
    expect(parseMobile("0044 7911 123456")).toBe("+447911123456");
    expect(parseMobile("+1 415 555 2671")).toBe("+14155552671");
  });

  it("refuses what is not a valid number", () => {
    expect(parseMobile("12345")).toBeNull();
    expect(parseMobile("not a phone")).toBeNull();
    expect(parseMobile("+44 7911")).toBeNull();
  });
});
