// LostChurn's delivery log (`GET /v1/webhooks/events`, its filters and cursor pages), one delivery
// with its attempts, replay and secret rotation: shapes, scopes and tenancy.
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import * as endpointsRoute from "~/routes/api.v1.webhooks.endpoints";
import * as rotateRoute from "~/routes/api.v1.webhooks.endpoints.$id.rotate-secret";
import * as eventsRoute from "~/routes/api.v1.webhooks.events";
import * as eventRoute from "~/routes/api.v1.webhooks.events.$id";
import * as replayRoute from "~/routes/api.v1.webhooks.events.$id.replay";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { pendingJobs } from "../helpers/jobs";
import { useV1Caller } from "../helpers/openapi";

const LIST = "/api/v1/webhooks/endpoints";
const ROTATE = "/api/v1/webhooks/endpoints/{id}/rotate-secret";
const LOG = "/api/v1/webhooks/events";
const ONE = "/api/v1/webhooks/events/{id}";
const REPLAY = "/api/v1/webhooks/events/{id}/replay";

const v1 = useV1Caller({ [LIST]: endpointsRoute, [ROTATE]: rotateRoute, [LOG]: eventsRoute, [ONE]: eventRoute, [REPLAY]: replayRoute });
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let other: Awaited<ReturnType<typeof makeWorkspace>>;
const ids: Record<string, string> = {};

beforeAll(async () => {
  ws = await makeWorkspace();
  other = await makeWorkspace();
  const a = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "https://example.com/a" }, expect: 201 });
  const b = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "https://example.com/b" }, expect: 201 });
  ids.a = a.data.id as string;
  ids.b = b.data.id as string;
  // Five deliveries, oldest first: a delivered, a failed, a retrying, b pending, b delivered.
  const rows: Array<[string, string, Record<string, unknown>]> = [
    ["a", "delivered", { attempts: 1, lastStatusCode: 200, lastResponseBody: "ok", lastResponseTimeMs: 12, deliveredAt: new Date() }],
    ["a", "failed", { attempts: 10, lastStatusCode: 500, lastResponseBody: "boom", lastError: "The endpoint answered HTTP 500." }],
    ["a", "retrying", { attempts: 2, lastStatusCode: 503, nextAttemptAt: new Date(Date.now() + 300_000) }],
    ["b", "pending", {}],
    ["b", "delivered", { attempts: 1, lastStatusCode: 204 }],
  ];
  for (const [i, [endpoint, status, extra]] of rows.entries()) {
    const event = await db().webhookEvent.create({ data: { workspaceId: ws.workspace.id, type: "payment.failed", dedupeKey: `log-${i}`, payload: { n: i }, createdAt: new Date(Date.now() - (10 - i) * 1000) } });
    const d = await db().webhookDelivery.create({ data: { workspaceId: ws.workspace.id, endpointId: ids[endpoint]!, eventId: event.id, status, createdAt: event.createdAt, ...extra } });
    ids[`d${i}`] = d.id;
  }
  await db().webhookDeliveryAttempt.create({ data: { deliveryId: ids.d1!, attemptNumber: 1, statusCode: 500, responseBody: "boom", responseTimeMs: 40, error: "The endpoint answered HTTP 500." } });
});

describe("GET /api/v1/webhooks/events", () => {
  it("lists deliveries newest first with LostChurn's fields, in cursor pages", async () => {
    const all = await v1.call("GET", LOG, LOG, { token: ws.apiKey, expect: 200 });
    expect((all.data as Array<{ id: string }>).map((d) => d.id)).toEqual([ids.d4, ids.d3, ids.d2, ids.d1, ids.d0]);
    expect(all.body.cursor).toEqual({ next: null });
    expect(all.data[3]).toMatchObject({ endpoint_id: ids.a, event_type: "payment.failed", status: "failed", attempts: 10, status_code: 500, response_body: "boom", error: "The endpoint answered HTTP 500." });
    const first = await v1.call("GET", LOG, `${LOG}?limit=2`, { token: ws.apiKey, expect: 200 });
    expect((first.data as unknown[]).length).toBe(2);
    const next = first.body.cursor!.next as string;
    const second = await v1.call("GET", LOG, `${LOG}?limit=2&cursor=${next}`, { token: ws.apiKey, expect: 200 });
    expect((second.data as Array<{ id: string }>).map((d) => d.id)).toEqual([ids.d2, ids.d1]);
    await v1.call("GET", LOG, `${LOG}?limit=201`, { token: ws.apiKey, expect: 400 });
  });

  it("filters by endpoint and status; pending includes retrying", async () => {
    const pending = await v1.call("GET", LOG, `${LOG}?status=pending`, { token: ws.apiKey, expect: 200 });
    expect((pending.data as Array<{ id: string; status: string }>).map((d) => [d.id, d.status])).toEqual([
      [ids.d3, "pending"],
      [ids.d2, "pending"],
    ]);
    expect(pending.data[1].next_attempt_at).not.toBeNull();
    const delivered = await v1.call("GET", LOG, `${LOG}?status=delivered&endpoint_id=${ids.b}`, { token: ws.apiKey, expect: 200 });
    expect((delivered.data as Array<{ id: string }>).map((d) => d.id)).toEqual([ids.d4]);
    const bad = await v1.call("GET", LOG, `${LOG}?status=retrying`, { token: ws.apiKey, expect: 400 });
    expect(bad.error).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ path: "query.status" }] });
  });

  it("is the workspace's own, and needs the webhooks scope", async () => {
    const theirs = await v1.call("GET", LOG, LOG, { token: other.apiKey, expect: 200 });
    expect(theirs.data).toEqual([]);
    const filtered = await v1.call("GET", LOG, `${LOG}?endpoint_id=${ids.a}`, { token: other.apiKey, expect: 200 });
    expect(filtered.data).toEqual([]);
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    const refused = await v1.call("GET", LOG, LOG, { token: reader.key, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "webhooks" });
  });
});

describe("GET /api/v1/webhooks/events/{id} and replay", () => {
  it("shows one delivery with its event as sent and its attempts; another workspace's is a 404", async () => {
    const one = await v1.call("GET", ONE, `${LOG}/${ids.d1}`, { token: ws.apiKey, params: { id: ids.d1! }, expect: 200 });
    expect(one.data).toMatchObject({ id: ids.d1, status: "failed", event: { type: "payment.failed", data: { n: 1 } } });
    expect(one.data.attempt_log).toEqual([expect.objectContaining({ attempt_number: 1, replay: false, status_code: 500, response_body: "boom" })]);
    const missing = await v1.call("GET", ONE, `${LOG}/${ids.d1}`, { token: other.apiKey, params: { id: ids.d1! }, expect: 404 });
    expect(missing.error).toMatchObject({ code: "NOT_FOUND", type: "webhook_delivery_not_found" });
  });

  it("replays through a job, answering 202; refuses another workspace's (404) and one not sent yet (409)", async () => {
    const replayed = await v1.call("POST", REPLAY, `${LOG}/${ids.d1}/replay`, { token: ws.apiKey, params: { id: ids.d1! }, expect: 202 });
    expect(replayed.data).toMatchObject({ id: ids.d1, status: "pending", replays: 1 });
    const jobs = (await pendingJobs("webhook-deliver")).filter((j) => (j.data as { deliveryId: string }).deliveryId === ids.d1);
    expect(jobs.map((j) => j.data)).toEqual([{ deliveryId: ids.d1, replay: 1 }]);
    await v1.call("POST", REPLAY, `${LOG}/${ids.d1}/replay`, { token: other.apiKey, params: { id: ids.d1! }, expect: 404 });
    const notYet = await v1.call("POST", REPLAY, `${LOG}/${ids.d3}/replay`, { token: ws.apiKey, params: { id: ids.d3! }, expect: 409 });
    expect(notYet.error.message).toMatch(/not been sent yet/);
  });
});

describe("POST /api/v1/webhooks/endpoints/{id}/rotate-secret", () => {
  it("returns a new secret once, keeps the previous one 24 hours by default; another workspace's endpoint is a 404", async () => {
    const before = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: ids.a! } });
    const rotated = await v1.call("POST", ROTATE, `${LIST}/${ids.a}/rotate-secret`, { token: ws.apiKey, params: { id: ids.a! }, expect: 200 });
    expect(rotated.data.signing_secret).toMatch(/^whsec_[\w-]{32}$/);
    const hours = (Date.parse(rotated.data.previous_secret_expires_at as string) - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(23.9);
    expect(hours).toBeLessThanOrEqual(24);
    const after = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: ids.a! } });
    expect(after.previousSecretEncrypted).toBe(before.secretEncrypted);
    expect(JSON.stringify(after)).not.toContain(rotated.data.signing_secret as string);
    const listed = await v1.call("GET", LIST, LIST, { token: ws.apiKey, expect: 200 });
    expect(JSON.stringify(listed.body)).not.toContain(rotated.data.signing_secret as string);

    const now = await v1.call("POST", ROTATE, `${LIST}/${ids.a}/rotate-secret`, { token: ws.apiKey, params: { id: ids.a! }, body: { expires_in_hours: 0 }, expect: 200 });
    expect(now.data.previous_secret_expires_at).toBeNull();
    await v1.call("POST", ROTATE, `${LIST}/${ids.a}/rotate-secret`, { token: other.apiKey, params: { id: ids.a! }, expect: 404 });
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    await v1.call("POST", ROTATE, `${LIST}/${ids.a}/rotate-secret`, { token: reader.key, params: { id: ids.a! }, expect: 403 });
  });
});
