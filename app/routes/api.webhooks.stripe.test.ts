import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeEvent, signPayload, type FakeStripe } from "../../tests/fakes/stripe-server";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { pendingJobs } from "../../tests/helpers/jobs";
import { CONNECT_WEBHOOK_SECRET, WEBHOOK_SECRET, setUpStripe } from "../../tests/helpers/stripe";
import * as route from "./api.webhooks.stripe";

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await setUpStripe();
});
afterAll(() => stripe.close());

function post(body: string, signature?: string, headers: Record<string, string> = {}) {
  return callRoute(route, "/api/webhooks/stripe", {
    method: "POST",
    body,
    headers: { ...(signature ? { "stripe-signature": signature } : {}), ...headers },
  });
}

const event = (id: string) => JSON.stringify(makeEvent("invoice.payment_failed", { id: "in_1", object: "invoice" }, { id, account: "acct_1" }));

describe("POST /api/webhooks/stripe", () => {
  it("stores a signed event, enqueues its processing and answers the contract's shape", async () => {
    const body = event("evt_store_1");
    const res = await post(body, signPayload(body, WEBHOOK_SECRET));
    expect(res.status).toBe(200);
    expect(await jsonOf(res)).toEqual({ received: true, eventId: "evt_store_1", duplicate: false });
    const row = await db().stripeEvent.findUniqueOrThrow({ where: { eventId: "evt_store_1" } });
    expect(row).toMatchObject({ type: "invoice.payment_failed", stripeAccountId: "acct_1", status: "pending" });
    expect((await pendingJobs("stripe-event")).some((j) => (j.data as { stripeEventId: string }).stripeEventId === row.id)).toBe(true);
  });

  it("accepts either configured secret (platform and Connect endpoints)", async () => {
    const body = event("evt_connect_secret");
    expect((await post(body, signPayload(body, CONNECT_WEBHOOK_SECRET))).status).toBe(200);
  });

  it("answers a redelivery with duplicate: true and changes nothing", async () => {
    const body = event("evt_dup_1");
    await post(body, signPayload(body, WEBHOOK_SECRET));
    const jobsBefore = (await pendingJobs("stripe-event")).length;
    const again = await post(body, signPayload(body, WEBHOOK_SECRET));
    expect(await jsonOf(again)).toEqual({ received: true, eventId: "evt_dup_1", duplicate: true });
    expect(await db().stripeEvent.count({ where: { eventId: "evt_dup_1" } })).toBe(1);
    expect((await pendingJobs("stripe-event")).length).toBe(jobsBefore);
  });

  it("refuses a missing, wrong or stale signature with problem+json, storing nothing", async () => {
    const body = event("evt_bad_sig");
    const missing = await post(body);
    const wrong = await post(body, signPayload(body, "whsec_someone_else"));
    const stale = await post(body, signPayload(body, WEBHOOK_SECRET, Math.floor(Date.now() / 1000) - 3600));
    const tampered = await post(body.replace("in_1", "in_2"), signPayload(body, WEBHOOK_SECRET));
    for (const res of [missing, wrong, stale, tampered]) {
      expect(res.status).toBe(401);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      const problem = await jsonOf<{ code: string; traceId: string; detail: string }>(res);
      expect(problem.code).toBe("invalid_signature");
      expect(problem.traceId).toMatch(/^[0-9a-f]{32}$/);
    }
    expect(await db().stripeEvent.count({ where: { eventId: "evt_bad_sig" } })).toBe(0);
  });

  it("answers 400 for a signed body that is not a Stripe event", async () => {
    for (const body of ["not json at all", JSON.stringify({ hello: "world" }), JSON.stringify({ id: "evt_x", object: "event", type: "x" })]) {
      const res = await post(body, signPayload(body, WEBHOOK_SECRET));
      expect(res.status).toBe(400);
      expect((await jsonOf<{ code: string }>(res)).code).toBe("malformed_event");
    }
  });

  it("answers 400 malformed_event to a signed event holding a NUL or a lone surrogate (which PostgreSQL cannot store), and stores nothing", async () => {
    const hostile = ["bad\\u0000type", "\\ud800", "x\\udc00y"];
    let n = 0;
    for (const field of ["type", "account", "api_version"] as const) {
      for (const value of hostile) {
        n += 1;
        const id = `evt_hostile_${n}`;
        // Written as JSON text, as Stripe (or an attacker with the secret) would send the escapes.
        const body = JSON.stringify({ ...JSON.parse(event(id)), [field]: "__hostile__" }).replace('"__hostile__"', `"${value}"`);
        const res = await post(body, signPayload(body, WEBHOOK_SECRET));
        expect(res.status, `${field}=${value}`).toBe(400);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        expect((await jsonOf<{ code: string; detail: string }>(res)).detail, `${field}=${value}`).toContain(field);
        expect(await db().stripeEvent.count({ where: { eventId: id } })).toBe(0);
      }
    }
    const nested = JSON.stringify(makeEvent("invoice.payment_failed", { id: "in_1", object: "invoice", customer_name: "a\u0000b" }, { id: "evt_hostile_nested" }));
    const res = await post(nested, signPayload(nested, WEBHOOK_SECRET));
    expect(res.status).toBe(400);
    expect(await db().stripeEvent.count({ where: { eventId: "evt_hostile_nested" } })).toBe(0);
  });

  it("answers 413 for an oversized body without storing it", async () => {
    const huge = JSON.stringify({ ...JSON.parse(event("evt_huge")), padding: "x".repeat(600 * 1024) });
    const res = await post(huge, signPayload(huge, WEBHOOK_SECRET));
    expect(res.status).toBe(413);
    expect((await jsonOf<{ code: string }>(res)).code).toBe("payload_too_large");
    expect(await db().stripeEvent.count({ where: { eventId: "evt_huge" } })).toBe(0);
  });

  it("is POST-only", async () => {
    const res = await callRoute(route, "/api/webhooks/stripe");
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
  });
});
