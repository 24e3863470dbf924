// Outbound webhooks reach public addresses only (ADR 0031): refused at registration, and again at
// every delivery, where the name is resolved and the connection pinned to the checked address.
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import { deliverWebhook } from "~/domain/webhooks/delivery.server";
import * as testRoute from "~/routes/api.v1.webhooks.endpoints.$id.[test]";
import * as endpointsRoute from "~/routes/api.v1.webhooks.endpoints";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import { makeWorkspace } from "../factories";
import { startWebhookReceiver, type FakeWebhookReceiver } from "../fakes/webhook-receiver";
import { liftRateLimits, v1Caller } from "../helpers/openapi";

const LIST = "/api/v1/webhooks/endpoints";
const TEST = "/api/v1/webhooks/endpoints/{id}/test";
const ALLOW = process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE;

let v1: Awaited<ReturnType<typeof v1Caller>>;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let receiver: FakeWebhookReceiver;

/** Production's setting: no private address allowed. */
function withoutAllowList() {
  process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE = "";
  resetEnv();
}

liftRateLimits();
beforeAll(async () => {
  v1 = await v1Caller({ [LIST]: endpointsRoute, [TEST]: testRoute });
  ws = await makeWorkspace();
  receiver = await startWebhookReceiver();
});
afterEach(() => {
  process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE = ALLOW;
  resetEnv();
});
afterAll(() => receiver.close());

describe("registering a webhook endpoint", () => {
  it.each([
    "https://127.0.0.1/hooks",
    "https://localhost/hooks",
    "https://2130706433/hooks",
    "https://0x7f000001/hooks",
    "https://127.1/hooks",
    "https://169.254.169.254/latest/meta-data",
    "https://[fd00:ec2::254]/hooks",
    "https://[::1]/hooks",
    "https://[::ffff:127.0.0.1]/hooks",
    "https://10.0.0.1/hooks",
    "https://192.168.1.10/hooks",
    "https://100.64.0.1/hooks",
    "https://0.0.0.0/hooks",
    "https://metadata.google.internal/computeMetadata/v1/",
    "https://intranet/hooks",
  ])("refuses %s with a 400 naming the field", async (url) => {
    withoutAllowList();
    const refused = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url }, expect: 400 });
    expect(refused.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
    expect(refused.headers.get("content-type")).toBe("application/json; charset=utf-8");
    expect(JSON.stringify(refused.error.errors)).toMatch(/body\.url.*public internet addresses only/);
    expect(await db().webhookEndpoint.count({ where: { workspaceId: ws.workspace.id } })).toBe(0);
  });

  it.each(["http://127.0.0.1/hooks", "http://169.254.169.254/latest/meta-data", "http://metadata.google.internal/computeMetadata/v1/"])(
    "refuses plain-http %s (https only, http only for an allowed loopback outside production)",
    async (url) => {
      withoutAllowList();
      const refused = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url }, expect: 400 });
      expect(refused.error).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ path: "body.url" }] });
      expect(await db().webhookEndpoint.count({ where: { workspaceId: ws.workspace.id, url: { startsWith: url.slice(0, 20) } } })).toBe(0);
    },
  );

  it("accepts a public address, and a loopback one only when the operator allows it", async () => {
    withoutAllowList();
    await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: "https://93.184.215.14/hooks" }, expect: 201 });
    await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: receiver.url }, expect: 400 });
    process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE = "127.0.0.1/32";
    resetEnv();
    await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: receiver.url }, expect: 201 });
  });
});

describe("sending to a webhook endpoint", () => {
  it("'test endpoint' does not connect to a loopback listener once the address is not allowed", async () => {
    const created = await v1.call("POST", LIST, LIST, { token: ws.apiKey, body: { url: receiver.url }, expect: 201 });
    const id = created.data.id as string;
    withoutAllowList();
    const before = receiver.requests.length;
    const result = await v1.call("POST", TEST, `${LIST}/${id}/test`, { token: ws.apiKey, params: { id }, expect: 200 });
    expect(result.data).toMatchObject({ success: false, status_code: null });
    expect(result.data.error).toMatch(/127\.0\.0\.1 is a loopback address/);
    expect(receiver.requests.length).toBe(before);
  });

  it("the webhook-deliver job resolves the name and refuses when it resolves to loopback (no request made)", async () => {
    // Registered while allowed, by name: delivery must resolve `localhost` and check what it got.
    const port = new URL(receiver.url).port;
    const endpoint = await createWebhookEndpoint({ workspaceId: ws.workspace.id, url: `http://localhost:${port}/hooks` });
    receiver.secret = endpoint.signingSecret;
    const event = await db().webhookEvent.create({ data: { workspaceId: ws.workspace.id, type: "payment.retry_due", dedupeKey: "ssrf-1", payload: {} } });
    const delivery = await db().webhookDelivery.create({ data: { workspaceId: ws.workspace.id, endpointId: endpoint.id, eventId: event.id } });

    withoutAllowList();
    const before = receiver.requests.length;
    // Refused, recorded as a failed attempt, and the next one scheduled (ADR 0080).
    await expect(deliverWebhook({ deliveryId: delivery.id })).resolves.toMatchObject({ kind: "retrying", statusCode: null, error: expect.stringMatching(/localhost resolves to .* loopback address/) });
    expect(receiver.requests.length).toBe(before);
    expect(await db().webhookDelivery.findUniqueOrThrow({ where: { id: delivery.id } })).toMatchObject({ status: "retrying", lastStatusCode: null });

    // With the test-only allow-list the next attempt goes through: the receiver is real.
    process.env.OUTBOUND_WEBHOOK_ALLOW_PRIVATE = ALLOW;
    resetEnv();
    await expect(deliverWebhook({ deliveryId: delivery.id, attempt: 2 })).resolves.toMatchObject({ kind: "delivered", statusCode: 200 });
    expect(receiver.requests.length).toBe(before + 1);
  });
});
