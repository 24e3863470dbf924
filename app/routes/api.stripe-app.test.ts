import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { connectStripeAccount, makeWorkspace } from "../../tests/factories";
import { callRoute, jsonOf } from "../../tests/helpers/http";
import { resolveStripeAppAccount } from "~/providers/stripe/stripe-app.server";
import { Stripe } from "~/integrations/stripe/client.server";
import { db } from "~/utils/db.server";
import { resetEnv } from "~/utils/env.server";
import * as actionRoute from "./api.stripe-app.recoveries.$id.$action";
import * as overviewRoute from "./api.stripe-app.overview";
import * as recoveriesRoute from "./api.stripe-app.recoveries";
import * as settingsRoute from "./api.stripe-app.settings";

const SECRET = "absec_test_stripe_app_signing_secret";
const signer = new Stripe("sk_test_signing_only", { telemetry: false });

let counter = 0;
function newAccount() {
  counter += 1;
  return `acct_${Date.now().toString(36)}${counter}`;
}

/** What fetchStripeSignature() sends: a signature over {user_id, account_id}, in that order. */
function sign(body: { user_id: string; account_id: string }, opts: { secret?: string; timestamp?: number } = {}) {
  return signer.webhooks.generateTestHeaderString({
    payload: JSON.stringify({ user_id: body.user_id, account_id: body.account_id }),
    secret: opts.secret ?? SECRET,
    ...(opts.timestamp ? { timestamp: opts.timestamp } : {}),
  });
}

type Mod = Parameters<typeof callRoute>[0];

async function call(mod: Mod, path: string, body: Record<string, unknown> & { user_id: string; account_id: string }, opts: { signature?: string | null; params?: Record<string, string> } = {}) {
  const signature = opts.signature === undefined ? sign(body) : opts.signature;
  return callRoute(mod, path, {
    method: "POST",
    body,
    params: opts.params,
    headers: signature === null ? {} : { "stripe-signature": signature },
  });
}

function expectCors(res: Response) {
  expect(res.headers.get("access-control-allow-origin")).toBe("*");
  expect(res.headers.get("access-control-allow-headers")).toBe("Stripe-Signature, Content-Type");
  expect(res.headers.get("access-control-allow-methods")).toBe("POST, OPTIONS");
}

async function seedRecovery(workspaceId: string, opts: { invoice?: string; customer?: string; status?: "pending" | "recovered"; amount?: number; account?: string; paused?: boolean } = {}) {
  counter += 1;
  const at = new Date();
  const customerId = opts.customer ?? `cus_seed${counter}`;
  const customer = await db().customer.upsert({
    where: { workspaceId_provider_externalId: { workspaceId, provider: "stripe", externalId: customerId } },
    create: { workspaceId, provider: "stripe", externalId: customerId, email: `${customerId}@example.com`, name: "Grace Hopper" },
    update: {},
  });
  return db().recovery.create({
    data: {
      workspaceId,
      provider: "stripe",
      externalAccountId: opts.account ?? null,
      externalId: opts.invoice ?? `in_seed${counter}`,
      externalCustomerId: customerId,
      customerId: customer.id,
      declineType: "soft",
      status: opts.status ?? "pending",
      paused: opts.paused ?? false,
      amountDueMinor: opts.amount ?? 2500,
      recoveredAmountMinor: opts.status === "recovered" ? (opts.amount ?? 2500) : null,
      endedAt: opts.status === "recovered" ? at : null,
      currency: "usd",
      startedAt: at,
      lastFailureAt: at,
      errorCode: "card_declined",
      declineCode: "insufficient_funds",
      cardBrand: "visa",
      cardLast4: "4242",
      cardFingerprint: `fp_${counter}`,
      nextActionKind: "retry",
      nextActionAt: new Date(at.getTime() + 86_400_000),
      nextActionReason: "Retrying tomorrow morning.",
    },
  });
}

beforeEach(() => {
  process.env.STRIPE_APP_SECRET = SECRET;
  process.env.APP_URL = "http://recoup.test";
  resetEnv();
});
afterEach(() => {
  delete process.env.STRIPE_APP_SECRET;
  resetEnv();
});

describe("Stripe App authentication", () => {
  const user_id = "usr_1234";

  it("accepts a valid signature", async () => {
    const res = await call(overviewRoute, "/api/stripe-app/overview", { user_id, account_id: newAccount() });
    expect(res.status).toBe(200);
    expectCors(res);
  });

  it.each([
    ["wrong secret", (b: { user_id: string; account_id: string }) => sign(b, { secret: "absec_someone_else" })],
    ["stale timestamp (> 300 s)", (b: { user_id: string; account_id: string }) => sign(b, { timestamp: Math.floor(Date.now() / 1000) - 301 })],
    ["tampered account_id", (b: { user_id: string; account_id: string }) => sign({ ...b, account_id: "acct_somebodyelse" })],
    ["tampered user_id", (b: { user_id: string; account_id: string }) => sign({ ...b, user_id: "usr_other" })],
    ["garbage", () => "t=1,v1=deadbeef"],
    ["missing header", () => null],
  ])("answers 401 problem+json with CORS for %s", async (_, signature) => {
    const body = { user_id, account_id: newAccount() };
    for (const [mod, path, params] of [
      [overviewRoute, "/api/stripe-app/overview", {}],
      [recoveriesRoute, "/api/stripe-app/recoveries", {}],
      [settingsRoute, "/api/stripe-app/settings", {}],
      [actionRoute, "/api/stripe-app/recoveries/r1/pause", { id: "r1", action: "pause" }],
    ] as const) {
      const res = await call(mod, path, { ...body, invoice_id: "in_1" }, { signature: signature(body), params });
      expect({ path, status: res.status, type: res.headers.get("content-type") }).toEqual({ path, status: 401, type: "application/problem+json" });
      expect(await jsonOf(res)).toMatchObject({ code: "invalid_signature", status: 401 });
      expectCors(res);
    }
    // Nothing was created for an unauthenticated caller.
    expect(await db().connectedStripeAccount.count({ where: { stripeAccountId: body.account_id } })).toBe(0);
  });

  it("says so when the signature is stale", async () => {
    const body = { user_id, account_id: newAccount() };
    const res = await call(overviewRoute, "/api/stripe-app/overview", body, { signature: sign(body, { timestamp: Math.floor(Date.now() / 1000) - 600 }) });
    expect((await jsonOf(res)).detail).toMatch(/expired/);
  });

  it("is 400 for ids that are not Stripe's", async () => {
    const body = { user_id: "bob", account_id: "acct_1" };
    const res = await call(overviewRoute, "/api/stripe-app/overview", body);
    expect(res.status).toBe(400);
    expect(await jsonOf(res)).toMatchObject({ code: "validation_failed" });
    expectCors(res);
  });

  it("answers 503 problem+json when STRIPE_APP_SECRET is not configured", async () => {
    delete process.env.STRIPE_APP_SECRET;
    resetEnv();
    const body = { user_id, account_id: newAccount() };
    const res = await call(overviewRoute, "/api/stripe-app/overview", body);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await jsonOf(res)).toMatchObject({ code: "not_configured", detail: expect.stringContaining("STRIPE_APP_SECRET") });
    expectCors(res);
  });

  it("answers the CORS preflight with 204 (Remix sends OPTIONS to the loader), and GET with 405", async () => {
    for (const mod of [overviewRoute, recoveriesRoute, settingsRoute, actionRoute]) {
      const request = new Request("http://localhost:3000/api/stripe-app/overview", {
        method: "OPTIONS",
        headers: { origin: "null", "access-control-request-method": "POST", "access-control-request-headers": "stripe-signature, content-type" },
      });
      const res = await mod.loader({ request, params: {}, context: {} });
      expect(res.status).toBe(204);
      expectCors(res);
      const get = await mod.loader({ request: new Request("http://localhost:3000/api/stripe-app/overview"), params: {}, context: {} });
      expect(get.status).toBe(405);
      expectCors(get);
    }
    // An OPTIONS that reaches the action all the same is a preflight too.
    const res = await callRoute(overviewRoute, "/api/stripe-app/overview", { method: "OPTIONS" });
    expect(res.status).toBe(204);
    expectCors(res);
  });
});

describe("account → workspace", () => {
  it("the first call creates a workspace and a stripe_app account; the second links to it", async () => {
    const account_id = newAccount();
    const first = await jsonOf<{ created: boolean; workspace: { id: string; name: string } }>(
      await call(overviewRoute, "/api/stripe-app/overview", { user_id: "usr_1", account_id, account_name: "Acme Ltd", mode: "live" }),
    );
    expect(first).toMatchObject({ created: true, connected: true });
    expect(first.workspace.name).toBe("Acme Ltd");
    const row = await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: account_id } });
    expect(row).toMatchObject({ workspaceId: first.workspace.id, source: "stripe_app", accessTokenEncrypted: null, livemode: true, scopes: [] });
    expect(await db().dunningSequence.count({ where: { workspaceId: first.workspace.id, isDefault: true } })).toBe(1);

    const second = await jsonOf<typeof first>(await call(overviewRoute, "/api/stripe-app/overview", { user_id: "usr_2", account_id }));
    expect(second).toMatchObject({ created: false, workspace: { id: first.workspace.id } });
  });

  it("names the workspace after the account id when the view gives no name", async () => {
    const account_id = newAccount();
    const res = await jsonOf<{ workspace: { name: string } }>(await call(settingsRoute, "/api/stripe-app/settings", { user_id: "usr_1", account_id }));
    expect(res.workspace.name).toBe(`Stripe account ${account_id}`);
    expect((await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: account_id } })).livemode).toBe(false);
  });

  it("an account connected by OAuth maps to its existing workspace", async () => {
    const { workspace } = await makeWorkspace();
    const account_id = newAccount();
    await connectStripeAccount(workspace.id, account_id);
    const res = await jsonOf<{ created: boolean; workspace: { id: string } }>(await call(overviewRoute, "/api/stripe-app/overview", { user_id: "usr_1", account_id }));
    expect(res).toMatchObject({ created: false, workspace: { id: workspace.id } });
    const row = await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: account_id } });
    expect(row.source).toBe("oauth");
    expect(row.accessTokenEncrypted).not.toBeNull();
  });

  it("concurrent first calls end with one workspace and leave no orphan", async () => {
    const account_id = newAccount();
    const workspacesBefore = await db().workspace.count();
    const usersBefore = await db().user.count();
    const results = await Promise.all(Array.from({ length: 6 }, () => resolveStripeAppAccount({ stripeAccountId: account_id })));
    expect(new Set(results.map((r) => r.workspaceId)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db().workspace.count()).toBe(workspacesBefore + 1);
    expect(await db().user.count()).toBe(usersBefore + 1);
  });

  it("a disconnected account keeps its workspace and stays disconnected; the answer says so", async () => {
    const account_id = newAccount();
    const first = await resolveStripeAppAccount({ stripeAccountId: account_id });
    await db().connectedStripeAccount.update({ where: { stripeAccountId: account_id }, data: { disconnectedAt: new Date() } });
    const res = await jsonOf(await call(overviewRoute, "/api/stripe-app/overview", { user_id: "usr_1", account_id }));
    expect(res).toMatchObject({ created: false, connected: false, workspace: { id: first.workspaceId } });
    expect((await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: account_id } })).disconnectedAt).not.toBeNull();
  });
});

describe("POST /api/stripe-app/overview", () => {
  it("shows this month's numbers and the open recoveries of that account's workspace only", async () => {
    const mine = newAccount();
    const theirs = newAccount();
    const a = await resolveStripeAppAccount({ stripeAccountId: mine });
    const b = await resolveStripeAppAccount({ stripeAccountId: theirs });
    const open = await seedRecovery(a.workspaceId, { amount: 1000, account: mine });
    await seedRecovery(a.workspaceId, { amount: 4000, status: "recovered", account: mine });
    await seedRecovery(b.workspaceId, { amount: 99_900, account: theirs });

    const res = await call(overviewRoute, "/api/stripe-app/overview", { user_id: "usr_1", account_id: mine });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/json");
    const body = await jsonOf<{
      summary: Record<string, unknown>;
      openRecoveries: Array<{ id: string; workspaceId: string; amountDueCents: number; paused: boolean; customerName: string | null }>;
      hasMore: boolean;
    }>(res);
    expect(body.summary).toMatchObject({ window: "month", currency: "usd", failedRevenueCents: 5000, recoveredRevenueCents: 4000, recoveryRate: 0.8, openCount: 1 });
    expect(body.openRecoveries).toHaveLength(1);
    expect(body.openRecoveries[0]).toMatchObject({ id: open.id, workspaceId: a.workspaceId, amountDueCents: 1000, paused: false, customerName: "Grace Hopper" });
    // Named as the dashboard's list names it: a Stripe invoice and customer by their ids.
    expect(body.openRecoveries[0]).toMatchObject({ reference: { title: open.externalId, subtitle: open.externalCustomerId } });
    expect(body.hasMore).toBe(false);
  });

  it("lists at most 20 open recoveries and says there are more", async () => {
    const account_id = newAccount();
    const a = await resolveStripeAppAccount({ stripeAccountId: account_id });
    for (let i = 0; i < 21; i++) await seedRecovery(a.workspaceId);
    const body = await jsonOf<{ openRecoveries: unknown[]; hasMore: boolean; summary: { openCount: number } }>(
      await call(overviewRoute, "/api/stripe-app/overview", { user_id: "usr_1", account_id }),
    );
    expect(body.openRecoveries).toHaveLength(20);
    expect(body.hasMore).toBe(true);
    expect(body.summary.openCount).toBe(21);
  });
});

describe("POST /api/stripe-app/recoveries", () => {
  it("returns an invoice's recoveries and the latest one's timeline", async () => {
    const account_id = newAccount();
    const a = await resolveStripeAppAccount({ stripeAccountId: account_id });
    const r = await seedRecovery(a.workspaceId, { invoice: "in_detail1", customer: "cus_detail1", account: account_id });
    const body = await jsonOf<{ recoveries: Array<{ id: string }>; latest: { attempt: { id: string }; paused: boolean; entries: unknown[]; nextAction: unknown } }>(
      await call(recoveriesRoute, "/api/stripe-app/recoveries", { user_id: "usr_1", account_id, invoice_id: "in_detail1" }),
    );
    expect(body.recoveries.map((x) => x.id)).toEqual([r.id]);
    expect(body.latest).toMatchObject({ attempt: { id: r.id }, paused: false, nextAction: { kind: "retry" } });

    const byCustomer = await jsonOf<typeof body>(
      await call(recoveriesRoute, "/api/stripe-app/recoveries", { user_id: "usr_1", account_id, customer_id: "cus_detail1" }),
    );
    expect(byCustomer.recoveries.map((x) => x.id)).toEqual([r.id]);
  });

  it("is empty (latest null) for an object without recoveries, and never shows another workspace's", async () => {
    const mine = newAccount();
    const theirs = newAccount();
    await resolveStripeAppAccount({ stripeAccountId: mine });
    const b = await resolveStripeAppAccount({ stripeAccountId: theirs });
    await seedRecovery(b.workspaceId, { invoice: "in_shared1", customer: "cus_shared1" });
    for (const extra of [{ invoice_id: "in_shared1" }, { customer_id: "cus_shared1" }]) {
      const body = await jsonOf(await call(recoveriesRoute, "/api/stripe-app/recoveries", { user_id: "usr_1", account_id: mine, ...extra }));
      expect(body).toEqual({ recoveries: [], latest: null });
    }
  });

  it("is 400 unless exactly one of customer_id or invoice_id is given", async () => {
    const account_id = newAccount();
    for (const extra of [{}, { invoice_id: "in_1", customer_id: "cus_1" }, { invoice_id: "ch_1" }]) {
      const res = await call(recoveriesRoute, "/api/stripe-app/recoveries", { user_id: "usr_1", account_id, ...extra });
      expect(res.status).toBe(400);
      expectCors(res);
    }
  });
});

describe("POST /api/stripe-app/recoveries/:id/:action", () => {
  async function setUp() {
    const account_id = newAccount();
    const a = await resolveStripeAppAccount({ stripeAccountId: account_id });
    const recovery = await seedRecovery(a.workspaceId, { account: account_id });
    const act = (action: string, id = recovery.id) =>
      call(actionRoute, `/api/stripe-app/recoveries/${id}/${action}`, { user_id: "usr_1", account_id }, { params: { id, action } });
    return { account_id, workspaceId: a.workspaceId, recovery, act };
  }

  it("pauses, resumes and retries, answering the timeline", async () => {
    const { recovery, act } = await setUp();
    const paused = await act("pause");
    expect(paused.status).toBe(200);
    expectCors(paused);
    expect(await jsonOf(paused)).toMatchObject({ attempt: { id: recovery.id }, paused: true });

    const resumed = await jsonOf(await act("resume"));
    expect(resumed).toMatchObject({ paused: false, nextAction: { kind: "retry" } });

    const retried = await jsonOf<{ nextAction: { kind: string; at: string; reason: string } }>(await act("retry"));
    expect(retried.nextAction).toMatchObject({ kind: "retry", reason: "Retrying now, as requested by the merchant." });
    expect(Date.parse(retried.nextAction.at)).toBeLessThanOrEqual(Date.now());
  });

  it("refuses in plain words with 409 when the recovery is closed", async () => {
    const { workspaceId, act } = await setUp();
    const closed = await seedRecovery(workspaceId, { status: "recovered" });
    for (const [action, word] of [["retry", "retried"], ["pause", "paused"], ["resume", "resumed"]]) {
      const res = await act(action!, closed.id);
      expect(res.status).toBe(409);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(await jsonOf(res)).toMatchObject({ code: "conflict", detail: `This recovery is already closed, so it can't be ${word}.` });
      expectCors(res);
    }
  });

  it("refuses a retry the card networks forbid, with the reason", async () => {
    const { recovery, act } = await setUp();
    await db().recovery.update({ where: { id: recovery.id }, data: { declineCode: "stolen_card", errorCode: "card_declined" } });
    const res = await act("retry");
    expect(res.status).toBe(409);
    expect((await jsonOf<{ detail: string }>(res)).detail).toMatch(/^Not retried: /);
  });

  it("is 404 for another workspace's recovery and for an unknown action", async () => {
    const mine = await setUp();
    const theirs = await setUp();
    const res = await mine.act("pause", theirs.recovery.id);
    expect(res.status).toBe(404);
    expect(await jsonOf(res)).toMatchObject({ code: "recovery_not_found" });
    expectCors(res);
    expect((await db().recovery.findUniqueOrThrow({ where: { id: theirs.recovery.id } })).paused).toBe(false);

    const unknown = await mine.act("refund");
    expect(unknown.status).toBe(404);
    expect(await jsonOf(unknown)).toMatchObject({ code: "not_found" });
  });
});

describe("POST /api/stripe-app/settings", () => {
  it("returns the retry policy in force and the full dashboard's URL", async () => {
    const account_id = newAccount();
    const a = await resolveStripeAppAccount({ stripeAccountId: account_id });
    await db().workspace.update({ where: { id: a.workspaceId }, data: { retrySettings: { maxRetries: 4 }, timezone: "Europe/Paris" } });
    const res = await call(settingsRoute, "/api/stripe-app/settings", { user_id: "usr_1", account_id });
    expect(res.status).toBe(200);
    expectCors(res);
    expect(await jsonOf(res)).toMatchObject({
      workspace: { id: a.workspaceId, timezone: "Europe/Paris" },
      retryPolicy: { maxRetries: 4, retryWindowDays: 30, preferredLocalHours: [7, 10], paydayAware: true, quietHours: null },
      activeSequences: 1,
      dashboardUrl: "http://recoup.test/dashboard",
    });
  });
});
