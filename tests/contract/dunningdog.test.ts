import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as connectCallback from "~/routes/api.stripe.connect.callback";
import * as connectStart from "~/routes/api.stripe.connect.start";
import * as updateSession from "~/routes/api.customer.update-payment-session";
import * as recoveriesRoute from "~/routes/api.dashboard.recoveries";
import * as summaryRoute from "~/routes/api.dashboard.summary";
import * as sequenceRoute from "~/routes/api.dunning.sequences.$id";
import * as sequencesRoute from "~/routes/api.dunning.sequences";
import * as webhookRoute from "~/routes/api.webhooks.stripe";
import { createRecoveryToken } from "~/domain/recovery/links.server";
import { db } from "~/utils/db.server";
import { signPayload, type FakeStripe } from "../fakes/stripe-server";
import { makeWorkspace } from "../factories";
import { callRoute, type CallOptions } from "../helpers/http";
import { runDueJobs } from "../helpers/jobs";
import { loadContract } from "../helpers/openapi";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { WEBHOOK_SECRET, deliver, eventOf, setUpStripe } from "../helpers/stripe";

const contract = loadContract("docs/contracts/dunningdog.openapi.json");
const modules: Record<string, Parameters<typeof callRoute>[0]> = {
  "/api/stripe/connect/start": connectStart,
  "/api/stripe/connect/callback": connectCallback,
  "/api/webhooks/stripe": webhookRoute,
  "/api/dashboard/summary": summaryRoute,
  "/api/dashboard/recoveries": recoveriesRoute,
  "/api/dunning/sequences": sequencesRoute,
  "/api/dunning/sequences/{id}": sequenceRoute,
  "/api/customer/update-payment-session": updateSession,
};
const seen = new Set<string>();

/** Calls the operation and checks status and body against the contract. */
async function call(path: string, method: string, url: string, expected: number, opts: CallOptions = {}) {
  const res = await callRoute(modules[path]!, url, { method, ...opts });
  const text = await res.text();
  expect(res.status, text).toBe(expected);
  const body = JSON.parse(text) as Record<string, unknown>;
  contract.assertResponse(path, method, res.status, body, res.headers.get("content-type"));
  if (res.status >= 400) expect(body.traceId).toBe(res.headers.get("x-trace-id"));
  seen.add(`${method} ${path} ${expected}`);
  return body;
}

let stripe: FakeStripe;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;
let other: Awaited<ReturnType<typeof makeWorkspace>>;
beforeAll(async () => {
  stripe = await setUpStripe({ stripeUserId: "acct_contract" });
  ws = await makeWorkspace();
  other = await makeWorkspace();
});
afterAll(() => stripe.close());

describe("the DunningDog contract, operation by operation", () => {
  it("POST /api/stripe/connect/start", async () => {
    const p = "/api/stripe/connect/start";
    await call(p, "POST", p, 200, { body: { workspaceId: ws.workspace.id }, token: ws.apiKey });
    await call(p, "POST", p, 400, { body: { workspace: "x" }, token: ws.apiKey });
    await call(p, "POST", p, 400, { body: "{not json", token: ws.apiKey });
    await call(p, "POST", p, 401, { body: { workspaceId: ws.workspace.id } });
    await call(p, "POST", p, 401, { body: { workspaceId: ws.workspace.id }, token: "rk_live_unknown" });
    await call(p, "POST", p, 403, { body: { workspaceId: other.workspace.id }, token: ws.apiKey });
  });

  it("GET /api/stripe/connect/callback", async () => {
    const p = "/api/stripe/connect/callback";
    const start = await callRoute(connectStart, "/api/stripe/connect/start", { body: { workspaceId: ws.workspace.id }, token: ws.sessionToken });
    const { state } = (await start.json()) as { state: string };
    await call(p, "GET", `${p}?code=ac_contract&state=${state}`, 200);
    await call(p, "GET", `${p}?code=ac_contract2&state=${state}`, 400);
    await call(p, "GET", `${p}?state=${state}`, 400);
  });

  it("POST /api/webhooks/stripe", async () => {
    const p = "/api/webhooks/stripe";
    const body = JSON.stringify(eventOf("invoice.created", { id: "in_c", object: "invoice" }, { account: "acct_contract" }));
    await call(p, "POST", p, 200, { body, headers: { "stripe-signature": signPayload(body, WEBHOOK_SECRET) } });
    const dup = await call(p, "POST", p, 200, { body, headers: { "stripe-signature": signPayload(body, WEBHOOK_SECRET) } });
    expect(dup.duplicate).toBe(true);
    await call(p, "POST", p, 400, { body: "[]", headers: { "stripe-signature": signPayload("[]", WEBHOOK_SECRET) } });
    await call(p, "POST", p, 401, { body, headers: { "stripe-signature": "t=1,v1=00" } });
  });

  it("GET /api/dashboard/summary", async () => {
    const p = "/api/dashboard/summary";
    for (const window of ["7d", "30d", "90d", "month", "lifetime"]) {
      const body = await call(p, "GET", `${p}?workspaceId=${ws.workspace.id}&window=${window}`, 200, { token: ws.apiKey });
      expect(body.window).toBe(window);
    }
    const defaulted = await call(p, "GET", `${p}?workspaceId=${ws.workspace.id}`, 200, { token: ws.apiKey });
    expect(defaulted.window).toBe("month");
    await call(p, "GET", `${p}?workspaceId=${ws.workspace.id}&window=1y`, 400, { token: ws.apiKey });
    await call(p, "GET", `${p}?window=7d`, 400, { token: ws.apiKey });
    await call(p, "GET", `${p}?workspaceId=${ws.workspace.id}`, 401);
    await call(p, "GET", `${p}?workspaceId=${other.workspace.id}`, 403, { token: ws.apiKey });
  });

  it("GET /api/dashboard/recoveries, with real recoveries and outcomes", async () => {
    const m = await merchantWithOpenInvoice(stripe);
    const invoice = stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
    await deliver(eventOf("invoice.payment_failed", invoice, { account: m.account }));
    await runDueJobs();
    stripe.getInvoice(m.account, m.invoiceId)!.status = "void";
    await deliver(eventOf("invoice.voided", { ...invoice, status: "void" }, { account: m.account }));
    await runDueJobs();
    const p = "/api/dashboard/recoveries";
    const page = await call(p, "GET", `${p}?workspaceId=${m.workspace.id}&limit=1`, 200, { token: m.apiKey });
    expect((page.items as Array<{ latestOutcome: { outcome: string } }>)[0]!.latestOutcome.outcome).toBe("abandoned");
    await call(p, "GET", `${p}?workspaceId=${m.workspace.id}&status=abandoned`, 200, { token: m.apiKey });
    await call(p, "GET", `${p}?workspaceId=${m.workspace.id}&status=lost`, 400, { token: m.apiKey });
    await call(p, "GET", `${p}?workspaceId=${m.workspace.id}&limit=101`, 400, { token: m.apiKey });
    await call(p, "GET", `${p}?workspaceId=${m.workspace.id}&cursor=%%%`, 400, { token: m.apiKey });
    await call(p, "GET", `${p}?workspaceId=${m.workspace.id}`, 401);
  });

  it("GET /api/dashboard/recoveries: a recovery with no outcome yet omits latestOutcome (the document's allOf rejects null under OpenAPI 3.0.3)", async () => {
    const m = await merchantWithOpenInvoice(stripe);
    await deliver(eventOf("invoice.payment_failed", stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    const p = "/api/dashboard/recoveries";
    // `call` validates the answer against the DunningDog document, `nullable` read as 3.0.3 defines it.
    const page = await call(p, "GET", `${p}?workspaceId=${m.workspace.id}`, 200, { token: m.apiKey });
    const items = page.items as Array<Record<string, unknown>>;
    expect(items).toHaveLength(1);
    expect(items[0]!.attempt).toMatchObject({ status: "pending" });
    expect(items[0]).not.toHaveProperty("latestOutcome");
  });

  it("POST /api/dunning/sequences and PATCH /api/dunning/sequences/{id}", async () => {
    const p = "/api/dunning/sequences";
    const steps = [{ delayHours: 24, subjectTemplate: "{{merchant_name}}: payment failed", bodyTemplate: "Update: {{update_payment_url}}" }];
    const created = await call(p, "POST", p, 201, { body: { workspaceId: ws.workspace.id, name: "Gentle", isEnabled: true, steps }, token: ws.apiKey });
    await call(p, "POST", p, 400, { body: { workspaceId: ws.workspace.id, name: "Bad", isEnabled: true, steps: [{ ...steps[0], bodyTemplate: "{{coupon}}" }] }, token: ws.apiKey });
    await call(p, "POST", p, 400, { body: { workspaceId: ws.workspace.id, name: "Empty", isEnabled: true, steps: [] }, token: ws.apiKey });
    await call(p, "POST", p, 401, { body: { workspaceId: ws.workspace.id, name: "x", isEnabled: true, steps } });
    const q = "/api/dunning/sequences/{id}";
    const url = `/api/dunning/sequences/${created.id as string}`;
    const params = { id: created.id as string };
    await call(q, "PATCH", url, 200, { body: { name: "Gentler" }, token: ws.apiKey, params });
    await call(q, "PATCH", url, 400, { body: { steps: [{ delayHours: -1 }] }, token: ws.apiKey, params });
    await call(q, "PATCH", url, 401, { body: { name: "x" }, params });
    await call(q, "PATCH", url, 404, { body: { name: "x" }, token: other.apiKey, params });
  });

  it("POST /api/customer/update-payment-session", async () => {
    const m = await merchantWithOpenInvoice(stripe);
    await deliver(eventOf("invoice.payment_failed", stripe.failInvoice(m.account, m.invoiceId, { nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    const p = "/api/customer/update-payment-session";
    const token = createRecoveryToken(recovery.id);
    await call(p, "POST", p, 200, { body: { recoveryToken: token } });
    await call(p, "POST", p, 404, { body: { recoveryToken: `${token}x` } });
    await call(p, "POST", p, 404, { body: { recoveryToken: createRecoveryToken(recovery.id, new Date(Date.now() - 40 * 86_400_000)) } });
    await call(p, "POST", p, 400, { body: {} });
    await db().recovery.update({ where: { id: recovery.id }, data: { status: "recovered" } });
    await call(p, "POST", p, 400, { body: { recoveryToken: token } });
  });

  it("covered every operation of the document", () => {
    for (const { path, method } of contract.operations()) {
      expect([...seen].some((s) => s.startsWith(`${method} ${path} 2`)), `${method} ${path}`).toBe(true);
    }
  });
});
