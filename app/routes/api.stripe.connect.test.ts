import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decrypt } from "~/utils/crypto.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import type { FakeStripe } from "../../tests/fakes/stripe-server";
import { makeWorkspace } from "../../tests/factories";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { runDueJobs } from "../../tests/helpers/jobs";
import { merchantWithOpenInvoice } from "../../tests/helpers/scenario";
import { deliver, eventOf, setUpStripe } from "../../tests/helpers/stripe";
import * as callback from "./api.stripe.connect.callback";
import * as start from "./api.stripe.connect.start";

let stripe: FakeStripe;
beforeAll(async () => {
  stripe = await setUpStripe({ stripeUserId: "acct_connect_test" });
});
afterAll(() => stripe.close());

async function begin(token: string, workspaceId: string) {
  const res = await callRoute(start, "/api/stripe/connect/start", { body: { workspaceId }, token });
  return { res, body: await jsonOf<{ redirectUrl: string; state: string; code?: string }>(res) };
}

describe("Stripe Connect OAuth", () => {
  it("builds the authorize URL, exchanges the code once and stores the tokens encrypted", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const { res, body } = await begin(apiKey, workspace.id);
    expect(res.status).toBe(200);
    const url = new URL(body.redirectUrl);
    expect(`${url.origin}${url.pathname}`).toBe("https://connect.stripe.com/oauth/authorize");
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: "code",
      client_id: "ca_test_client",
      scope: "read_write",
      redirect_uri: "http://recoup.test/api/stripe/connect/callback",
      state: body.state,
    });

    const done = await callRoute(callback, `/api/stripe/connect/callback?code=ac_1&state=${body.state}`);
    expect(done.status).toBe(200);
    const result = await jsonOf<{ connectedAccount: Record<string, unknown>; workspace: Record<string, unknown> }>(done);
    expect(result.connectedAccount).toMatchObject({ workspaceId: workspace.id, stripeAccountId: "acct_connect_test", livemode: false, scopes: ["read_write"], disconnectedAt: null });
    expect(result.workspace).toMatchObject({ id: workspace.id, name: workspace.name, billingPlan: "starter", isActive: true });
    const row = await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: "acct_connect_test" } });
    expect(row.accessTokenEncrypted).not.toContain("sk_test");
    expect(decrypt(row.accessTokenEncrypted!)).toMatch(/^sk_test_/);
    expect(stripe.requestsTo("POST", "/oauth/token").at(-1)!.body).toMatchObject({ grant_type: "authorization_code", code: "ac_1" });

    // The same state again is a replay.
    const replay = await callRoute(callback, `/api/stripe/connect/callback?code=ac_2&state=${body.state}`);
    expect(replay.status).toBe(400);
    expect((await jsonOf<{ code: string }>(replay)).code).toBe("invalid_state");
  });

  it("refuses foreign and expired states, and missing parameters, with 400", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const foreign = await callRoute(callback, `/api/stripe/connect/callback?code=ac_3&state=made-up-state`);
    expect(foreign.status).toBe(400);
    const { body } = await begin(apiKey, workspace.id);
    await db().oAuthState.updateMany({ where: { workspaceId: workspace.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const expired = await callRoute(callback, `/api/stripe/connect/callback?code=ac_4&state=${body.state}`);
    expect(expired.status).toBe(400);
    expect((await jsonOf<{ code: string }>(expired)).code).toBe("invalid_state");
    const missing = await callRoute(callback, `/api/stripe/connect/callback?state=${body.state}`);
    expect(missing.status).toBe(400);
    expect((await jsonOf<{ code: string }>(missing)).code).toBe("validation_failed");
  });

  it("turns a code Stripe rejects into a 400 that says so", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const { body } = await begin(apiKey, workspace.id);
    const res = await callRoute(callback, `/api/stripe/connect/callback?code=bad_code&state=${body.state}`);
    expect(res.status).toBe(400);
    expect(await jsonOf(res)).toMatchObject({ code: "oauth_failed" });
  });

  it("redirects a browser to the dashboard instead of answering JSON", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    const { body } = await begin(apiKey, workspace.id);
    await db().connectedStripeAccount.deleteMany({ where: { stripeAccountId: "acct_connect_test" } });
    const res = await callRoute(callback, `/api/stripe/connect/callback?code=ac_5&state=${body.state}`, { headers: { accept: "text/html" } });
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard?connected=acct_connect_test");
  });

  it("guards the workspace: no auth 401, another workspace 403, bad body 400", async () => {
    const a = await makeWorkspace();
    const b = await makeWorkspace();
    expect((await callRoute(start, "/api/stripe/connect/start", { body: { workspaceId: a.workspace.id } })).status).toBe(401);
    const forbidden = await callRoute(start, "/api/stripe/connect/start", { body: { workspaceId: b.workspace.id }, token: a.apiKey });
    expect(forbidden.status).toBe(403);
    expect(await jsonOf(forbidden)).toMatchObject({ code: "forbidden", status: 403 });
    const bad = await callRoute(start, "/api/stripe/connect/start", { body: { workspaceId: 42 }, token: a.apiKey });
    expect(bad.status).toBe(400);
    expect(await jsonOf(bad)).toMatchObject({ code: "validation_failed" });
  });

  it("says plainly when Connect is not configured", async () => {
    const { workspace, apiKey } = await makeWorkspace();
    delete process.env.STRIPE_CLIENT_ID;
    resetEnv();
    try {
      const res = await callRoute(start, "/api/stripe/connect/start", { body: { workspaceId: workspace.id }, token: apiKey });
      expect(res.status).toBe(503);
      expect((await jsonOf<{ detail: string }>(res)).detail).toContain("STRIPE_CLIENT_ID");
    } finally {
      process.env.STRIPE_CLIENT_ID = "ca_test_client";
      resetEnv();
    }
  });

  it("account.application.deauthorized disconnects the account and stops its work", async () => {
    const m = await merchantWithOpenInvoice(stripe);
    const failed = stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
    await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
    await runDueJobs();
    await deliver(eventOf("account.application.deauthorized", { id: "ca_test_client", object: "application", name: "Recoup" }, { account: m.account }));
    await runDueJobs();
    const account = await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: m.account } });
    expect(account.disconnectedAt).not.toBeNull();
    const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    expect(recovery.paused).toBe(true);
    // Later events from that account are stored but not acted on.
    await deliver(eventOf("invoice.voided", { ...stripe.getInvoice(m.account, m.invoiceId), status: "void" }, { account: m.account }));
    await runDueJobs();
    expect((await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } })).status).toBe("pending");
    expect(await db().stripeEvent.findFirst({ where: { stripeAccountId: m.account, type: "invoice.voided" } })).toMatchObject({ status: "ignored" });
  });
});
