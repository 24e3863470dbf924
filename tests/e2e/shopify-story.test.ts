// Shopify dunning end to end, on the Stripe engine (docs/decisions/0007): HMAC-signed webhooks in,
// Shopify's real Admin API client out, answered by a fake Admin GraphQL endpoint at the fetch layer.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";

// Shopify's library captures fetch when imported: the fake must be listening before any app module loads.
const admin = await vi.hoisted(async () => {
  const { startShopifyAdmin } = await import("../fakes/shopify-admin");
  return startShopifyAdmin();
});

import * as summaryRoute from "~/routes/api.dashboard.summary";
import * as updateSession from "~/routes/api.customer.update-payment-session";
import * as recoverPage from "~/routes/recover.$token";
import { pauseRecovery } from "~/domain/recovery/engine.server";
import { createRecoveryToken } from "~/domain/recovery/links.server";
import { recoveryDetailAction, recoveryDetailLoader, type RecoveryActionResult } from "~/contracts/dashboard/recovery-detail.server";
import { SHOPIFY_API_VERSION } from "~/shopify.server";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { callRoute, jsonOf } from "../helpers/http";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { configureShopify, installShop, postShopifyWebhook, SHOPIFY_TEST_TOKEN } from "../helpers/shopify";

const MINUTE = 60_000;
const DAY = 86_400_000;
const BILL = "subscriptionBillingAttemptCreate";
const UPDATE_EMAIL = "customerPaymentMethodSendUpdateEmail";

beforeAll(() => configureShopify());
beforeEach(() => {
  admin.reset();
  testClock.set(new Date("2026-11-02T07:00:00Z"));
});
afterEach(() => testClock.reset());
afterAll(() => admin.close());

let shops = 0;
async function shopWithContract(contract: Partial<Parameters<typeof admin.putContract>[1]> = {}) {
  shops += 1;
  const shop = `story-${shops}.myshopify.com`;
  const ws = await installShop(shop, { name: `Story Coffee ${shops}` });
  const c = admin.putContract(shop, { id: `gid://shopify/SubscriptionContract/${500 + shops}`, ...contract });
  return { ...ws, shop, contract: c };
}

async function recoveryOf(contractId: string) {
  return db().recovery.findFirstOrThrow({ where: { externalSubscriptionId: contractId }, include: { retries: true, messages: true, outcomes: true } });
}

/** Shopify's own (or the subscription app's) billing attempt failed. */
async function platformFailure(shop: string, contractId: string, errorCode: string, opts: { webhookId?: string } = {}) {
  const payload = admin.platformAttemptWebhook(shop, contractId, { errorCode, errorMessage: "Your card was declined." });
  const res = await postShopifyWebhook("subscription_billing_attempts/failure", shop, payload, opts);
  await runDueJobs();
  return { payload, res };
}

/** Mutations sent for this shop (other tests' leftover jobs may run while the clock moves). */
function sent(shop: string, field?: string) {
  return admin.mutations(field).filter((m) => m.shop === shop);
}

async function untilPlannedAction(recoveryNextAt: Date) {
  await advanceTime(recoveryNextAt.getTime() - now().getTime() + MINUTE);
  await runDueJobs();
}

describe("Shopify dunning, end to end", () => {
  it("failure webhook → retry mutation with our idempotency key → success webhook → recovered, on the dashboard", async () => {
    const { shop, contract, workspace, sessionToken } = await shopWithContract({
      lines: [{ title: "Coffee beans, 1 kg", quantity: 2, price: "19.95" }],
      deliveryPrice: "4.99",
    });

    // 1. Shopify's billing attempt fails for lack of funds; the webhook is signed, stored, processed by a job.
    const { payload: failure, res } = await platformFailure(shop, contract.id, "insufficient_funds", { webhookId: "wh-failure-1" });
    expect(res).toEqual({ received: true, duplicate: false });
    let recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({
      provider: "shopify",
      status: "pending",
      externalAccountId: shop,
      externalSubscriptionId: contract.id,
      externalCustomerId: "gid://shopify/Customer/7001",
      externalId: `shopify:${contract.id.split("/").pop()}:${failure.id}`,
      amountDueMinor: 4489, // 2 × 19.95 + 4.99, from the contract
      currency: "usd",
      errorCode: "insufficient_funds",
      declineType: "soft",
      declineCategory: "soft_retry",
      cardFingerprint: "gid://shopify/CustomerPaymentMethod/pm_old",
      cardLast4: "4242",
      cardBrand: "visa",
      nextActionKind: "retry",
    });
    expect(await db().customer.findFirstOrThrow({ where: { workspaceId: workspace.id } })).toMatchObject({ provider: "shopify", email: "ada@example.com", name: "Ada Lovelace" });
    // Shopify's client, the stored offline token, the pinned version: nothing else reached the network.
    expect(admin.requests).toHaveLength(1);
    expect(admin.requests[0]).toMatchObject({ shop, apiVersion: SHOPIFY_API_VERSION, accessToken: SHOPIFY_TEST_TOKEN, fields: ["subscriptionContract", "shop"], variables: { id: contract.id } });
    expect(sent(shop, BILL)).toHaveLength(0);

    // 2. At the planned time, one billing attempt with the key `recoup-<recovery>-1`, pending until Shopify answers.
    await untilPlannedAction(recovery.nextActionAt!);
    const key = `recoup-${recovery.id}-1`;
    expect(sent(shop, BILL)).toHaveLength(1);
    expect(sent(shop, BILL)[0]!.variables).toEqual({
      contractId: contract.id,
      input: { idempotencyKey: key, originTime: recovery.startedAt.toISOString() },
    });
    recovery = await recoveryOf(contract.id);
    expect(recovery.retries.filter((r) => r.source === "recoup")).toEqual([expect.objectContaining({ idempotencyKey: key, status: "pending", attemptNumber: 1 })]);
    expect(recovery).toMatchObject({ status: "pending", nextActionKind: "wait", nextActionReason: expect.stringMatching(/waiting for its answer/) });

    // 3. Shopify's success webhook names our key: that attempt succeeded, the recovery is won back.
    const success = admin.attemptWebhook(key, {});
    await postShopifyWebhook("subscription_billing_attempts/success", shop, success, { webhookId: "wh-success-1" });
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ status: "recovered", recoveredAmountMinor: 4489 });
    expect(recovery.retries.find((r) => r.idempotencyKey === key)?.status).toBe("succeeded");
    expect(recovery.outcomes).toEqual([expect.objectContaining({ outcome: "recovered", reasonCode: "invoice_paid" })]);

    // 4. Redeliveries change nothing: the same webhook ids are duplicates; the failure again under a new id joins the closed recovery.
    expect(await postShopifyWebhook("subscription_billing_attempts/success", shop, success, { webhookId: "wh-success-1" })).toEqual({ received: true, duplicate: true });
    expect(await postShopifyWebhook("subscription_billing_attempts/failure", shop, failure, { webhookId: "wh-failure-1" })).toEqual({ received: true, duplicate: true });
    await postShopifyWebhook("subscription_billing_attempts/failure", shop, failure, { webhookId: "wh-failure-1-again" });
    await advanceTime(30 * DAY);
    await runDueJobs();
    expect(await db().recovery.count({ where: { workspaceId: workspace.id } })).toBe(1);
    expect((await recoveryOf(contract.id)).status).toBe("recovered");
    expect(sent(shop, BILL)).toHaveLength(1);

    // 5. The dashboard shows the money won back.
    const summary = await callRoute(summaryRoute, `/api/dashboard/summary?workspaceId=${workspace.id}&window=lifetime`, { token: sessionToken });
    expect(await jsonOf(summary)).toMatchObject({ recoveredRevenueCents: 4489, failedRevenueCents: 4489, recoveryRate: 1 });
  });

  it("a declined retry is recorded on its own attempt row by key and the next retry follows, with the next key", async () => {
    const { shop, contract } = await shopWithContract();
    await platformFailure(shop, contract.id, "INSUFFICIENT_FUNDS"); // the GraphQL enum's spelling classifies the same
    let recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ declineCategory: "soft_retry", nextActionKind: "retry" });
    await untilPlannedAction(recovery.nextActionAt!);
    await postShopifyWebhook("subscription_billing_attempts/failure", shop, admin.attemptWebhook(`recoup-${recovery.id}-1`, { errorCode: "insufficient_funds" }));
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    const ours = recovery.retries.filter((r) => r.source === "recoup");
    expect(ours).toEqual([expect.objectContaining({ idempotencyKey: `recoup-${recovery.id}-1`, status: "failed", errorCode: "insufficient_funds" })]);
    expect(recovery.retries.filter((r) => r.source === "platform")).toHaveLength(1); // the first failure only
    expect(recovery).toMatchObject({ recoupRetryCount: 1, nextActionKind: "retry" });
    await untilPlannedAction(recovery.nextActionAt!);
    expect(sent(shop, BILL).map((m) => (m.variables.input as { idempotencyKey: string }).idempotencyKey)).toEqual([
      `recoup-${recovery.id}-1`,
      `recoup-${recovery.id}-2`,
    ]);
  });

  it("an expired card: Shopify's update email once, no retry until subscription_contracts/update brings another payment method", async () => {
    const { shop, contract } = await shopWithContract({
      paymentMethod: { id: "gid://shopify/CustomerPaymentMethod/pm_expired", brand: "master", lastDigits: "4444", expiryMonth: 1, expiryYear: 2026 },
    });
    await platformFailure(shop, contract.id, "expired_card");
    let recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ declineType: "hard", declineCategory: "hard_customer", nextActionKind: "email", cardBrand: "mastercard" });
    expect(sent(shop, UPDATE_EMAIL).map((m) => m.variables)).toEqual([{ customerPaymentMethodId: "gid://shopify/CustomerPaymentMethod/pm_expired" }]);
    // Shopify's email replaces ours: the request is one message, sent by Shopify.
    expect(recovery.messages.filter((m) => m.kind === "card_update_request")).toEqual([expect.objectContaining({ transport: "shopify", status: "sent" })]);

    // Another failure of the same cycle, a contract update that changes nothing, days passing: no second email, no retry.
    await platformFailure(shop, contract.id, "expired_card");
    await postShopifyWebhook("subscription_contracts/update", shop, admin.contractWebhook(shop, contract.id));
    await advanceTime(3 * DAY);
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    expect(await db().recovery.count({ where: { externalSubscriptionId: contract.id } })).toBe(1);
    expect(recovery.nextActionKind).toBe("wait");
    expect(sent(shop, UPDATE_EMAIL)).toHaveLength(1);
    expect(sent(shop, BILL)).toHaveLength(0);

    // The customer puts a new card on the contract through Shopify's page: retried within a minute.
    admin.contract(shop, contract.id).paymentMethod = { id: "gid://shopify/CustomerPaymentMethod/pm_new", brand: "visa", lastDigits: "0005", expiryMonth: 8, expiryYear: 2031 };
    await postShopifyWebhook("subscription_contracts/update", shop, admin.contractWebhook(shop, contract.id));
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ nextActionKind: "retry", cardFingerprint: "gid://shopify/CustomerPaymentMethod/pm_new", cardLast4: "0005" });
    expect(recovery.nextActionAt!.getTime() - now().getTime()).toBeLessThanOrEqual(MINUTE);
    await advanceTime(MINUTE);
    await runDueJobs();
    expect(sent(shop, BILL).map((m) => (m.variables.input as { idempotencyKey: string }).idempotencyKey)).toEqual([`recoup-${recovery.id}-1`]);
    await postShopifyWebhook("subscription_billing_attempts/success", shop, admin.attemptWebhook(`recoup-${recovery.id}-1`, {}));
    await runDueJobs();
    expect((await recoveryOf(contract.id)).status).toBe("recovered");
  });

  it("the same vaulted card renewed in place (new expiry, same number) counts as a new payment method", async () => {
    const { shop, contract } = await shopWithContract({
      paymentMethod: { id: "gid://shopify/CustomerPaymentMethod/pm_renew", lastDigits: "4242", expiryMonth: 1, expiryYear: 2026 },
    });
    await platformFailure(shop, contract.id, "expired_card");
    await advanceTime(2 * 3_600_000);
    admin.contract(shop, contract.id).paymentMethod = { id: "gid://shopify/CustomerPaymentMethod/pm_renew", lastDigits: "4242", expiryMonth: 1, expiryYear: 2030 };
    await postShopifyWebhook("subscription_contracts/update", shop, admin.contractWebhook(shop, contract.id));
    await runDueJobs();
    const recovery = await recoveryOf(contract.id);
    expect(recovery.nextActionKind).toBe("retry");
    expect(recovery.paymentMethodUpdatedAt).not.toBeNull();
  });

  it("Shopify refusing its update email (a revoked method): our own card-update email goes instead", async () => {
    const { shop, contract } = await shopWithContract();
    admin.refuseNextUpdateEmail("Customer payment method is revoked");
    await platformFailure(shop, contract.id, "invalid_number");
    let requests = (await recoveryOf(contract.id)).messages.filter((m) => m.kind === "card_update_request");
    expect(requests).toHaveLength(2);
    expect(requests.find((m) => m.transport === "shopify")).toMatchObject({ status: "failed", error: "Customer payment method is revoked" });
    // Ours waits for the customer's daytime (08:00), then goes.
    expect(requests.find((m) => m.transport !== "shopify")).toMatchObject({ status: "scheduled", scheduledFor: new Date("2026-11-02T08:00:00Z") });
    await advanceTime(60 * MINUTE);
    await runDueJobs();
    requests = (await recoveryOf(contract.id)).messages.filter((m) => m.kind === "card_update_request");
    expect(requests).toHaveLength(2);
    expect(requests.find((m) => m.transport !== "shopify")).toMatchObject({ status: "sent", bodyText: expect.stringContaining("/recover/") });
  });

  it("CONTRACT_TERMINATED from the retry closes the recovery as abandoned", async () => {
    const { shop, contract } = await shopWithContract();
    await platformFailure(shop, contract.id, "insufficient_funds");
    let recovery = await recoveryOf(contract.id);
    admin.contract(shop, contract.id).status = "CANCELLED"; // its cancel webhook has not arrived yet
    await untilPlannedAction(recovery.nextActionAt!);
    recovery = await recoveryOf(contract.id);
    expect(recovery.status).toBe("abandoned");
    expect(recovery.outcomes).toEqual([expect.objectContaining({ outcome: "abandoned", reasonCode: "contract_terminated" })]);
    expect(recovery.retries.find((r) => r.source === "recoup")).toMatchObject({ status: "error", errorCode: "CONTRACT_TERMINATED" });
    await postShopifyWebhook("subscription_contracts/cancel", shop, admin.contractWebhook(shop, contract.id));
    await advanceTime(30 * DAY);
    await runDueJobs();
    expect((await recoveryOf(contract.id)).outcomes).toEqual([expect.objectContaining({ reasonCode: "contract_terminated" })]);
    expect(sent(shop, BILL)).toHaveLength(1);
  });

  it("a contract cancelled in Shopify abandons the recovery; no billing attempt afterwards", async () => {
    const { shop, contract } = await shopWithContract();
    await platformFailure(shop, contract.id, "insufficient_funds");
    admin.contract(shop, contract.id).status = "CANCELLED";
    await postShopifyWebhook("subscription_contracts/cancel", shop, admin.contractWebhook(shop, contract.id));
    await runDueJobs();
    const recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ status: "abandoned", nextActionKind: null });
    expect(recovery.outcomes).toEqual([expect.objectContaining({ outcome: "abandoned", reasonCode: "contract_cancelled" })]);
    await advanceTime(30 * DAY);
    await runDueJobs();
    expect(sent(shop)).toHaveLength(0);
  });

  it("throttled GraphQL: the job is retried and Shopify ends up with one billing attempt", async () => {
    const { shop, contract } = await shopWithContract();
    // Throttled while reading the contract: the webhook's job fails, says why, and succeeds on its retry.
    admin.failNext({ kind: "throttled", field: "subscriptionContract" });
    const payload = admin.platformAttemptWebhook(shop, contract.id, { errorCode: "insufficient_funds" });
    await postShopifyWebhook("subscription_billing_attempts/failure", shop, payload, { webhookId: "wh-throttled" });
    expect((await runDueJobs()).failed).toBe(1);
    expect(await db().shopifyWebhook.findUniqueOrThrow({ where: { webhookId: "wh-throttled" } })).toMatchObject({ status: "failed", lastError: expect.stringMatching(/Throttled/) });
    await advanceTime(10 * MINUTE);
    await runDueJobs();
    expect(await db().shopifyWebhook.findUniqueOrThrow({ where: { webhookId: "wh-throttled" } })).toMatchObject({ status: "processed" });
    let recovery = await recoveryOf(contract.id);

    // Throttled (GraphQL THROTTLED, then HTTP 429) at the retry: re-sent under the same key until it lands.
    admin.failNext({ kind: "throttled", field: BILL });
    admin.failNext({ kind: "http", status: 429, field: BILL });
    await advanceTime(recovery.nextActionAt!.getTime() - now().getTime() + MINUTE);
    expect((await runDueJobs()).failed).toBe(1);
    for (let i = 0; i < 3; i++) {
      await advanceTime(10 * MINUTE);
      await runDueJobs();
    }
    const key = `recoup-${recovery.id}-1`;
    expect(sent(shop, BILL).map((m) => [(m.variables.input as { idempotencyKey: string }).idempotencyKey, m.answered])).toEqual([
      [key, "throttled"],
      [key, "http_error"],
      [key, "data"],
    ]);
    expect(admin.billingAttempts.filter((a) => a.idempotencyKey.startsWith("recoup-"))).toHaveLength(1);
    recovery = await recoveryOf(contract.id);
    expect(recovery.retries.filter((r) => r.source === "recoup")).toEqual([expect.objectContaining({ idempotencyKey: key, status: "pending" })]);
    await postShopifyWebhook("subscription_billing_attempts/success", shop, admin.attemptWebhook(key, {}));
    await runDueJobs();
    expect((await recoveryOf(contract.id)).status).toBe("recovered");
  });

  it("pause holds the recovery, activate resumes it", async () => {
    const { shop, contract } = await shopWithContract();
    await platformFailure(shop, contract.id, "insufficient_funds");
    const planned = (await recoveryOf(contract.id)).nextActionAt!;
    admin.contract(shop, contract.id).status = "PAUSED";
    await postShopifyWebhook("subscription_contracts/pause", shop, admin.contractWebhook(shop, contract.id));
    await runDueJobs();
    expect(await recoveryOf(contract.id)).toMatchObject({ paused: true, nextActionReason: expect.stringMatching(/paused in Shopify/) });
    await untilPlannedAction(planned);
    expect(sent(shop, BILL)).toHaveLength(0);

    admin.contract(shop, contract.id).status = "ACTIVE";
    await postShopifyWebhook("subscription_contracts/activate", shop, admin.contractWebhook(shop, contract.id));
    await runDueJobs();
    const recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ paused: false, nextActionKind: "retry" });
    await untilPlannedAction(recovery.nextActionAt!);
    expect(sent(shop, BILL)).toHaveLength(1);
  });

  it("activate resumes only what the contract's pause held: a recovery the merchant paused stays paused", async () => {
    const { shop, contract, workspace } = await shopWithContract();
    await platformFailure(shop, contract.id, "insufficient_funds");
    const planned = (await recoveryOf(contract.id)).nextActionAt!;
    await pauseRecovery({ workspaceId: workspace.id, recoveryId: (await recoveryOf(contract.id)).id });
    admin.contract(shop, contract.id).status = "PAUSED";
    await postShopifyWebhook("subscription_contracts/pause", shop, admin.contractWebhook(shop, contract.id));
    await runDueJobs();
    expect(await recoveryOf(contract.id)).toMatchObject({ paused: true, pausedBy: "merchant" });
    admin.contract(shop, contract.id).status = "ACTIVE";
    await postShopifyWebhook("subscription_contracts/activate", shop, admin.contractWebhook(shop, contract.id));
    await runDueJobs();
    expect(await recoveryOf(contract.id)).toMatchObject({ paused: true, pausedBy: "merchant" });
    await untilPlannedAction(planned);
    expect(sent(shop, BILL)).toHaveLength(0);
  });

  it("a 3-D Secure challenge asks the customer to confirm the payment, by our own email", async () => {
    const { shop, contract } = await shopWithContract();
    const payload = admin.platformAttemptWebhook(shop, contract.id, {});
    await postShopifyWebhook("subscription_billing_attempts/challenged", shop, payload);
    await runDueJobs();
    let recovery = await recoveryOf(contract.id);
    // The customer is asked first; then the engine plans its one off-session retry, at least 30 hours
    // after the challenge, on a morning (07:00) in the customer's zone.
    expect(recovery).toMatchObject({ errorCode: "authentication_required", nextActionKind: "retry", nextActionAt: new Date("2026-11-04T07:00:00Z") });
    expect(recovery.nextActionAt!.getTime() - Date.parse("2026-11-02T07:00:00Z")).toBeGreaterThanOrEqual(30 * 3_600_000);
    // The request waits for the customer's daytime (08:00), then goes by our own email.
    expect(recovery.messages.map((m) => [m.kind, m.status, m.scheduledFor])).toEqual([["authentication_request", "scheduled", new Date("2026-11-02T08:00:00Z")]]);
    await advanceTime(60 * MINUTE);
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    expect(recovery.messages.map((m) => [m.kind, m.transport, m.status])).toContainEqual(["authentication_request", "outbox", "sent"]);
    expect(sent(shop)).toHaveLength(0);
  });

  it("a failure whose contract has been paid meanwhile opens and closes at once (webhooks crossed)", async () => {
    const { shop, contract } = await shopWithContract({ lastPaymentStatus: "SUCCEEDED" });
    await platformFailure(shop, contract.id, "insufficient_funds");
    expect((await recoveryOf(contract.id)).status).toBe("recovered");
    await advanceTime(30 * DAY);
    await runDueJobs();
    expect(sent(shop)).toHaveLength(0);
  });

  it("the /recover page: the button has Shopify email its secure link; DunningDog's session API says why it has none", async () => {
    const { shop, contract } = await shopWithContract();
    await platformFailure(shop, contract.id, "insufficient_funds");
    const recovery = await recoveryOf(contract.id);
    const token = createRecoveryToken(recovery.id, now());
    const args = (method: string) => ({ request: new Request(`http://recoup.test/recover/${token}`, { method }), params: { token }, context: {} });

    expect(await recoverPage.loader(args("GET"))).toMatchObject({ state: "open", amount: "$44.89", paymentHost: "Shopify" });
    const pressed = (await recoverPage.action(args("POST"))) as unknown as { data: unknown; init: { status?: number } | null };
    expect(pressed.data).toEqual({ notice: `We've emailed you a secure link from Story Coffee ${shops} to update your card.`, error: null });
    expect(sent(shop, UPDATE_EMAIL).map((m) => m.variables)).toEqual([{ customerPaymentMethodId: "gid://shopify/CustomerPaymentMethod/pm_old" }]);
    // Pressing again at once sends nothing more.
    await recoverPage.action(args("POST"));
    expect(sent(shop, UPDATE_EMAIL)).toHaveLength(1);

    const session = await callRoute(updateSession, "/api/customer/update-payment-session", { body: { recoveryToken: token } });
    expect(session.status).toBe(400);
    expect(session.headers.get("content-type")).toBe("application/problem+json");
    expect(await jsonOf(session)).toMatchObject({ code: "invalid_state", detail: expect.stringMatching(/Shopify.*emails the customer its own secure link/) });
  });
});

describe("Shopify: where the customer lives, and when they pay (ADRs 0048, 0049)", () => {
  it("the customer's default address places them; without one, the shop's time zone does", async () => {
    const placed = await shopWithContract({ customer: { id: "gid://shopify/Customer/7101", firstName: "Ada", lastName: "L", email: "ada@example.com", address: { countryCode: "US", provinceCode: "IL" } } });
    admin.setShopTimezone(placed.shop, "America/Los_Angeles");
    await platformFailure(placed.shop, placed.contract.id, "insufficient_funds");
    const recovery = await recoveryOf(placed.contract.id);
    expect(await db().customer.findFirstOrThrow({ where: { workspaceId: placed.workspace.id } })).toMatchObject({ timezone: "America/Chicago", country: "US" });
    expect(recovery.nextActionReason).toContain("customer's time, America/Chicago");

    const unplaced = await shopWithContract({ customer: { id: "gid://shopify/Customer/7102", firstName: "Bo", lastName: "M", email: "bo@example.com" } });
    admin.setShopTimezone(unplaced.shop, "Europe/Paris");
    await platformFailure(unplaced.shop, unplaced.contract.id, "insufficient_funds");
    expect(await db().customer.findFirstOrThrow({ where: { workspaceId: unplaced.workspace.id } })).toMatchObject({ timezone: "Europe/Paris", country: null });
  });

  it("every successful billing attempt is the customer's payment, once: Shopify's own cycles and our retries", async () => {
    const { shop, contract, workspace } = await shopWithContract();
    const cycle = admin.platformAttemptWebhook(shop, contract.id, {});
    await postShopifyWebhook("subscription_billing_attempts/success", shop, cycle);
    await postShopifyWebhook("subscription_billing_attempts/success", shop, cycle); // redelivered, another webhook id
    await runDueJobs();
    const rows = await db().customerPayment.findMany({ where: { workspaceId: workspace.id } });
    expect(rows.map((r) => [r.provider, r.externalCustomerId, r.externalId, r.amountMinor, r.currency])).toEqual([
      ["shopify", "gid://shopify/Customer/7001", cycle.admin_graphql_api_id, 4489, "usd"],
    ]);

    // Our own retry paying: the recovery names the customer and the amount, no second question to Shopify.
    const ours = await ourRetryUnderWay();
    const won = admin.attemptWebhook(ours.key, {});
    await postShopifyWebhook("subscription_billing_attempts/success", ours.shop, won);
    await runDueJobs();
    expect((await recoveryOf(ours.contract.id)).status).toBe("recovered");
    const paid = await db().customerPayment.findMany({ where: { workspaceId: ours.workspace.id } });
    expect(paid.map((r) => [r.externalCustomerId, r.externalId, r.amountMinor])).toEqual([["gid://shopify/Customer/7001", won.admin_graphql_api_id, 4489]]);
  });
});

const CHECK = "subscriptionBillingAttempt";
const HOUR = 3_600_000;

/** The Admin API queries of this shop that read a billing attempt. */
function attemptQueries(shop: string) {
  return admin.requests.filter((r) => r.shop === shop && r.operationType === "query" && r.fields.includes(CHECK));
}

/** A failure, then our first retry accepted by Shopify (its outcome still to come). */
async function ourRetryUnderWay(contract: Partial<Parameters<typeof admin.putContract>[1]> = {}) {
  const s = await shopWithContract(contract);
  await platformFailure(s.shop, s.contract.id, "insufficient_funds");
  const recovery = await recoveryOf(s.contract.id);
  await untilPlannedAction(recovery.nextActionAt!);
  const key = `recoup-${recovery.id}-1`;
  expect(sent(s.shop, BILL)).toHaveLength(1);
  return { ...s, recovery, key };
}

function recoverArgs(token: string) {
  return { request: new Request(`http://recoup.test/recover/${token}`), params: { token }, context: {} };
}

describe("3-D Secure on Shopify: the customer confirms the payment on Shopify's page", () => {
  it("a challenged billing attempt: its nextActionUrl is read from Shopify, kept on the recovery, and /recover (the email's link) leads there", async () => {
    const { shop, contract } = await shopWithContract();
    const payload = admin.platformAttemptWebhook(shop, contract.id, { challenged: true });
    await postShopifyWebhook("subscription_billing_attempts/challenged", shop, payload);
    await runDueJobs();

    const attempt = admin.billingAttempts.find((a) => a.id === payload.admin_graphql_api_id)!;
    expect(attempt.nextActionUrl).toMatch(/^https:\/\//);
    expect(attemptQueries(shop).map((r) => r.variables)).toEqual([{ id: attempt.id }]);
    let recovery = await recoveryOf(contract.id);
    // Asked to confirm (our email), then one off-session retry planned.
    expect(recovery).toMatchObject({ errorCode: "authentication_required", nextActionKind: "retry", hostedInvoiceUrl: attempt.nextActionUrl });

    // The authentication email's button is the /recover link; that page's button is Shopify's confirmation page.
    const email = recovery.messages.find((m) => m.kind === "authentication_request")!;
    const token = /\/recover\/([\w.-]+)\?m=/.exec(email.bodyText)![1]!;
    expect(await recoverPage.loader(recoverArgs(token))).toMatchObject({ state: "open", confirmUrl: attempt.nextActionUrl, paymentHost: "Shopify" });

    // The customer confirms: Shopify's success webhook for that attempt closes the recovery.
    await postShopifyWebhook("subscription_billing_attempts/success", shop, admin.attemptWebhook(attempt.idempotencyKey, {}));
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    expect(recovery.status).toBe("recovered");
    expect(await recoverPage.loader(recoverArgs(token))).toMatchObject({ state: "recovered", confirmUrl: null });
  });

  it("a failure with Shopify's authentication code is confirmed the same way; a later plain decline takes the confirmation away", async () => {
    const { shop, contract } = await shopWithContract();
    const payload = admin.platformAttemptWebhook(shop, contract.id, { errorCode: "AUTHENTICATION_REQUIRED", challenged: true });
    await postShopifyWebhook("subscription_billing_attempts/failure", shop, payload);
    await runDueJobs();
    const url = admin.billingAttempts.find((a) => a.id === payload.admin_graphql_api_id)!.nextActionUrl;
    const recovery = await recoveryOf(contract.id);
    expect(recovery.hostedInvoiceUrl).toBe(url);
    const token = createRecoveryToken(recovery.id, now());
    expect(await recoverPage.loader(recoverArgs(token))).toMatchObject({ confirmUrl: url });

    // Another attempt of the cycle fails for lack of funds: nothing to confirm any more, the card is what counts.
    await advanceTime(HOUR);
    await platformFailure(shop, contract.id, "insufficient_funds");
    expect((await recoveryOf(contract.id)).hostedInvoiceUrl).toBeNull();
    expect(await recoverPage.loader(recoverArgs(token))).toMatchObject({ state: "open", confirmUrl: null });
  });

  it("our own retry challenged: declined for authentication with the confirmation page, then won when the customer confirms", async () => {
    const { shop, contract, key } = await ourRetryUnderWay();
    await postShopifyWebhook("subscription_billing_attempts/challenged", shop, admin.attemptWebhook(key, { challenged: true }));
    await runDueJobs();
    let recovery = await recoveryOf(contract.id);
    const attempt = admin.billingAttempts.find((a) => a.idempotencyKey === key)!;
    expect(recovery).toMatchObject({ hostedInvoiceUrl: attempt.nextActionUrl, errorCode: "authentication_required", nextActionKind: "email" });
    expect(recovery.retries.find((r) => r.idempotencyKey === key)).toMatchObject({ status: "failed", errorCode: "authentication_required" });
    expect(recovery.messages.map((m) => m.kind)).toContain("authentication_request");

    await postShopifyWebhook("subscription_billing_attempts/success", shop, admin.attemptWebhook(key, {}));
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    expect(recovery.status).toBe("recovered");
    // The attempt that went through is shown as ours, succeeded.
    expect(recovery.retries.find((r) => r.idempotencyKey === key)?.status).toBe("succeeded");
  });
});

describe("a billing attempt whose webhook never comes", () => {
  it("success: an hour later Shopify is asked, the recovery is won; the webhook arriving late changes nothing", async () => {
    const { shop, contract, key } = await ourRetryUnderWay();
    admin.settleAttempt(key, {}); // paid at Shopify; the webhook is lost
    await advanceTime(50 * MINUTE);
    await runDueJobs();
    expect(attemptQueries(shop)).toHaveLength(0);
    expect((await recoveryOf(contract.id)).status).toBe("pending");

    await advanceTime(11 * MINUTE);
    await runDueJobs();
    const billingAttemptId = admin.billingAttempts.find((a) => a.idempotencyKey === key)!.id;
    expect(attemptQueries(shop).map((r) => r.variables)).toEqual([{ id: billingAttemptId }]);
    let recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ status: "recovered", recoveredAmountMinor: 4489 });
    expect(recovery.retries.find((r) => r.idempotencyKey === key)?.status).toBe("succeeded");

    await postShopifyWebhook("subscription_billing_attempts/success", shop, admin.attemptWebhook(key, {}));
    await advanceTime(DAY);
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    expect(recovery.outcomes).toEqual([expect.objectContaining({ outcome: "recovered", reasonCode: "invoice_paid" })]);
    expect(attemptQueries(shop)).toHaveLength(1);
  });

  it("decline: applied as the failure webhook would be (next retry planned), and the late webhook does not count it twice", async () => {
    const { shop, contract, key, recovery: before } = await ourRetryUnderWay();
    admin.settleAttempt(key, { errorCode: "insufficient_funds", errorMessage: "Insufficient funds." });
    await advanceTime(HOUR + MINUTE);
    await runDueJobs();
    let recovery = await recoveryOf(contract.id);
    expect(recovery.retries.find((r) => r.idempotencyKey === key)).toMatchObject({ status: "failed", errorCode: "insufficient_funds", errorMessage: "Insufficient funds." });
    expect(recovery).toMatchObject({ status: "pending", recoupRetryCount: 1, nextActionKind: "retry" });
    expect(recovery.nextActionAt!.getTime()).toBeGreaterThan(before.nextActionAt!.getTime());

    await postShopifyWebhook("subscription_billing_attempts/failure", shop, admin.attemptWebhook(key, { errorCode: "insufficient_funds" }));
    await runDueJobs();
    recovery = await recoveryOf(contract.id);
    expect(recovery.recoupRetryCount).toBe(1);
    expect(recovery.retries.filter((r) => r.source === "recoup")).toHaveLength(1);
  });

  it("a 3-D Secure challenge found by the check: the confirmation page is kept and the customer is asked", async () => {
    const { contract, key } = await ourRetryUnderWay();
    const attempt = admin.settleAttempt(key, { challenged: true });
    await advanceTime(HOUR + MINUTE);
    await runDueJobs();
    const recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ hostedInvoiceUrl: attempt.nextActionUrl, nextActionKind: "email" });
    expect(recovery.messages.map((m) => m.kind)).toContain("authentication_request");
  });

  it("still processing: asked again every 6 hours, the merchant told why it waits, and closed as failed at the recovery's 30 days", async () => {
    const { shop, contract } = await ourRetryUnderWay();
    await advanceTime(HOUR + MINUTE);
    await runDueJobs();
    expect(attemptQueries(shop)).toHaveLength(1);
    let recovery = await recoveryOf(contract.id);
    expect(recovery).toMatchObject({ status: "pending", nextActionKind: "wait", nextActionReason: expect.stringMatching(/no answer to this retry after 1 hour/) });

    await advanceTime(6 * HOUR);
    await runDueJobs();
    expect(attemptQueries(shop)).toHaveLength(2);

    for (let day = 0; day < 31; day++) {
      await advanceTime(DAY);
      await runDueJobs();
    }
    recovery = await recoveryOf(contract.id);
    expect(recovery.status).toBe("failed");
    expect(recovery.outcomes).toEqual([expect.objectContaining({ outcome: "failed", reasonCode: "schedule_exhausted" })]);
    // No second charge while the first was unanswered, and no more questions once closed.
    expect(sent(shop, BILL)).toHaveLength(1);
    const asked = attemptQueries(shop).length;
    await advanceTime(7 * DAY);
    await runDueJobs();
    expect(attemptQueries(shop)).toHaveLength(asked);
  });

  it("an attempt Shopify no longer knows: counted as a retry that could not be made, and the next one is planned", async () => {
    const { shop, contract, key } = await ourRetryUnderWay();
    admin.billingAttempts.splice(admin.billingAttempts.findIndex((a) => a.idempotencyKey === key), 1);
    await advanceTime(HOUR + MINUTE);
    await runDueJobs();
    const recovery = await recoveryOf(contract.id);
    expect(recovery.retries.find((r) => r.idempotencyKey === key)).toMatchObject({ status: "error", errorMessage: "Shopify has no record of this billing attempt." });
    expect(recovery).toMatchObject({ status: "pending", recoupRetryCount: 1, nextActionKind: "retry" });
    await untilPlannedAction(recovery.nextActionAt!);
    expect(sent(shop, BILL).map((m) => (m.variables.input as { idempotencyKey: string }).idempotencyKey)).toEqual([key, `recoup-${recovery.id}-2`]);
  });

  it("Shopify throttling the check: retried by the job, then applied", async () => {
    const { shop, contract, key } = await ourRetryUnderWay();
    admin.settleAttempt(key, {});
    admin.failNext({ kind: "throttled", field: CHECK });
    await advanceTime(HOUR + MINUTE);
    expect((await runDueJobs()).failed).toBe(1);
    expect((await recoveryOf(contract.id)).status).toBe("pending");
    await advanceTime(10 * MINUTE);
    await runDueJobs();
    expect((await recoveryOf(contract.id)).status).toBe("recovered");
    expect(attemptQueries(shop).map((r) => r.answered)).toEqual(["throttled", "data"]);
  });
});

/** The merchant's recovery page (dashboard or Shopify admin: one loader and action). */
function recoveryPage(workspaceId: string, recoveryId: string) {
  const workspaceOf = async () => workspaceId;
  const url = `http://recoup.test/app/recoveries/${recoveryId}`;
  return {
    load: () => recoveryDetailLoader(workspaceOf, "/app")({ request: new Request(url), params: { id: recoveryId }, context: {} }),
    press: async (intent: string): Promise<{ status: number; result: RecoveryActionResult }> => {
      const form = new FormData();
      form.set("intent", intent);
      const res = (await recoveryDetailAction(workspaceOf)({ request: new Request(url, { method: "POST", body: form }), params: { id: recoveryId }, context: {} })) as
        | RecoveryActionResult
        | { data: RecoveryActionResult; init: { status?: number } | null };
      return "data" in res ? { status: res.init?.status ?? 200, result: res.data } : { status: 200, result: res };
    },
  };
}

describe("the merchant's \"Send update link now\" on a Shopify recovery", () => {
  async function openShopifyRecovery() {
    const s = await shopWithContract();
    await platformFailure(s.shop, s.contract.id, "insufficient_funds");
    const recovery = await recoveryOf(s.contract.id);
    return { ...s, recovery, page: recoveryPage(s.workspace.id, recovery.id) };
  }

  it("Shopify emails its secure link, the toast says so, and a second press (or two at once) sends nothing more", async () => {
    const { shop, recovery, page } = await openShopifyRecovery();
    const [first, second] = await Promise.all([page.press("send_link"), page.press("send_link")]);
    const results = [first, second].sort((a, b) => a.status - b.status);
    expect(results[0]).toEqual({ status: 200, result: expect.objectContaining({ ok: true, message: "Shopify emailed the customer a secure link to update their card." }) });
    expect(results[1]).toMatchObject({ status: 409, result: { ok: false, error: expect.stringContaining("Already sent at") } });
    expect(sent(shop, UPDATE_EMAIL).map((m) => m.variables)).toEqual([{ customerPaymentMethodId: "gid://shopify/CustomerPaymentMethod/pm_old" }]);
    const manual = (await recoveryOf(recovery.externalSubscriptionId!)).messages.filter((m) => m.dedupeKey.startsWith("manual:"));
    expect(manual).toEqual([expect.objectContaining({ kind: "card_update_request", transport: "shopify", status: "sent", toEmail: "ada@example.com" })]);

    await advanceTime(30 * MINUTE);
    expect(await page.press("send_link")).toMatchObject({ status: 409, result: { error: expect.stringContaining("Already sent at") } });
    // An hour on, the customer's inbox still wins: one email every 24 hours (ADR 0035, ADR 0053).
    await advanceTime(31 * MINUTE);
    expect(await page.press("send_link")).toMatchObject({ status: 409, result: { error: expect.stringContaining("at most one email every 24 hours") } });
    await advanceTime(23 * 60 * MINUTE);
    expect(await page.press("send_link")).toMatchObject({ status: 200, result: { message: "Shopify emailed the customer a secure link to update their card." } });
    expect(sent(shop, UPDATE_EMAIL)).toHaveLength(2);
  });

  it("Shopify refusing (a revoked card): our own email with the /recover link goes, and the toast says both", async () => {
    const { shop, recovery, page } = await openShopifyRecovery();
    admin.refuseNextUpdateEmail("Customer payment method is revoked");
    expect(await page.press("send_link")).toMatchObject({
      status: 200,
      result: { message: "Shopify couldn't send its update email (Customer payment method is revoked), so Recoup's update link is on its way to ada@example.com." },
    });
    const manual = (await recoveryOf(recovery.externalSubscriptionId!)).messages.filter((m) => m.dedupeKey.startsWith("manual:"));
    expect(manual.find((m) => m.transport === "shopify")).toMatchObject({ status: "failed", error: "Customer payment method is revoked" });
    expect(manual.find((m) => m.transport !== "shopify")).toMatchObject({ kind: "card_update_request", bodyText: expect.stringMatching(/\/recover\/[\w.-]+\?m=/) });
    expect(sent(shop, UPDATE_EMAIL)).toHaveLength(1);
    expect(await page.press("send_link")).toMatchObject({ status: 409 });
  });

  it("Shopify not answering: nothing recorded, the merchant is told to try again, and the next press sends it", async () => {
    const { shop, recovery, page } = await openShopifyRecovery();
    admin.failNext({ kind: "http", status: 503, field: UPDATE_EMAIL });
    expect(await page.press("send_link")).toMatchObject({ status: 502, result: { ok: false, error: "Shopify didn't answer just now, so no update link was sent. Please try again in a minute." } });
    expect((await recoveryOf(recovery.externalSubscriptionId!)).messages.filter((m) => m.dedupeKey.startsWith("manual:"))).toEqual([]);
    expect(await page.press("send_link")).toMatchObject({ status: 200, result: { message: "Shopify emailed the customer a secure link to update their card." } });
    expect(sent(shop, UPDATE_EMAIL).map((m) => m.answered)).toEqual(["http_error", "data"]);
  });

  it("a payment waiting for the customer's confirmation: our email, whose /recover page leads to Shopify's confirmation", async () => {
    const { shop, contract, workspace } = await shopWithContract();
    await postShopifyWebhook("subscription_billing_attempts/challenged", shop, admin.platformAttemptWebhook(shop, contract.id, { challenged: true }));
    await runDueJobs();
    const recovery = await recoveryOf(contract.id);
    const page = recoveryPage(workspace.id, recovery.id);
    // The engine has just asked the customer to confirm (the email held for their daytime, 08:00):
    // another email waits for the spacing, a day after that one.
    expect(await page.press("send_link")).toMatchObject({ status: 409, result: { error: expect.stringContaining("at most one email every 24 hours") } });
    await advanceTime(24 * 60 * MINUTE);
    expect(await page.press("send_link")).toMatchObject({ status: 409, result: { error: expect.stringContaining("from Tue 3 Nov, 08:00") } });
    await advanceTime(60 * MINUTE);
    expect(await page.press("send_link")).toMatchObject({ status: 200, result: { message: "Update link on its way to ada@example.com." } });
    expect(sent(shop, UPDATE_EMAIL)).toHaveLength(0);
    const manual = (await recoveryOf(contract.id)).messages.find((m) => m.dedupeKey.startsWith("manual:"))!;
    const token = /\/recover\/([\w.-]+)\?m=/.exec(manual.bodyText)![1]!;
    expect(await recoverPage.loader(recoverArgs(token))).toMatchObject({ confirmUrl: recovery.hostedInvoiceUrl });
  });
});

describe("the merchant's recovery page speaks Shopify for a Shopify recovery", () => {
  it("names the contract and billing attempt, links the customer's page in the Shopify admin, and explains the decline from Shopify's codes", async () => {
    const { shop, contract, workspace } = await shopWithContract();
    const { payload } = await platformFailure(shop, contract.id, "payment_method_declined");
    const recovery = await recoveryOf(contract.id);
    const view = await recoveryPage(workspace.id, recovery.id).load();
    const contractNumber = contract.id.split("/").pop();
    expect(view.platform).toEqual({
      name: "Shopify",
      subtitle: `Shopify subscription contract #${contractNumber} · billing attempt #${payload.id}`,
      debt: {
        label: "Subscription",
        text: `Contract #${contractNumber}, billing attempt #${payload.id}`,
        url: `https://${shop}/admin/customers/7001`,
        urlText: "See it on the customer's page in Shopify",
      },
      customer: { text: "Shopify customer #7001", url: null },
    });
    // Shopify's catalogue, not Stripe's (which has no such code).
    expect(view.decline).toBe("The payment method was declined by the processor.");
    expect(view.entries.find((e) => e.kind === "failure")).toMatchObject({ inWords: "The payment method was declined by the processor." });
  });
});
