import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WEBHOOK_EVENT_TYPES } from "~/domain/webhooks/schemas";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { processInbox } from "~/domain/inbox/inbox.server";
import { ingestEvents } from "~/domain/ingest/process.server";
import { computeSignature, verifySignature } from "~/domain/webhooks/signing";
import * as ingestRoute from "~/routes/api.v1.ingest.payment-event";
import * as endpointRoute from "~/routes/api.v1.webhooks.endpoints.$id";
import * as testRoute from "~/routes/api.v1.webhooks.endpoints.$id.[test]";
import * as endpointsRoute from "~/routes/api.v1.webhooks.endpoints";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { startWebhookReceiver, type FakeWebhookReceiver } from "../fakes/webhook-receiver";
import { liftRateLimits, v1Caller } from "../helpers/openapi";

type Caller = Awaited<ReturnType<typeof v1Caller>>;
let v1: Caller;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let other: Awaited<ReturnType<typeof makeWorkspace>>;
let receiver: FakeWebhookReceiver;

const LIST = "/api/v1/webhooks/endpoints";
const ONE = "/api/v1/webhooks/endpoints/{id}";
const TEST = "/api/v1/webhooks/endpoints/{id}/test";
const INGEST = "/api/v1/ingest/payment-event";

liftRateLimits();
beforeAll(async () => {
  v1 = await v1Caller({ [LIST]: endpointsRoute, [ONE]: endpointRoute, [TEST]: testRoute, [INGEST]: ingestRoute });
  ws = await makeWorkspace();
  other = await makeWorkspace();
  receiver = await startWebhookReceiver();
});
afterAll(async () => {
  await receiver.close();
});

describe("webhook endpoints", () => {
  it("creates an endpoint: the signing secret once, encrypted at rest, never listed", async () => {
    const created = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "https://example.com/hooks", description: "Billing" }, expect: 201 });
    const secret = created.data.signing_secret as string;
    expect(secret).toMatch(/^whsec_[\w-]{32}$/);
    // No `events` given: every event type Recoup sends.
    expect(created.data).toMatchObject({ url: "https://example.com/hooks", description: "Billing", events: [...WEBHOOK_EVENT_TYPES], enabled: true });
    expect(created.body.meta?.merchant_id).toBe(ws.workspace.id);
    const row = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: created.data.id as string } });
    expect(JSON.stringify(row)).not.toContain(secret);

    const listed = await v1.call("GET", LIST, LIST, { token: ws.apiKey, expect: 200 });
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect((listed.data as Array<{ id: string }>).map((e) => e.id)).toContain(created.data.id);
    // A cursor list (LostChurn: `limit` 50 by default): one page here, so no next cursor.
    expect(listed.body.cursor).toEqual({ next: null });
    expect(listed.body.pagination).toBeUndefined();
    const theirs = await v1.call("GET", LIST, LIST, { token: other.apiKey, expect: 200 });
    expect(theirs.data).toEqual([]);
    expect(theirs.body.meta?.merchant_id).toBe(other.workspace.id);
  });

  it("refuses URLs that are not https (http only for localhost), unknown events and unknown fields", async () => {
    for (const url of ["http://example.com/hooks", "ftp://example.com/x", "not a url", "https://user:pw@example.com/x"]) {
      const res = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url }, expect: 400 });
      expect(res.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed", errors: [{ path: "body.url" }] });
    }
    const events = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "https://example.com/x", events: ["payment.exploded"] }, expect: 400 });
    expect(events.error.errors![0]!.path).toBe("body.events.0");
    const extra = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "https://example.com/x", secret: "mine" }, expect: 400 });
    expect(extra.error).toMatchObject({ errors: [{ path: "body.secret", message: "Unknown field." }] });
    await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "http://localhost:9/x" }, expect: 201 });
  });

  it("needs the webhooks scope to change endpoints; read-only and payments keys are refused, a read key may list them", async () => {
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read", "write"] });
    const refused = await v1.call("POST", LIST, LIST, { token: reader.key, body: { url: "https://example.com/x" }, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "webhooks" });
    expect(refused.error.message).toBe('This API key lacks the "webhooks" scope.');
    const hooks = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["webhooks"] });
    await v1.call("GET", LIST, LIST, { token: hooks.key, expect: 200 });

    // LostChurn documents the list as "webhooks or read": a read-only key lists, but still may not create.
    const readOnly = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    const listed = await v1.call("GET", LIST, LIST, { token: readOnly.key, expect: 200 });
    expect(Array.isArray(listed.data)).toBe(true);
    const notCreated = await v1.call("POST", LIST, LIST, { token: readOnly.key, body: { url: "https://example.com/x" }, expect: 403 });
    expect(notCreated.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "webhooks" });
    // Neither read nor webhooks: the list names both alternatives.
    const writer = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["write"] });
    const notListed = await v1.call("GET", LIST, LIST, { token: writer.key, expect: 403 });
    expect(notListed.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "webhooks|read" });
    expect(notListed.error.message).toBe('This API key lacks the "webhooks" or "read" scope.');
  });

  it("updates and deletes; another workspace's endpoint is a 404", async () => {
    const created = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "https://example.com/a" }, expect: 201 });
    const id = created.data.id as string;
    const url = `${LIST}/${id}`;
    const updated = await v1.call("PUT", ONE, url, { token: ws.apiKey, params: { id }, body: { url: "https://example.com/b", enabled: false, description: null }, expect: 200 });
    expect(updated.data).toMatchObject({ id, url: "https://example.com/b", enabled: false, description: null });
    const bad = await v1.call("PUT", ONE, url, { token: ws.apiKey, params: { id }, body: { url: "http://example.com/b" }, expect: 400 });
    expect(bad.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });

    const foreign = await v1.call("PUT", ONE, url, { token: other.apiKey, params: { id }, body: { enabled: true }, expect: 404 });
    expect(foreign.error).toMatchObject({ code: "NOT_FOUND", type: "webhook_endpoint_not_found" });
    await v1.call("DELETE", ONE, url, { token: other.apiKey, params: { id }, expect: 404 });
    await v1.call("POST", TEST, `${url}/test`, { token: other.apiKey, params: { id }, expect: 404 });
    expect(await db().webhookEndpoint.findUnique({ where: { id } })).toMatchObject({ enabled: false });

    const deleted = await v1.call("DELETE", ONE, url, { token: ws.apiKey, params: { id }, expect: 200 });
    expect(deleted.data).toEqual({ id, deleted: true });
    await v1.call("DELETE", ONE, url, { token: ws.apiKey, params: { id }, expect: 404 });
  });

  it("tests an endpoint: a signed webhook.test, and the endpoint's answer reported", async () => {
    const created = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: receiver.url }, expect: 201 });
    receiver.secret = created.data.signing_secret as string;
    const id = created.data.id as string;
    const ok = await v1.call("POST", TEST, `${LIST}/${id}/test`, { token: ws.apiKey, params: { id }, expect: 200 });
    expect(ok.data).toMatchObject({ success: true, status_code: 200, endpoint_id: id, error: null });
    const got = await receiver.waitFor((w) => w.body.id === ok.data.event_id);
    expect(got.signatureValid).toBe(true);
    expect(got.body).toMatchObject({ type: "webhook.test", data: { endpoint_id: id } });

    receiver.failNext(1, 500);
    const failed = await v1.call("POST", TEST, `${LIST}/${id}/test`, { token: ws.apiKey, params: { id }, expect: 200 });
    expect(failed.data).toMatchObject({ success: false, status_code: 500, error: "The endpoint answered HTTP 500." });

    const closed = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "http://127.0.0.1:9/nothing-listens" }, expect: 201 });
    const cid = closed.data.id as string;
    const unreachable = await v1.call("POST", TEST, `${LIST}/${cid}/test`, { token: ws.apiKey, params: { id: cid }, expect: 200 });
    expect(unreachable.data).toMatchObject({ success: false, status_code: null });
    expect(unreachable.data.error).toMatch(/Could not reach/);
  });
});

describe("Recoup-Signature", () => {
  it("verifies the body it signs, within the tolerance, and nothing else", () => {
    const t = 1_800_000_000;
    const header = `t=${t},v1=${computeSignature("whsec_x", t, '{"a":1}')}`;
    expect(verifySignature({ secret: "whsec_x", header, body: '{"a":1}', now: t + 10 })).toBe(true);
    expect(verifySignature({ secret: "whsec_x", header, body: '{"a":2}', now: t + 10 })).toBe(false);
    expect(verifySignature({ secret: "whsec_y", header, body: '{"a":1}', now: t + 10 })).toBe(false);
    expect(verifySignature({ secret: "whsec_x", header, body: '{"a":1}', now: t + 301 })).toBe(false);
    expect(verifySignature({ secret: "whsec_x", header: "garbage", body: '{"a":1}', now: t })).toBe(false);
  });
});

describe("POST /api/v1/ingest/payment-event", () => {
  const valid = { event_type: "payment_failed", provider: "adyen", external_id: "psp_1", amount_cents: 1000, currency: "usd", customer_email: "a@example.com" };

  it("validates amounts, currencies, emails and what each event type needs, naming the field", async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ ...valid, amount_cents: 10.5 }, "body.amount_cents"],
      [{ ...valid, amount_cents: -1 }, "body.amount_cents"],
      [{ ...valid, amount_cents: 0 }, "body.amount_cents"],
      [{ ...valid, amount_cents: 3_000_000_000 }, "body.amount_cents"],
      [{ ...valid, amount_cents: "1000" }, "body.amount_cents"],
      [{ ...valid, currency: "xyz" }, "body.currency"],
      [{ ...valid, currency: "us" }, "body.currency"],
      [{ ...valid, customer_email: "not-an-email" }, "body.customer_email"],
      [{ ...valid, event_type: "payment_exploded" }, "body.event_type"],
      [{ ...valid, provider: "stripe" }, "body.provider"],
      [{ ...valid, occurred_at: "yesterday" }, "body.occurred_at"],
      [{ ...valid, occurred_at: "2999-01-01T00:00:00Z" }, "body.occurred_at"],
      [{ ...valid, payment_url: "http://pay.example.com" }, "body.payment_url"],
      [{ ...valid, metadata: { nested: { a: 1 } } }, "body.metadata.nested"],
      [{ ...valid, colour: "red" }, "body.colour"],
      [{ ...valid, customer_timezone: "America/Springfield" }, "body.customer_timezone"],
      [{ ...valid, customer_timezone: "Mars/Olympus_Mons" }, "body.customer_timezone"],
      [{ ...valid, customer_country: "USA" }, "body.customer_country"],
      [{ ...valid, customer_country: "XX" }, "body.customer_country"],
    ];
    for (const [body, path] of cases) {
      const res = await v1.call("POST", INGEST, INGEST, { token: ws.apiKey, body, expect: 400 });
      expect(res.error.type, JSON.stringify(body)).toBe("validation_failed");
      expect(res.error.code, JSON.stringify(body)).toBe("VALIDATION_ERROR");
      expect(res.error.errors!.map((e) => e.path), JSON.stringify(body)).toContain(path);
    }
    expect(await db().ingestedPaymentEvent.count()).toBe(0);
  });

  it("accepts upper-case currencies and stores them lower-case; needs the write scope", async () => {
    const ok = await v1.call("POST", INGEST, INGEST, { token: ws.apiKey, body: { ...valid, currency: "JPY", external_id: "psp_jpy" }, expect: 202 });
    const row = await db().ingestedPaymentEvent.findUniqueOrThrow({ where: { id: ok.data.event_id as string } });
    expect(row).toMatchObject({ provider: "adyen", externalId: "psp_jpy", payload: { currency: "jpy", amount_cents: 1000 } });
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read", "webhooks"] });
    const refused = await v1.call("POST", INGEST, INGEST, { token: reader.key, body: valid, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "write" });
    await v1.call("POST", INGEST, INGEST, { body: valid, expect: 401 });
  });

  it("refuses an external_id that is already another provider's payment (409)", async () => {
    await db().recovery.create({
      data: {
        workspaceId: ws.workspace.id,
        provider: "stripe",
        externalAccountId: "acct_x",
        externalId: "in_taken",
        externalCustomerId: "cus_x",
        declineType: "soft",
        amountDueMinor: 100,
        currency: "usd",
        startedAt: new Date(),
        lastFailureAt: new Date(),
      },
    });
    const res = await v1.call("POST", INGEST, INGEST, { token: ws.apiKey, body: { ...valid, external_id: "in_taken" }, expect: 409 });
    expect(res.error.message).toContain("already a stripe payment");
    // Another workspace may use the same reference.
    await v1.call("POST", INGEST, INGEST, { token: other.apiKey, body: { ...valid, external_id: "in_taken" }, expect: 202 });
  });

  it("accepts LostChurn's documented body exactly (no external_id): identity from Idempotency-Key or the content, and a later success recovers the same payment", async () => {
    // The fields LostChurn documents, and nothing else.
    const documented = { event_type: "payment_failed", amount_cents: 2599, currency: "eur", customer_email: "Lin@Example.com", decline_code: "insufficient_funds", metadata: { plan: "pro", seats: 3 } };
    const first = await v1.call("POST", INGEST, INGEST, { token: ws.apiKey, body: documented, expect: 202 });
    expect(first.data).toMatchObject({ status: "queued", duplicate: false, recovery_initiated: true });
    // The same content again (metadata keys in another order) is the same event.
    const again = await v1.call("POST", INGEST, INGEST, { token: ws.apiKey, body: { ...documented, metadata: { seats: 3, plan: "pro" } }, expect: 202 });
    expect(again.data).toMatchObject({ event_id: first.data.event_id, status: "duplicate" });

    const row = await db().ingestedPaymentEvent.findUniqueOrThrow({ where: { id: first.data.event_id as string } });
    expect(row.externalId).toMatch(/^pe_[0-9a-f]{24}$/);
    await processInbox(ingestEvents, { ingestEventId: row.id });
    const recovery = await db().recovery.findUniqueOrThrow({ where: { workspaceId_externalId: { workspaceId: ws.workspace.id, externalId: row.externalId! } } });
    expect(recovery).toMatchObject({ provider: "custom", status: "pending", amountDueMinor: 2599, currency: "eur", externalCustomerId: "email:lin@example.com" });

    // With an Idempotency-Key the key names the event, past the 24 h the stored answer lives.
    const keyed = { event_type: "payment_succeeded", amount_cents: 2599, currency: "eur", customer_email: "lin@example.com" };
    const paid = await v1.call("POST", INGEST, INGEST, { token: ws.apiKey, body: keyed, headers: { "idempotency-key": "lin-paid-1" }, expect: 202 });
    const paidRow = await db().ingestedPaymentEvent.findUniqueOrThrow({ where: { id: paid.data.event_id as string } });
    expect(paidRow).toMatchObject({ eventKey: "key:lin-paid-1", externalId: recovery.externalId });
    await db().apiIdempotencyKey.deleteMany({ where: { workspaceId: ws.workspace.id } });
    const replay = await v1.call("POST", INGEST, INGEST, { token: ws.apiKey, body: keyed, headers: { "idempotency-key": "lin-paid-1" }, expect: 202 });
    expect(replay.data).toMatchObject({ event_id: paidRow.id, status: "duplicate" });

    // The success names no payment either: it is the customer's open one of that amount and currency.
    await processInbox(ingestEvents, { ingestEventId: paidRow.id });
    expect(await db().recovery.findUniqueOrThrow({ where: { id: recovery.id } })).toMatchObject({ status: "recovered", recoveredAmountMinor: 2599 });
  });
});
