// Flow Arc's payment requests (seed 001) as a client written from that document calls them: every
// answer, errors included, is validated against the seed's own schemas (JSON Schema 2020-12).
import { PNG } from "pngjs";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import * as listRoute from "~/routes/api.v1.payment-requests";
import * as itemRoute from "~/routes/api.v1.payment-requests.$id";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { connectStripeAccount, makeWorkspace } from "../factories";
import { callRoute, type CallOptions } from "../helpers/http";
import { loadContract } from "../helpers/openapi";

const contract = loadContract("../shared/seeds/001_21cfe684c68be865.txt");
type Json = Record<string, unknown>;

/** Calls a Flow Arc operation and checks the answer against the seed document. */
async function flowArc(method: "GET" | "POST" | "PATCH", path: string, opts: CallOptions = {}) {
  const isItem = path !== "/api/v1/payment-requests" && !path.startsWith("/api/v1/payment-requests?");
  const id = isItem ? path.split("/").pop()!.split("?")[0] : undefined;
  const res = await callRoute(isItem ? itemRoute : listRoute, path, { method, ...opts, params: id ? { id } : {} });
  const body = (await res.json()) as Json;
  contract.assertResponse(isItem ? "/api/v1/payment-requests/{id}" : "/api/v1/payment-requests", method, res.status, body, res.headers.get("content-type"));
  return { status: res.status, body, headers: res.headers };
}

let key: string;
let workspaceId: string;
let stripeConnectionId: string;
let dojoConnectionId: string;

beforeAll(async () => {
  process.env.APP_URL = "https://pay.recoup.test";
  resetEnv();
  const w = await makeWorkspace({ name: "Harley Street Clinic" });
  key = w.apiKey;
  workspaceId = w.workspace.id;
  await db().workspace.update({ where: { id: workspaceId }, data: { brandColor: "#b91c1c" } });
  await connectStripeAccount(workspaceId, "acct_flowarc_primary");
  const dojo = await db().providerConnection.create({ data: { workspaceId, provider: "dojo", label: "Dojo", status: "connected", livemode: false } });
  dojoConnectionId = dojo.id;
});

afterEach(() => testClock.reset());

const create = (body: Json, token = key) => flowArc("POST", "/api/v1/payment-requests", { body, token });

describe("POST /api/v1/payment-requests", () => {
  it("creates a pay-link a merchant who just connected Stripe can send at once", async () => {
    const { status, body } = await create({ amount_minor: 2499, description: "Invoice #42 – consultation", customer_mobile: "07911 123456", customer_name: "Ada Lovelace" });
    expect(status).toBe(201);
    stripeConnectionId = (await db().providerConnection.findFirstOrThrow({ where: { workspaceId, provider: "stripe" } })).id;
    expect(body).toMatchObject({
      amount_minor: 2499,
      currency: "GBP",
      status: "open",
      created_via: "api",
      customer_mobile: "+447911123456",
      customer_email: null,
      provider_override_id: null,
      fallback_triggered_at: null,
      resolved_provider_connection_id: stripeConnectionId,
    });
    expect(body.short_code).toMatch(/^[0-9A-Za-z]{12}$/);
    expect(body.url).toBe(`https://pay.recoup.test/pay/${String(body.short_code)}`);
  });

  it("draws the QR code in the merchant's brand colour, as a PNG", async () => {
    const { body } = await create({ amount_minor: 100, description: "QR" });
    const png = PNG.sync.read(Buffer.from(String(body.qr_code_data_url).replace(/^data:image\/png;base64,/, ""), "base64"));
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) colours.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    expect(colours).toEqual(new Set(["185,28,28", "255,255,255"]));
  });

  it("refuses a malformed body with 400 in Flow Arc's ErrorResponse, naming the field", async () => {
    for (const [body, field] of [
      [{ amount_minor: 0, description: "x" }, "amount_minor"],
      [{ amount_minor: 100_000_000, description: "x" }, "amount_minor"],
      [{ amount_minor: 100 }, "description"],
      [{ amount_minor: 100, description: "x", customer_mobile: "12345" }, "customer_mobile"],
      [{ amount_minor: 100, description: "x", customer_email: "not-an-email" }, "customer_email"],
      [{ amount_minor: 100, description: "x", expires_at: "2020-01-01T00:00:00Z" }, "expires_at"],
      [{ amount_minor: 100, description: "x", currency: "XYZ" }, "currency"],
    ] as const) {
      const { status, body: error } = await create(body as Json);
      expect(status, JSON.stringify(body)).toBe(400);
      expect(String(error.message)).toContain(field);
    }
  });

  it("takes another currency only where the link's provider takes it (Recoup's extension: outside the seed's GBP enum)", async () => {
    const post = (body: Json) => callRoute(listRoute, "/api/v1/payment-requests", { method: "POST", body, token: key });
    const euro = await post({ amount_minor: 500, description: "Euro", currency: "eur" });
    expect(euro.status).toBe(201);
    expect(await euro.json()).toMatchObject({ currency: "EUR", amount_minor: 500 });
    const yen = await post({ amount_minor: 500, description: "Yen on Dojo", currency: "JPY", provider_override_id: dojoConnectionId });
    expect(yen.status).toBe(400);
    expect(await yen.json()).toEqual({ error: "validation_failed", message: expect.stringContaining("JPY") });
  });

  it("answers 422 for an override that is not a connected provider of this workspace", async () => {
    const other = await makeWorkspace();
    const theirs = await db().providerConnection.create({ data: { workspaceId: other.workspace.id, provider: "dojo", label: "Theirs", status: "connected" } });
    const unverified = await db().providerConnection.create({ data: { workspaceId, provider: "dojo", label: "New Dojo", status: "setup_incomplete" } });
    for (const id of [theirs.id, unverified.id, "5f0c7f3e-1111-4222-8333-444455556666"]) {
      const { status, body } = await create({ amount_minor: 100, description: "x", provider_override_id: id });
      expect(status).toBe(422);
      expect(body.error).toBe("provider_connection_invalid");
    }
    // The setup walkthrough's £0.01 link may land on the connection it verifies.
    const setup = await create({ amount_minor: 1, description: "Setup test", provider_override_id: unverified.id, is_setup_test: true });
    expect(setup.status).toBe(201);
    expect(setup.body.resolved_provider_connection_id).toBe(unverified.id);
  });

  it("names a dashboard user who created a link by a stable UUID, as Flow Arc's schema says", async () => {
    const { createPaymentRequest } = await import("~/domain/collect/payment-requests.server");
    const owner = await db().workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { ownerUserId: true } });
    const made = await createPaymentRequest({ workspaceId, livemode: true, createdVia: "dashboard", createdByUserId: owner.ownerUserId, amountMinor: 300, currency: "GBP", description: "From the dashboard" });
    const first = await flowArc("GET", `/api/v1/payment-requests/${made.id}`, { token: key });
    const again = await flowArc("GET", `/api/v1/payment-requests/${made.id}`, { token: key });
    expect(first.body).toMatchObject({ created_via: "dashboard", created_by_user_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) });
    expect(again.body.created_by_user_id).toBe(first.body.created_by_user_id);
  });

  it("answers 401 without a key, and 403 to a key without the write scope", async () => {
    const none = await callRoute(listRoute, "/api/v1/payment-requests", { method: "POST", body: { amount_minor: 1, description: "x" } });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual({ error: "unauthorized", message: expect.any(String) });
    const readOnly = await createApiKey({ workspaceId, scopes: ["read"], name: "read only" });
    const res = await callRoute(listRoute, "/api/v1/payment-requests", { method: "POST", body: { amount_minor: 1, description: "x" }, token: readOnly.key });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "insufficient_scope" });
  });
});

describe("GET /api/v1/payment-requests", () => {
  it("lists newest first, filters by status and pages by cursor", async () => {
    const w = await makeWorkspace();
    const make = async (description: string) => (await create({ amount_minor: 100, description }, w.apiKey)).body;
    const a = await make("a");
    const b = await make("b");
    const c = await make("c");
    await flowArc("PATCH", `/api/v1/payment-requests/${String(b.id)}`, { body: { status: "cancelled" }, token: w.apiKey });
    await db().paymentRequest.update({ where: { id: String(a.id) }, data: { expiresAt: new Date(Date.now() - 1000) } });

    const first = await flowArc("GET", "/api/v1/payment-requests?limit=2", { token: w.apiKey });
    expect((first.body.items as Json[]).map((i) => i.description)).toEqual(["c", "b"]);
    expect(first.body.next_cursor).toEqual(expect.any(String));
    const second = await flowArc("GET", `/api/v1/payment-requests?limit=2&cursor=${String(first.body.next_cursor)}`, { token: w.apiKey });
    expect((second.body.items as Json[]).map((i) => i.description)).toEqual(["a"]);
    expect(second.body.next_cursor).toBeNull();

    const byStatus = async (status: string) => ((await flowArc("GET", `/api/v1/payment-requests?status=${status}`, { token: w.apiKey })).body.items as Json[]).map((i) => i.id);
    expect(await byStatus("open")).toEqual([c.id]);
    expect(await byStatus("cancelled")).toEqual([b.id]);
    expect(await byStatus("expired")).toEqual([a.id]);
    expect(await byStatus("succeeded")).toEqual([]);
  });

  it("refuses an unknown status or a cursor it did not give out, in Flow Arc's shape", async () => {
    for (const query of ["status=paid", "limit=0", "limit=101", "cursor=nonsense!"]) {
      const res = await callRoute(listRoute, `/api/v1/payment-requests?${query}`, { token: key });
      expect(res.status, query).toBe(400);
      expect(await res.json()).toEqual({ error: expect.any(String), message: expect.any(String) });
    }
  });
});

describe("GET /api/v1/payment-requests/{id}", () => {
  it("finds the workspace's own request, and not another workspace's", async () => {
    const { body } = await create({ amount_minor: 700, description: "Mine" });
    expect((await flowArc("GET", `/api/v1/payment-requests/${String(body.id)}`, { token: key })).body.description).toBe("Mine");
    const other = await makeWorkspace();
    const theirs = await flowArc("GET", `/api/v1/payment-requests/${String(body.id)}`, { token: other.apiKey });
    expect(theirs.status).toBe(404);
    expect(theirs.body.error).toBe("payment_request_not_found");
    expect((await flowArc("GET", "/api/v1/payment-requests/not-a-uuid", { token: key })).status).toBe(404);
  });
});

describe("PATCH /api/v1/payment-requests/{id}", () => {
  const patch = (id: unknown, body: unknown) => flowArc("PATCH", `/api/v1/payment-requests/${String(id)}`, { body: body as Json, token: key });

  it("cancels an open request once; a second cancel is 409", async () => {
    const { body } = await create({ amount_minor: 100, description: "To cancel" });
    const cancelled = await patch(body.id, { status: "cancelled" });
    expect(cancelled.status).toBe(200);
    expect(cancelled.body.status).toBe("cancelled");
    const again = await patch(body.id, { status: "cancelled" });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe("payment_request_state_conflict");
    expect((await patch(body.id, { provider_override_id: dojoConnectionId })).status).toBe(409);
  });

  it("takes exactly one of the two documented shapes: anything else is 422", async () => {
    const { body } = await create({ amount_minor: 100, description: "Shapes" });
    for (const wrong of [{}, { status: "cancelled", provider_override_id: null }, { status: "open" }, { provider_override_id: "nope" }, { status: "cancelled", note: "x" }, "not json"]) {
      const res = await callRoute(itemRoute, `/api/v1/payment-requests/${String(body.id)}`, { method: "PATCH", body: wrong as Json, token: key, params: { id: String(body.id) } });
      expect(res.status, JSON.stringify(wrong)).toBe(422);
      const error = (await res.json()) as Json;
      contract.assertResponse("/api/v1/payment-requests/{id}", "PATCH", 422, error, res.headers.get("content-type"));
    }
  });

  it("pins to a provider, clears the pin (keeping fallback_triggered_at), and allows 3 changes per 10 minutes", async () => {
    testClock.set(new Date(Date.now()));
    const { body } = await create({ amount_minor: 100, description: "Pinned" });
    const pinned = await patch(body.id, { provider_override_id: dojoConnectionId });
    expect(pinned.body).toMatchObject({ provider_override_id: dojoConnectionId, resolved_provider_connection_id: dojoConnectionId });

    const fellBackAt = new Date(Date.now() - 60_000);
    await db().paymentRequest.update({ where: { id: String(body.id) }, data: { fallbackTriggeredAt: fellBackAt } });
    const cleared = await patch(body.id, { provider_override_id: null });
    expect(cleared.body).toMatchObject({ provider_override_id: null, fallback_triggered_at: fellBackAt.toISOString() });
    await db().routingConfig.update({ where: { workspaceId }, data: { secondaryConnectionId: dojoConnectionId } });
    expect(cleared.body.resolved_provider_connection_id).toBe(stripeConnectionId);
    expect((await flowArc("GET", `/api/v1/payment-requests/${String(body.id)}`, { token: key })).body.resolved_provider_connection_id).toBe(dojoConnectionId);

    expect((await patch(body.id, { provider_override_id: stripeConnectionId })).status).toBe(200);
    const fourth = await patch(body.id, { provider_override_id: null });
    expect(fourth.status).toBe(429);
    expect(fourth.body.error).toBe("override_rate_limited");
    expect(Number(fourth.headers.get("retry-after"))).toBeGreaterThan(0);

    testClock.advance(10 * 60_000 + 1000);
    expect((await patch(body.id, { provider_override_id: null })).status).toBe(200);
    await db().routingConfig.update({ where: { workspaceId }, data: { secondaryConnectionId: null } });
  });
});
