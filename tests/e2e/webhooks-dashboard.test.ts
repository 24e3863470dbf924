// /dashboard/webhooks, server side (issue 14, ADR 0080): an endpoint added from the form, its signing
// secret in that answer only (never on reload); every invalid field answered at once, a refused URL
// in the domain's words; a test event's result; edit, disable, rotate (a new secret, the old one
// overlapping), delete; the delivery log newest first by status and endpoint, a page at a time; a
// failed delivery replayed through its job; a member may look but not change; another workspace's
// endpoint or delivery is not found.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { signingSecretsOf } from "~/domain/webhooks/endpoints.server";
import * as route from "~/routes/dashboard.webhooks";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { makeTeammate, makeWorkspace } from "../factories";
import { startWebhookReceiver, type FakeWebhookReceiver } from "../fakes/webhook-receiver";
import { pendingJobs, runDueJobs } from "../helpers/jobs";

const cookie = (token: string) => ({ cookie: `recoup_session=${encodeURIComponent(token)}` });
const load = (token: string, search = "") =>
  route.loader({ request: new Request(`http://localhost/dashboard/webhooks${search}`, { headers: cookie(token) }), params: {}, context: {} });

type Answer = {
  ok: boolean;
  message?: string;
  toast?: string;
  id?: string;
  secret?: string;
  url?: string;
  test?: { success: boolean; statusCode: number | null; responseTimeMs: number; error: string | null };
  fieldErrors: Record<string, string>;
};
async function act(body: unknown, token: string) {
  const result = await route.action({
    request: new Request("http://localhost/dashboard/webhooks", { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify(body) }),
    params: {},
    context: {},
  });
  // A failure is `data(…, {status})`; a success the plain answer.
  const wrapped = result as unknown as { type?: string; data?: unknown; init?: ResponseInit };
  return wrapped.type === "DataWithResponseInit" ? { status: wrapped.init?.status ?? 200, body: wrapped.data as Answer } : { status: 200, body: result as unknown as Answer };
}

const form = (over: Record<string, unknown> = {}) => ({ url: "https://hooks.example.com/recoup", allEvents: true, events: [], description: "Billing service", ...over });

let receiver: FakeWebhookReceiver;
beforeAll(async () => {
  receiver = await startWebhookReceiver();
});
afterAll(() => receiver.close());
afterEach(() => {
  receiver.secret = null;
  receiver.requests.length = 0;
});

/** A delivery of one event to the endpoint, in the state the schedule left it (written directly: the log is read here, not made). */
async function seedDelivery(workspaceId: string, endpointId: string, over: { status: string; key: string; createdAt?: Date; lastStatusCode?: number; lastError?: string; attempts?: number }) {
  const event = await db().webhookEvent.create({
    data: {
      workspaceId,
      type: "transaction.status_changed",
      dedupeKey: over.key,
      payload: { transaction_id: `TX${over.key}`, status: "paid" },
      createdAt: over.createdAt ?? new Date(),
    },
  });
  return db().webhookDelivery.create({
    data: {
      workspaceId,
      endpointId,
      eventId: event.id,
      status: over.status,
      attempts: over.attempts ?? (over.status === "pending" ? 0 : 10),
      lastStatusCode: over.lastStatusCode ?? null,
      lastError: over.lastError ?? null,
      lastResponseBody: over.lastStatusCode ? "upstream exploded" : null,
      lastAttemptAt: over.status === "pending" ? null : new Date(),
      createdAt: over.createdAt ?? new Date(),
    },
  });
}

describe("/dashboard/webhooks", () => {
  it("adds an endpoint and shows its signing secret once: in the answer, never on reload", async () => {
    const { workspace, sessionToken } = await makeWorkspace({ name: "Hudson Bakery" });
    const empty = await load(sessionToken);
    expect(empty.endpoints).toEqual([]);
    expect(empty.readOnly).toBeNull();

    const made = await act({ intent: "create", form: form({ allEvents: false, events: ["payment.failed", "payment.recovered"] }) }, sessionToken);
    expect(made.status).toBe(200);
    expect(made.body).toMatchObject({ ok: true, toast: "Endpoint added", url: "https://hooks.example.com/recoup" });
    expect(made.body.secret).toMatch(/^whsec_/);
    const row = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: made.body.id } });
    expect(row).toMatchObject({ workspaceId: workspace.id, events: ["payment.failed", "payment.recovered"], description: "Billing service" });
    expect(signingSecretsOf(row)).toEqual([made.body.secret]);

    const page = await load(sessionToken);
    expect(page.endpoints).toEqual([
      expect.objectContaining({ id: row.id, url: "https://hooks.example.com/recoup", description: "Billing service", allEvents: false, events: ["payment.failed", "payment.recovered"], enabled: true }),
    ]);
    expect(JSON.stringify(page)).not.toContain(made.body.secret!);
    expect(JSON.stringify(page)).not.toContain("whsec_");

    // "All events" stores every event type of the catalogue.
    const all = await act({ intent: "create", form: form({ url: "https://hooks.example.com/all", description: "" }) }, sessionToken);
    const allRow = await db().webhookEndpoint.findUniqueOrThrow({ where: { id: all.body.id } });
    expect(allRow.events).toEqual(page.eventTypes.map((e) => e.type));
    expect(allRow.description).toBeNull();
    expect((await load(sessionToken)).endpoints.find((e) => e.id === allRow.id)).toMatchObject({ allEvents: true });
  });

  it("answers every invalid field at once, a refused URL in the domain's words beside the URL field", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    // The test suite lets loopback through for its fake receivers; a merchant's server does not.
    const allowed = process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE;
    process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE = "";
    resetEnv();
    try {
      const loopback = await act({ intent: "create", form: form({ url: "http://127.0.0.1/x" }) }, sessionToken);
      expect(loopback.status).toBe(400);
      expect(Object.keys(loopback.body.fieldErrors)).toEqual(["url"]);
      expect(loopback.body.fieldErrors.url).toContain("127.0.0.1 is a loopback address");
      expect(loopback.body.fieldErrors.url).toContain("public internet addresses only");

      const several = await act({ intent: "create", form: form({ url: "http://127.0.0.1/x", allEvents: false, events: [], description: "x".repeat(501) }) }, sessionToken);
      expect(several.status).toBe(400);
      expect(Object.keys(several.body.fieldErrors).sort()).toEqual(["description", "events", "url"]);
      expect(several.body.fieldErrors.url).toContain("loopback");
      expect(several.body.message).toBe("Some fields need another look.");
    } finally {
      process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE = allowed;
      resetEnv();
    }
    const plain = await act({ intent: "create", form: form({ url: "http://hooks.example.com/x" }) }, sessionToken);
    expect(plain.body.fieldErrors).toEqual({ url: "The URL must use https." });
    const blank = await act({ intent: "create", form: form({ url: "  ", events: ["no.such_event"], allEvents: false }) }, sessionToken);
    expect(Object.keys(blank.body.fieldErrors).sort()).toEqual(["events", "url"]);
    expect(await db().webhookEndpoint.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });

  it("sends a test event and shows the result; edits, disables, rotates the secret and deletes", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const made = await act({ intent: "create", form: form({ url: receiver.url }) }, sessionToken);
    const id = made.body.id!;
    receiver.secret = made.body.secret!;

    const ok = await act({ intent: "test", id }, sessionToken);
    expect(ok.body).toMatchObject({ ok: true, toast: "Test event delivered", test: { success: true, statusCode: 200, error: null } });
    const got = await receiver.waitFor((w) => w.body.type === "webhook.test");
    expect(got.signatureValid).toBe(true);
    receiver.failNext(1, 503);
    const failed = await act({ intent: "test", id }, sessionToken);
    expect(failed.body).toMatchObject({ ok: true, test: { success: false, statusCode: 503, error: "The endpoint answered HTTP 503." } });

    const edited = await act({ intent: "update", id, form: form({ url: receiver.url, allEvents: false, events: ["refund.failed"], description: "Refunds" }) }, sessionToken);
    expect(edited.body).toMatchObject({ ok: true, toast: "Endpoint saved" });
    expect(await db().webhookEndpoint.findUniqueOrThrow({ where: { id } })).toMatchObject({ events: ["refund.failed"], description: "Refunds" });

    expect((await act({ intent: "toggle", id, enabled: false }, sessionToken)).body.ok).toBe(true);
    expect((await load(sessionToken)).endpoints[0]).toMatchObject({ enabled: false, disabledReason: "Disabled by the merchant." });
    expect((await act({ intent: "toggle", id, enabled: true }, sessionToken)).body.ok).toBe(true);

    // Rotation: a new secret, shown in the answer; the old one signs beside it for the overlap chosen.
    const rotated = await act({ intent: "rotate", id, expiresInHours: 24 }, sessionToken);
    expect(rotated.body).toMatchObject({ ok: true, toast: "Signing secret rotated", url: receiver.url });
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(made.body.secret);
    let row = await db().webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(signingSecretsOf(row)).toEqual([rotated.body.secret, made.body.secret]);
    const page = await load(sessionToken);
    expect(page.endpoints[0]!.previousSecretExpiresAt).not.toBeNull();
    expect(JSON.stringify(page)).not.toContain(rotated.body.secret!);
    const now = await act({ intent: "rotate", id, expiresInHours: 0 }, sessionToken);
    row = await db().webhookEndpoint.findUniqueOrThrow({ where: { id } });
    expect(signingSecretsOf(row)).toEqual([now.body.secret]);

    expect((await act({ intent: "delete", id }, sessionToken)).body).toMatchObject({ ok: true, toast: "Endpoint deleted" });
    expect(await db().webhookEndpoint.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });

  it("shows the delivery log newest first, by status and endpoint, a page at a time", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const a = (await act({ intent: "create", form: form({ url: "https://a.example.com/hooks" }) }, sessionToken)).body.id!;
    const b = (await act({ intent: "create", form: form({ url: "https://b.example.com/hooks" }) }, sessionToken)).body.id!;
    const start = Date.UTC(2026, 11, 1);
    for (let i = 0; i < 22; i++) {
      await seedDelivery(workspace.id, i % 2 ? b : a, { status: i < 20 ? "delivered" : "failed", key: `k${i}`, createdAt: new Date(start + i * 60_000), lastStatusCode: i < 20 ? 200 : 500 });
    }
    await seedDelivery(workspace.id, a, { status: "retrying", key: "retry", createdAt: new Date(start + 30 * 60_000), lastStatusCode: 502, attempts: 2, lastError: "The endpoint answered HTTP 502." });

    const first = await load(sessionToken);
    expect(first.log).toMatchObject({ page: 1, totalPages: 2, total: 23 });
    expect(first.log.items).toHaveLength(20);
    expect(first.log.items[0]).toMatchObject({ eventType: "transaction.status_changed", status: "pending", statusCode: 502, attempts: 2, error: "The endpoint answered HTTP 502.", endpointUrl: "https://a.example.com/hooks" });
    expect(first.log.items[1]).toMatchObject({ status: "failed", statusCode: 500, endpointId: b, responseBody: "upstream exploded" });
    const second = await load(sessionToken, "?page=2");
    expect(second.log.items).toHaveLength(3);
    expect(new Set([...first.log.items, ...second.log.items].map((d) => d.id)).size).toBe(23);

    const failed = await load(sessionToken, "?status=failed");
    expect(failed.log.items.map((d) => d.status)).toEqual(["failed", "failed"]);
    const pending = await load(sessionToken, "?status=pending");
    expect(pending.log.items.map((d) => d.statusCode)).toEqual([502]);
    const ofB = await load(sessionToken, `?endpoint=${b}&status=delivered`);
    expect(ofB.log.filter).toEqual({ status: "delivered", endpoint: b });
    expect(ofB.log.items).toHaveLength(10);
    expect(ofB.log.items.every((d) => d.endpointId === b && d.status === "delivered")).toBe(true);
  });

  it("replays a failed delivery: queued, then sent again with the same event id by its job", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const made = await act({ intent: "create", form: form({ url: receiver.url }) }, sessionToken);
    receiver.secret = made.body.secret!;
    const delivery = await seedDelivery(workspace.id, made.body.id!, { status: "failed", key: "dead", lastStatusCode: 500, lastError: "The endpoint answered HTTP 500." });
    expect((await load(sessionToken, "?status=failed")).log.items.map((d) => d.id)).toEqual([delivery.id]);

    const replayed = await act({ intent: "replay", id: delivery.id }, sessionToken);
    expect(replayed.body).toMatchObject({ ok: true, id: delivery.id });
    expect((await load(sessionToken)).log.items[0]).toMatchObject({ id: delivery.id, status: "pending", replays: 1 });
    expect((await pendingJobs("webhook-deliver")).some((j) => (j.data as { deliveryId: string }).deliveryId === delivery.id)).toBe(true);
    expect(receiver.requests).toHaveLength(0);

    await runDueJobs();
    const got = await receiver.waitFor((w) => w.body.id === delivery.eventId);
    expect(got.signatureValid).toBe(true);
    const after = (await load(sessionToken, "?status=delivered")).log.items;
    expect(after).toEqual([expect.objectContaining({ id: delivery.id, status: "delivered", statusCode: 200, attempts: 11, replays: 1 })]);

    // A delivery not sent yet has nothing to replay.
    const waiting = await seedDelivery(workspace.id, made.body.id!, { status: "pending", key: "waiting" });
    const refused = await act({ intent: "replay", id: waiting.id }, sessionToken);
    expect(refused.status).toBe(409);
    expect(refused.body.message).toContain("not been sent yet");
  });

  it("lets a member see the endpoints and the log but not change anything", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const made = await act({ intent: "create", form: form() }, sessionToken);
    const delivery = await seedDelivery(workspace.id, made.body.id!, { status: "failed", key: "m", lastStatusCode: 500 });
    const member = await makeTeammate(workspace.id, "member");
    const page = await load(member.sessionToken);
    expect(page.endpoints).toHaveLength(1);
    expect(page.log.items).toHaveLength(1);
    expect(page.readOnly).toContain("Only admins");
    for (const body of [
      { intent: "create", form: form({ url: "https://mine.example.com/x" }) },
      { intent: "update", id: made.body.id, form: form({ description: "Mine" }) },
      { intent: "toggle", id: made.body.id, enabled: false },
      { intent: "rotate", id: made.body.id, expiresInHours: 24 },
      { intent: "test", id: made.body.id },
      { intent: "delete", id: made.body.id },
      { intent: "replay", id: delivery.id },
    ]) {
      const refused = await act(body, member.sessionToken);
      expect(refused.status, body.intent).toBe(403);
      expect(refused.body.secret).toBeUndefined();
    }
    expect(await db().webhookEndpoint.findMany({ where: { workspaceId: workspace.id } })).toEqual([
      expect.objectContaining({ id: made.body.id, description: "Billing service", enabled: true, secretEncrypted: (await db().webhookEndpoint.findUniqueOrThrow({ where: { id: made.body.id } })).secretEncrypted }),
    ]);
    expect((await db().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).replays).toBe(0);
  });

  it("does not find another workspace's endpoint or delivery", async () => {
    const theirs = await makeWorkspace();
    const made = await act({ intent: "create", form: form() }, theirs.sessionToken);
    const delivery = await seedDelivery(theirs.workspace.id, made.body.id!, { status: "failed", key: "t", lastStatusCode: 500 });
    const { sessionToken } = await makeWorkspace();
    for (const body of [
      { intent: "update", id: made.body.id, form: form({ description: "Mine now" }) },
      { intent: "toggle", id: made.body.id, enabled: false },
      { intent: "rotate", id: made.body.id, expiresInHours: 0 },
      { intent: "test", id: made.body.id },
      { intent: "delete", id: made.body.id },
      { intent: "replay", id: delivery.id },
    ]) {
      const answer = await act(body, sessionToken);
      expect(answer.status, body.intent).toBe(404);
      expect(answer.body.secret).toBeUndefined();
    }
    // Filtering the log on their endpoint shows nothing of theirs.
    const page = await load(sessionToken, `?endpoint=${made.body.id}`);
    expect(page.log.filter.endpoint).toBeNull();
    expect(page.log.items).toEqual([]);
    expect(await db().webhookEndpoint.findUniqueOrThrow({ where: { id: made.body.id } })).toMatchObject({ description: "Billing service", enabled: true });
    expect((await db().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).replays).toBe(0);
  });
});
