import { statusOf } from "~/http/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../../tests/fakes/stripe-server";
import { connectStripeAccount, makeWorkspace } from "../../../tests/factories";
import { runDueJobs } from "../../../tests/helpers/jobs";
import { merchantWithOpenInvoice } from "../../../tests/helpers/scenario";
import { deliver, eventOf, setUpStripe } from "../../../tests/helpers/stripe";
import { disconnectFromDashboard, listConnectedAccounts } from "./connect.server";
import { thrownAppError as thrown } from "../../../tests/helpers/thrown";

let stripe: FakeStripe;

beforeAll(async () => {
  stripe = await setUpStripe();
});
afterAll(async () => {
  await stripe.close();
});

async function merchantWithOpenRecovery() {
  const m = await merchantWithOpenInvoice(stripe, { amount: 4900 });
  const failed = stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
  await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  await runDueJobs();
  const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  return { ...m, recovery };
}


describe("disconnectFromDashboard", () => {
  it("has Stripe revoke Recoup's access, then pauses the account's open recoveries", async () => {
    const { workspace, account, recovery } = await merchantWithOpenRecovery();
    expect(recovery).toMatchObject({ status: "pending", paused: false });

    const result = await disconnectFromDashboard({ workspaceId: workspace.id, stripeAccountId: account });
    expect(result).toMatchObject({ stripeAccountId: account, disconnectedAt: expect.any(String) });

    const calls = stripe.requestsTo("POST", "/oauth/deauthorize").filter((r) => r.body.stripe_user_id === account);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.body).toEqual({ client_id: "ca_test_client", stripe_user_id: account });

    expect(await listConnectedAccounts(workspace.id)).toEqual([]);
    const paused = await db().recovery.findUniqueOrThrow({ where: { id: recovery.id } });
    expect(paused).toMatchObject({ status: "pending", paused: true, nextActionReason: "Paused: the Stripe account was disconnected from Recoup." });
  });

  it("another workspace's account (or one already gone) is not found, and Stripe is not called", async () => {
    const { account } = await merchantWithOpenRecovery();
    const { workspace } = await makeWorkspace();
    const before = stripe.requestsTo("POST", "/oauth/deauthorize").length;
    const error = await thrown(disconnectFromDashboard({ workspaceId: workspace.id, stripeAccountId: account }));
    expect([error.code, statusOf(error)]).toEqual(["not_found", 404]);
    expect(stripe.requestsTo("POST", "/oauth/deauthorize")).toHaveLength(before);
    expect(await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: account } })).toMatchObject({ disconnectedAt: null });
  });

  it("finishes the job when Stripe says the account had already revoked access", async () => {
    const { workspace } = await makeWorkspace();
    const { stripeAccountId } = await connectStripeAccount(workspace.id);
    stripe.queue("POST", "/oauth/deauthorize", {
      status: 401,
      body: { error: "invalid_client", error_description: `This application is not connected to stripe account ${stripeAccountId}, or that account does not exist.` },
    });
    await disconnectFromDashboard({ workspaceId: workspace.id, stripeAccountId });
    expect(await listConnectedAccounts(workspace.id)).toEqual([]);
  });

  it("changes nothing when Stripe can't be reached, and says to try again", async () => {
    const { workspace, account, recovery } = await merchantWithOpenRecovery();
    const outage = { status: 500, body: { error: { type: "api_error", message: "down" } } };
    // The client retries twice (maxNetworkRetries: 2).
    stripe.queue("POST", "/oauth/deauthorize", outage, outage, outage);
    const error = await thrown(disconnectFromDashboard({ workspaceId: workspace.id, stripeAccountId: account }));
    expect(error.code).toBe("upstream_error");
    expect(error.message).toMatch(/Nothing was changed; try again/);
    expect(await listConnectedAccounts(workspace.id)).toHaveLength(1);
    expect(await db().recovery.findUniqueOrThrow({ where: { id: recovery.id } })).toMatchObject({ paused: false });
  });

  it("a Stripe App install has no OAuth grant: it is disconnected here without calling Stripe", async () => {
    const { workspace } = await makeWorkspace();
    const row = await connectStripeAccount(workspace.id);
    await db().connectedStripeAccount.update({ where: { id: row.id }, data: { source: "stripe_app", accessTokenEncrypted: null } });
    const before = stripe.requestsTo("POST", "/oauth/deauthorize").length;
    await disconnectFromDashboard({ workspaceId: workspace.id, stripeAccountId: row.stripeAccountId });
    expect(stripe.requestsTo("POST", "/oauth/deauthorize")).toHaveLength(before);
    expect(await listConnectedAccounts(workspace.id)).toEqual([]);
  });
});
