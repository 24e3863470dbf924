import { describe, expect, it } from "vitest";
import { maskEmail, normaliseEmail, permanentRecipientFailure, shortDetail, suppressedSkipReason } from "./policy";

describe("deliverability policy", () => {
  it("compares addresses trimmed and in lower case", () => {
    expect(normaliseEmail("  Ada.Lovelace@Example.COM ")).toBe("ada.lovelace@example.com");
  });

  it("takes a 5xx to RCPT TO or DATA as the recipient's permanent refusal, with the server's reply", () => {
    expect(permanentRecipientFailure({ responseCode: 550, command: "RCPT TO", response: "550 5.1.1 No such user here" })).toBe("550 5.1.1 No such user here");
    for (const code of [551, 553, 554]) expect(permanentRecipientFailure({ responseCode: code, command: "DATA", response: `${code} refused` })).toBe(`${code} refused`);
  });

  it("retries the rest: a 4xx, a 5xx about the sender or the login, a lost connection", () => {
    expect(permanentRecipientFailure({ responseCode: 450, command: "RCPT TO", response: "450 mailbox busy" })).toBeNull();
    expect(permanentRecipientFailure({ responseCode: 451, command: "DATA", response: "451 try again" })).toBeNull();
    expect(permanentRecipientFailure({ responseCode: 550, command: "MAIL FROM", response: "550 sender refused" })).toBeNull();
    expect(permanentRecipientFailure({ responseCode: 535, command: "AUTH PLAIN", response: "535 bad login" })).toBeNull();
    expect(permanentRecipientFailure({ code: "ECONNECTION", message: "Connection closed" })).toBeNull();
    expect(permanentRecipientFailure(null)).toBeNull();
  });

  it("keeps a provider's diagnostic short and on one line, and says why a message was skipped", () => {
    expect(shortDetail("  550\n  5.1.1   gone ")).toBe("550 5.1.1 gone");
    expect(shortDetail("x".repeat(2_000))).toHaveLength(500);
    expect(shortDetail("  ")).toBeNull();
    expect(suppressedSkipReason("hard_bounce")).toBe("address suppressed (hard_bounce)");
    expect(maskEmail("ada@example.com")).toBe("a•••@example.com");
  });
});
