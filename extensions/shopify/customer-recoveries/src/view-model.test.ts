import { describe, expect, it } from "vitest";
import {
  ALL_OPEN_HREF,
  blockStateOf,
  EMPTY_MESSAGE,
  errorMessage,
  money,
  nextStepOf,
  parseResponse,
  recoveriesPath,
  recoveryHref,
  rowOf,
  statusOf,
} from "./view-model";
import { recoveryItem as item } from "../../test/fixtures";

describe("money", () => {
  it("formats USD minor units with two decimals", () => {
    expect(money(2500, "usd")).toBe("$25.00");
    expect(money(1, "USD")).toBe("$0.01");
    expect(money(123456789, "usd")).toBe("$1,234,567.89");
    expect(money(0, "usd")).toBe("$0.00");
  });

  it("formats JPY minor units as whole yen (exponent 0)", () => {
    expect(money(2500, "jpy")).toBe("¥2,500");
    expect(money(1, "JPY")).toBe("¥1");
  });

  it("uses each currency's own exponent", () => {
    expect(money(1234, "eur")).toBe("€12.34");
    expect(money(1500, "krw")).toBe("₩1,500");
    expect(money(12345, "kwd")).toBe("KWD\u00a012.345");
  });

  it("follows the locale it is given", () => {
    expect(money(2500, "eur", "de-DE")).toBe("25,00\u00a0€");
  });

  it("falls back to plain digits for a code Intl refuses", () => {
    expect(money(2500, "")).toBe("25.00 ");
    expect(money(2500, "us-dollars")).toBe("25.00 US-DOLLARS");
  });
});

describe("statusOf", () => {
  it("has plain words and a badge tone for every status", () => {
    expect(statusOf("pending")).toEqual({ label: "Recovering", tone: "info" });
    expect(statusOf("recovered")).toEqual({ label: "Recovered", tone: "success" });
    expect(statusOf("failed")).toEqual({ label: "Not recovered", tone: "critical" });
    expect(statusOf("abandoned")).toEqual({ label: "Closed", tone: undefined });
  });
});

describe("nextStepOf", () => {
  it("says what the engine wrote, in its words", () => {
    expect(nextStepOf(item())).toBe("Retrying on Nov 2 at 09:00 (UTC): the bank said to try again later.");
    expect(nextStepOf(item({ nextActionReason: "Paused: Recoup was uninstalled from the Shopify store." }))).toBe(
      "Paused: Recoup was uninstalled from the Shopify store.",
    );
  });

  it("falls back to the date of the next step for an open recovery without a reason", () => {
    expect(nextStepOf(item({ nextActionReason: null }), { timeZone: "UTC" })).toBe("Next step on Nov 2, 2026.");
    expect(nextStepOf(item({ nextActionReason: "  " }), { timeZone: "UTC" })).toBe("Next step on Nov 2, 2026.");
    expect(nextStepOf(item({ nextActionReason: null, nextActionAt: null }))).toBe("Nothing scheduled yet.");
  });

  it("has words for every closed status without a reason", () => {
    const closed = { nextActionReason: null, nextActionAt: null, endedAt: "2026-11-03T09:00:00.000Z" };
    expect(nextStepOf(item({ ...closed, status: "recovered" }))).toBe("Recovered.");
    expect(nextStepOf(item({ ...closed, status: "failed" }))).toBe("Gave up: the retry schedule and reminders are exhausted.");
    expect(nextStepOf(item({ ...closed, status: "abandoned" }))).toBe("Closed.");
  });
});

describe("rowOf", () => {
  it("turns an open recovery into a row linking into the app", () => {
    expect(rowOf(item())).toEqual({
      id: "rec_1",
      amount: "$25.00",
      status: { label: "Recovering", tone: "info" },
      nextStep: "Retrying on Nov 2 at 09:00 (UTC): the bank said to try again later.",
      href: "app:app/recoveries/rec_1",
    });
  });

  it("shows a JPY amount in yen", () => {
    expect(rowOf(item({ amountDueCents: 3000, currency: "jpy" })).amount).toBe("¥3,000");
  });

  it("shows what was recovered for a recovered row, or the amount due when unknown", () => {
    expect(rowOf(item({ status: "recovered", amountDueCents: 2500, recoveredAmountCents: 2000 })).amount).toBe("$20.00");
    expect(rowOf(item({ status: "recovered", amountDueCents: 2500, recoveredAmountCents: null })).amount).toBe("$25.00");
    expect(rowOf(item({ status: "failed", amountDueCents: 2500, recoveredAmountCents: 100 })).amount).toBe("$25.00");
  });
});

describe("blockStateOf", () => {
  it("says so when the customer has no failed payments", () => {
    expect(blockStateOf({ items: [] })).toEqual({ kind: "empty", message: EMPTY_MESSAGE });
    expect(EMPTY_MESSAGE).toBe("No failed payments for this customer");
  });

  it("lists the recoveries in the order given, with a summary for the collapsed block", () => {
    const one = blockStateOf({ items: [item()] });
    expect(one).toMatchObject({ kind: "list", summary: "1 failed payment being recovered" });
    const two = blockStateOf({ items: [item({ id: "rec_2", currency: "jpy", amountDueCents: 3000 }), item()] });
    expect(two.kind === "list" && two.rows.map((r) => [r.id, r.amount])).toEqual([
      ["rec_2", "¥3,000"],
      ["rec_1", "$25.00"],
    ]);
    expect(two).toMatchObject({ summary: "2 failed payments being recovered" });
  });
});

describe("links and paths", () => {
  it("encodes the customer GID as one path segment", () => {
    expect(recoveriesPath("gid://shopify/Customer/1001")).toBe("/api/shopify-ext/customers/gid%3A%2F%2Fshopify%2FCustomer%2F1001/recoveries");
  });

  it("links into the embedded app with the app: protocol", () => {
    expect(recoveryHref("cmabc123")).toBe("app:app/recoveries/cmabc123");
    expect(recoveryHref("a/b")).toBe("app:app/recoveries/a%2Fb");
    expect(ALL_OPEN_HREF).toBe("app:app?status=pending");
  });
});

describe("errorMessage", () => {
  it("explains each failure in plain words, without the server's internals", () => {
    expect(errorMessage({ network: true })).toBe("Recoup could not be reached. Check your connection, then try again.");
    expect(errorMessage({ status: 401 })).toBe("Recoup could not confirm your admin session. Reload the page, then try again.");
    expect(errorMessage({ status: 403 })).toBe(errorMessage({ status: 401 }));
    expect(errorMessage({ status: 503 })).toMatch(/^Recoup is not fully set up yet/);
    expect(errorMessage({ status: 400 })).toBe("Recoup did not recognise this customer.");
    expect(errorMessage({ status: 404 })).toBe("Recoup did not recognise this customer.");
    expect(errorMessage({ status: 500 })).toBe("Recoup could not load this customer's failed payments. Try again in a moment.");
    for (const status of [400, 401, 500, 502, 503]) expect(errorMessage({ status })).not.toMatch(/SHOPIFY_|problem|json|\d{3}/);
  });
});

describe("parseResponse", () => {
  it("accepts the backend's shape", () => {
    expect(parseResponse({ items: [] })).toEqual({ items: [] });
    expect(parseResponse({ items: [item()] })).toEqual({ items: [item()] });
  });

  it("refuses anything else instead of crashing the block", () => {
    for (const body of [null, undefined, "oops", 42, {}, { items: "x" }, { items: [null] }, { items: [{ id: 1 }] }, { items: [{ ...item(), status: "weird" }] }]) {
      expect(parseResponse(body)).toBeNull();
    }
  });
});
