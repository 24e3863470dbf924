import { describe, expect, it } from "vitest";
import { nextOverrideChangeAt, resolveConnection, statusOf, triggersFallback } from "./routing";

const stripe = { id: "c-stripe", status: "connected" };
const dojo = { id: "c-dojo", status: "connected" };
const chain = { primaryConnectionId: stripe.id, secondaryConnectionId: dojo.id };
const link = { providerOverrideId: null, fallbackTriggeredAt: null, isSetupTest: false };

describe("resolveConnection: override → fallback-triggered → routing chain", () => {
  it("lands on the primary while nothing else says otherwise", () => {
    expect(resolveConnection(link, chain, [stripe, dojo])).toEqual({ connectionId: stripe.id, by: "primary" });
  });

  it("lands on the secondary once the link's fallback triggered", () => {
    expect(resolveConnection({ ...link, fallbackTriggeredAt: new Date() }, chain, [stripe, dojo])).toEqual({ connectionId: dojo.id, by: "fallback" });
  });

  it("follows a usable override over fallback and chain", () => {
    expect(resolveConnection({ ...link, providerOverrideId: dojo.id }, { primaryConnectionId: stripe.id, secondaryConnectionId: null }, [stripe, dojo])).toEqual({
      connectionId: dojo.id,
      by: "override",
    });
    expect(resolveConnection({ ...link, providerOverrideId: stripe.id, fallbackTriggeredAt: new Date() }, chain, [stripe, dojo]).connectionId).toBe(stripe.id);
  });

  it("lets only a setup-test link land on its unverified override", () => {
    const unverified = { id: "c-new", status: "setup_incomplete" };
    expect(resolveConnection({ ...link, providerOverrideId: unverified.id }, chain, [stripe, dojo, unverified]).connectionId).toBe(stripe.id);
    expect(resolveConnection({ ...link, providerOverrideId: unverified.id, isSetupTest: true }, chain, [stripe, dojo, unverified])).toEqual({ connectionId: unverified.id, by: "override" });
  });

  it("skips a disconnected primary or override, and is null when no connection is usable", () => {
    const gone = { ...stripe, status: "disconnected" };
    expect(resolveConnection(link, chain, [gone, dojo])).toEqual({ connectionId: dojo.id, by: "secondary" });
    expect(resolveConnection({ ...link, providerOverrideId: gone.id }, chain, [gone, dojo]).connectionId).toBe(dojo.id);
    expect(resolveConnection(link, chain, [gone, { ...dojo, status: "setup_incomplete" }])).toEqual({ connectionId: null, by: null });
    expect(resolveConnection(link, null, [stripe])).toEqual({ connectionId: null, by: null });
  });
});

describe("triggersFallback", () => {
  it("triggers when the chain's primary failed and a secondary exists, once", () => {
    expect(triggersFallback(link, chain, stripe.id, "primary")).toBe(true);
    expect(triggersFallback({ ...link, fallbackTriggeredAt: new Date() }, chain, stripe.id, "primary")).toBe(false);
  });

  it("does not trigger for a pinned override, a secondary's failure, or a chain without a secondary", () => {
    expect(triggersFallback(link, chain, stripe.id, "override")).toBe(false);
    expect(triggersFallback(link, chain, dojo.id, "secondary")).toBe(false);
    expect(triggersFallback(link, { primaryConnectionId: stripe.id, secondaryConnectionId: null }, stripe.id, "primary")).toBe(false);
  });
});

describe("nextOverrideChangeAt: 3 changes per link per 10 minutes", () => {
  const now = new Date("2026-12-07T12:00:00Z");
  const ago = (minutes: number) => new Date(now.getTime() - minutes * 60_000);

  it("allows a change while fewer than 3 happened in the last 10 minutes", () => {
    expect(nextOverrideChangeAt([], now)).toBeNull();
    expect(nextOverrideChangeAt([ago(1), ago(2)], now)).toBeNull();
    expect(nextOverrideChangeAt([ago(1), ago(2), ago(11)], now)).toBeNull();
  });

  it("refuses the fourth until the oldest of the three leaves the window", () => {
    expect(nextOverrideChangeAt([ago(1), ago(2), ago(9)], now)).toEqual(new Date(ago(9).getTime() + 10 * 60_000));
    expect(nextOverrideChangeAt([ago(1), ago(2), ago(3), ago(4)], now)).toEqual(new Date(ago(3).getTime() + 10 * 60_000));
  });
});

describe("statusOf", () => {
  const now = new Date("2026-12-07T12:00:00Z");
  it("shows an open link past its expiry as expired, and leaves settled ones alone", () => {
    expect(statusOf({ status: "open", expiresAt: null }, now)).toBe("open");
    expect(statusOf({ status: "open", expiresAt: new Date(now.getTime() + 1) }, now)).toBe("open");
    expect(statusOf({ status: "open", expiresAt: now }, now)).toBe("expired");
    expect(statusOf({ status: "succeeded", expiresAt: new Date(0) }, now)).toBe("succeeded");
    expect(statusOf({ status: "cancelled", expiresAt: new Date(0) }, now)).toBe("cancelled");
  });
});
