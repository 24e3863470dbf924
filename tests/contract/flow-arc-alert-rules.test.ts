// Flow Arc's alert rules (seed 001) as a client written from that document calls them: every answer,
// errors included, is validated against the seed's own schemas (JSON Schema 2020-12).
import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { createWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import * as listRoute from "~/routes/api.v1.alert-rules";
import * as itemRoute from "~/routes/api.v1.alert-rules.$id";
import { uuidFromKey } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { callRoute, type CallOptions } from "../helpers/http";
import { loadContract } from "../helpers/openapi";

const contract = loadContract("../shared/seeds/001_21cfe684c68be865.txt");
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the answer's JSON as it comes
type Json = Record<string, any>;

/** Calls a Flow Arc operation and checks the answer against the seed document. */
async function flowArc(method: "GET" | "POST" | "PATCH" | "DELETE", path: string, opts: CallOptions = {}) {
  const isItem = !/^\/api\/v1\/alert-rules(\?|$)/.test(path);
  const id = isItem ? path.split("/").pop()!.split("?")[0] : undefined;
  const res = await callRoute(isItem ? itemRoute : listRoute, path, { method, ...opts, params: id ? { id } : {} });
  const text = await res.text();
  const body = (text ? JSON.parse(text) : null) as Json;
  if (res.status === 204) expect(text).toBe("");
  else contract.assertResponse(isItem ? "/api/v1/alert-rules/{id}" : "/api/v1/alert-rules", method, res.status, body, res.headers.get("content-type"));
  return { status: res.status, body };
}

let key: string;
let workspaceId: string;
let endpointId: string;

beforeAll(async () => {
  const w = await makeWorkspace({ name: "Harley Street Clinic" });
  key = w.apiKey;
  workspaceId = w.workspace.id;
  endpointId = (await createWebhookEndpoint({ workspaceId, url: "https://hooks.example.com/recoup" })).id;
});

const create = (body: Json, token = key) => flowArc("POST", "/api/v1/alert-rules", { body, token });

describe("POST /api/v1/alert-rules", () => {
  it("creates a rule with Flow Arc's defaults, scoped to the caller's tenant", async () => {
    const { status, body } = await create({ name: "Failed payments", event_type: "payment_failed", channel: "email", recipient_emails: ["Ops@Example.com"] });
    expect(status).toBe(201);
    expect(body).toMatchObject({
      name: "Failed payments",
      enabled: true,
      cadence: "realtime",
      filter_json: {},
      recipient_emails: ["ops@example.com"],
      recipient_phones: [],
      recipient_roles: [],
      webhook_endpoint_id: null,
      tenant_id: uuidFromKey(`workspace:${workspaceId}`),
    });
    expect(await db().alertRule.count({ where: { id: body.id, workspaceId } })).toBe(1);
  });

  it("parses SMS numbers UK-first into E.164, and refuses a number that is none with 422", async () => {
    const ok = await create({ name: "Texts", event_type: "payment_failed", channel: "sms", recipient_phones: ["07911 123456", "+1 415 555 2671"] });
    expect(ok.status).toBe(201);
    expect(ok.body.recipient_phones).toEqual(["+447911123456", "+14155552671"]);
    const bad = await create({ name: "Texts", event_type: "payment_failed", channel: "sms", recipient_phones: ["12345"] });
    expect(bad.status).toBe(422);
    expect(bad.body).toEqual({ error: "unprocessable_entity", message: expect.stringContaining("recipient_phones.0") });
  });

  it("takes a webhook rule only with one of this workspace's endpoints, named by its stable UUID", async () => {
    const endpointUuid = uuidFromKey(`webhook-endpoint:${endpointId}`);
    const ok = await create({ name: "To our Slack bridge", event_type: "payment_failed", channel: "webhook", webhook_endpoint_id: endpointUuid, filter_json: { amountMinMinor: 5000, providers: ["stripe"] } });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ webhook_endpoint_id: endpointUuid, filter_json: { amountMinMinor: 5000, providers: ["stripe"] } });
    expect((await db().alertRule.findUniqueOrThrow({ where: { id: ok.body.id } })).webhookEndpointId).toBe(endpointId);

    const other = await makeWorkspace();
    const theirs = await createWebhookEndpoint({ workspaceId: other.workspace.id, url: "https://hooks.example.com/theirs" });
    for (const id of [uuidFromKey(`webhook-endpoint:${theirs.id}`), "5f0c7f3e-1111-4222-8333-444455556666", undefined]) {
      const { status, body } = await create({ name: "Webhook", event_type: "payment_failed", channel: "webhook", ...(id ? { webhook_endpoint_id: id } : {}) });
      expect(status, String(id)).toBe(422);
      expect(body.message).toContain("webhook_endpoint_id");
    }
  });

  it("answers every invalid body 422 in Flow Arc's ErrorResponse, naming the field", async () => {
    for (const [body, field] of [
      [{ event_type: "payment_failed", channel: "email", recipient_roles: ["owner"] }, "name"],
      [{ name: "x".repeat(121), event_type: "payment_failed", channel: "in_app" }, "name"],
      [{ name: "x", event_type: "payment_exploded", channel: "in_app" }, "event_type"],
      [{ name: "x", event_type: "payment_failed", channel: "pigeon" }, "channel"],
      [{ name: "x", event_type: "payment_failed", channel: "in_app", cadence: "hourly" }, "cadence"],
      [{ name: "x", event_type: "payment_failed", channel: "in_app", filter_json: { colour: "red" } }, "filter_json"],
      [{ name: "x", event_type: "payment_failed", channel: "in_app", filter_json: { amountMinMinor: -1 } }, "amountMinMinor"],
      [{ name: "x", event_type: "payment_failed", channel: "in_app", filter_json: { providers: ["paypal"] } }, "providers"],
      [{ name: "x", event_type: "payment_failed", channel: "email", recipient_emails: ["not-an-email"] }, "recipient_emails"],
      [{ name: "x", event_type: "payment_failed", channel: "email" }, "recipient_emails"],
      [{ name: "x", event_type: "payment_failed", channel: "email", recipient_roles: ["boss"] }, "recipient_roles"],
      [{ name: "x", event_type: "payment_failed", channel: "sms" }, "recipient_phones"],
      ["{not json", "body"],
    ] as const) {
      const { status, body: error } = await create(body as Json);
      expect(status, JSON.stringify(body)).toBe(422);
      expect(String(error.message), JSON.stringify(body)).toContain(field === "body" ? "" : field);
    }
  });

  it("answers 401 without a key, and 403 to a key without the write scope", async () => {
    const none = await flowArc("POST", "/api/v1/alert-rules", { body: { name: "x", event_type: "payment_failed", channel: "in_app" } });
    expect(none.status).toBe(401);
    expect(none.body.error).toBe("unauthorized");
    const readOnly = await createApiKey({ workspaceId, scopes: ["read"], name: "read only" });
    const res = await callRoute(listRoute, "/api/v1/alert-rules", { method: "POST", body: { name: "x", event_type: "payment_failed", channel: "in_app" }, token: readOnly.key });
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "insufficient_scope", message: expect.any(String) });
    // Reading is what a read key may do.
    expect((await flowArc("GET", "/api/v1/alert-rules", { token: readOnly.key })).status).toBe(200);
  });
});

describe("GET /api/v1/alert-rules", () => {
  it("lists the tenant's rules newest first, filtered by enabled, channel and event_type, bounded by limit", async () => {
    const w = await makeWorkspace();
    const made: string[] = [];
    for (const [name, channel, event_type, enabled] of [
      ["A", "in_app", "payment_failed", true],
      ["B", "email", "payment_failed", false],
      ["C", "in_app", "payment_succeeded", true],
    ] as const) {
      const { body } = await create({ name, channel, event_type, enabled, recipient_roles: ["owner"] }, w.apiKey);
      made.push(body.id);
    }
    const names = async (query: string) => ((await flowArc("GET", `/api/v1/alert-rules${query}`, { token: w.apiKey })).body.items as Json[]).map((r) => r.name);
    expect(await names("")).toEqual(["C", "B", "A"]);
    expect(await names("?enabled=false")).toEqual(["B"]);
    expect(await names("?enabled=true")).toEqual(["C", "A"]);
    expect(await names("?channel=in_app")).toEqual(["C", "A"]);
    expect(await names("?event_type=payment_failed&channel=email")).toEqual(["B"]);
    expect(await names("?limit=1")).toEqual(["C"]);
    // Another tenant's rules are not listed.
    expect((await names("")).length).toBe(3);
    for (const query of ["limit=0", "limit=201", "enabled=yes", "channel=pigeon", "event_type=nope"]) {
      const { status, body } = await (async () => {
        const res = await callRoute(listRoute, `/api/v1/alert-rules?${query}`, { token: w.apiKey });
        return { status: res.status, body: (await res.json()) as Json };
      })();
      expect(status, query).toBe(422);
      expect(body).toEqual({ error: "unprocessable_entity", message: expect.any(String) });
    }
  });

  it("answers 401 without credentials", async () => {
    expect((await flowArc("GET", "/api/v1/alert-rules")).status).toBe(401);
  });
});

describe("GET, PATCH, DELETE /api/v1/alert-rules/{id}", () => {
  let ruleId: string;
  beforeAll(async () => {
    ruleId = (await create({ name: "Owners hear of failures", event_type: "payment_failed", channel: "email", recipient_roles: ["owner"] })).body.id;
  });

  it("fetches the rule; another tenant's id, an unknown id and a non-UUID are 404", async () => {
    const { status, body } = await flowArc("GET", `/api/v1/alert-rules/${ruleId}`, { token: key });
    expect(status).toBe(200);
    expect(body.name).toBe("Owners hear of failures");
    const other = await makeWorkspace();
    for (const [id, token] of [
      [ruleId, other.apiKey],
      ["5f0c7f3e-1111-4222-8333-444455556666", key],
      ["not-a-uuid", key],
    ] as const) {
      const res = await flowArc("GET", `/api/v1/alert-rules/${id}`, { token });
      expect(res.status, id).toBe(404);
      expect(res.body.error).toBe("alert_rule_not_found");
    }
    expect((await flowArc("PATCH", `/api/v1/alert-rules/${ruleId}`, { body: { enabled: false }, token: other.apiKey })).status).toBe(404);
    expect((await flowArc("DELETE", `/api/v1/alert-rules/${ruleId}`, { token: other.apiKey })).status).toBe(404);
    expect((await flowArc("GET", `/api/v1/alert-rules/${ruleId}`)).status).toBe(401);
    expect((await db().alertRule.findUniqueOrThrow({ where: { id: ruleId } })).enabled).toBe(true);
  });

  it("patches any subset of fields and checks the rule they make whole", async () => {
    const off = await flowArc("PATCH", `/api/v1/alert-rules/${ruleId}`, { body: { enabled: false, cadence: "daily_digest" }, token: key });
    expect(off.status).toBe(200);
    expect(off.body).toMatchObject({ enabled: false, cadence: "daily_digest", recipient_roles: ["owner"], name: "Owners hear of failures" });
    // Without its last recipient an email rule is incomplete.
    const empty = await flowArc("PATCH", `/api/v1/alert-rules/${ruleId}`, { body: { recipient_roles: [] }, token: key });
    expect(empty.status).toBe(422);
    expect(empty.body.message).toContain("recipient_emails");
    // Becoming an SMS rule needs phones; with them it is one.
    expect((await flowArc("PATCH", `/api/v1/alert-rules/${ruleId}`, { body: { channel: "sms" }, token: key })).status).toBe(422);
    const sms = await flowArc("PATCH", `/api/v1/alert-rules/${ruleId}`, { body: { channel: "sms", recipient_phones: ["07911 123457"] }, token: key });
    expect(sms.status, JSON.stringify(sms.body)).toBe(200);
    expect(sms.body).toMatchObject({ channel: "sms", recipient_phones: ["+447911123457"] });
    // A webhook endpoint set, then cleared with null.
    const endpointUuid = uuidFromKey(`webhook-endpoint:${endpointId}`);
    expect((await flowArc("PATCH", `/api/v1/alert-rules/${ruleId}`, { body: { webhook_endpoint_id: endpointUuid }, token: key })).body.webhook_endpoint_id).toBe(endpointUuid);
    expect((await flowArc("PATCH", `/api/v1/alert-rules/${ruleId}`, { body: { webhook_endpoint_id: null }, token: key })).body.webhook_endpoint_id).toBeNull();
  });

  it("answers an empty or invalid PATCH body 422, and changes nothing", async () => {
    for (const body of [{}, { name: "" }, { enabled: "yes" }, { filter_json: { amountMinMinor: 1.5 } }, "[]", "{bad"]) {
      const res = await flowArc("PATCH", `/api/v1/alert-rules/${ruleId}`, { body, token: key });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.body.error).toBe("unprocessable_entity");
    }
    expect((await db().alertRule.findUniqueOrThrow({ where: { id: ruleId } })).name).toBe("Owners hear of failures");
  });

  it("deletes the rule: 204, then 404", async () => {
    const { body } = await create({ name: "Short-lived", event_type: "payment_refunded", channel: "in_app" });
    expect((await flowArc("DELETE", `/api/v1/alert-rules/${String(body.id)}`, { token: key })).status).toBe(204);
    expect((await flowArc("GET", `/api/v1/alert-rules/${String(body.id)}`, { token: key })).status).toBe(404);
    expect((await flowArc("DELETE", `/api/v1/alert-rules/${String(body.id)}`, { token: key })).status).toBe(404);
  });
});
