import { describe, expect, it } from "vitest";
import { csvCell, csvDate, csvMoney, csvRow } from "./csv";
import { csvStream, keysetBatches } from "./stream.server";

describe("CSV cells", () => {
  it("quotes per RFC 4180 only what needs it, doubling quotes", () => {
    expect(csvRow(["plain", 'say "hi"', "a,b", "two\nlines", "cr\r", null, undefined, 42, true])).toBe('plain,"say ""hi""","a,b","two\nlines","cr\r",,,42,true\r\n');
  });

  it("keeps text from starting a formula, but not our own numbers", () => {
    for (const text of ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"]) expect(csvCell(text).replace(/^"/, "")).toMatch(/^'/);
    expect(csvCell("=HYPERLINK(\"x\")")).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell("a=1")).toBe("a=1");
    expect(csvCell(-5)).toBe("-5");
    expect(csvCell({ number: "-12.50" })).toBe("-12.50");
  });

  it("writes money in the currency's exponent and dates with the zone's offset", () => {
    expect(csvMoney(123456, "usd")).toEqual({ number: "1234.56" });
    expect(csvMoney(1500, "JPY")).toEqual({ number: "1500" });
    expect(csvMoney(1234, "kwd")).toEqual({ number: "1.234" });
    expect(csvMoney(null, "usd")).toBeNull();
    expect(csvDate(new Date("2026-07-01T12:00:00Z"), "Europe/Paris")).toBe("2026-07-01T14:00:00+02:00");
    expect(csvDate(new Date("2026-07-01T12:00:00Z"), "Not/AZone")).toBe("2026-07-01T12:00:00Z");
    expect(csvDate(null, "UTC")).toBeNull();
  });
});

describe("CSV streams", () => {
  it("reads a batch only when the reader asks, and stops when it goes away", async () => {
    const asked: Array<number | null> = [];
    const batches = keysetBatches<number>({
      size: 2,
      fetch: async (after, size) => {
        asked.push(after);
        const start = (after ?? 0) + 1;
        return Array.from({ length: size }, (_, i) => start + i);
      },
      toCells: (n) => [n],
    });
    const reader = csvStream({ header: ["n"], batches }).getReader();
    const decode = (v: Uint8Array | undefined) => new TextDecoder("utf-8", { ignoreBOM: true }).decode(v);
    expect(decode((await reader.read()).value)).toBe("\uFEFFn\r\n");
    expect(asked).toEqual([]);
    expect(decode((await reader.read()).value)).toBe("1\r\n2\r\n");
    expect(decode((await reader.read()).value)).toBe("3\r\n4\r\n");
    await reader.cancel();
    expect(asked).toEqual([null, 2]);
  });

  it("ends on a short batch", async () => {
    const rows = [1, 2, 3];
    const batches = keysetBatches<number>({ size: 2, fetch: async (after) => rows.filter((n) => n > (after ?? 0)).slice(0, 2), toCells: (n) => [n] });
    const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(await new Response(csvStream({ header: ["n"], batches })).arrayBuffer());
    expect(text).toBe("\uFEFFn\r\n1\r\n2\r\n3\r\n");
  });
});
