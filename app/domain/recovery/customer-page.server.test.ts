import { describe, expect, it } from "vitest";
import { customerReason, needsAuthentication } from "./customer-page.server";

const failure = (provider: string, declineCode: string) => ({
  provider,
  errorCode: null,
  declineCode,
  adviceCode: null,
  networkDeclineCode: null,
  networkAdviceCode: null,
  cardBrand: "visa",
  cardFingerprint: null,
  amountDueMinor: 2500,
  currency: "usd",
  lastFailureAt: new Date("2026-11-20T12:00:00Z"),
});

describe("the customer page's reason", () => {
  it("reads an ingested PSP's decline in that PSP's codes, as the engine does", () => {
    expect(customerReason(failure("adyen", "Expired Card"))).toBe("The card we have on file has expired.");
    expect(needsAuthentication(failure("adyen", "3D Not Authenticated"))).toBe(true);
  });

  it("reads Stripe's and Shopify's codes as before", () => {
    expect(customerReason(failure("stripe", "expired_card"))).toBe("The card we have on file has expired.");
    expect(needsAuthentication(failure("stripe", "authentication_required"))).toBe(true);
  });
});
