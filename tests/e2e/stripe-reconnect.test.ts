// A Stripe account that leaves Recoup and comes back (docs/decisions/0019): deauthorised (or
// disconnected in Settings), then the Stripe App installed again (`account.application.authorized`)
// or Connect OAuth again. What the leaving paused carries on; what the merchant paused stays paused.
import { describe, expect, it } from "vitest";
import { pauseRecovery } from "~/domain/recovery/engine.server";
import * as connectCallback from "~/routes/api.stripe.connect.callback";
import * as connectStart from "~/routes/api.stripe.connect.start";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { callRoute, jsonOf } from "../helpers/http";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const OAUTH_ACCOUNT = "acct_comes_back_oauth";
const APPLICATION = { id: "ca_test_client", object: "application", name: "Recoup" };

const env = useStripeAndMail({ stripeUserId: OAUTH_ACCOUNT });

const recoveryOf = (invoiceId: string) => db().recovery.findFirstOrThrow({ where: { externalId: invoiceId } });
const pays = (invoiceId: string) => env.stripe.requestsTo("POST", `/v1/invoices/${invoiceId}/pay`);

/** A merchant with two failed invoices on one account: the first will be left running, the second paused by the merchant. */
async function merchantWithTwoFailures(opts: { account?: string; source?: "oauth" | "stripe_app" } = {}) {
  testClock.set(new Date("2026-11-02T07:00:00Z"));
  const m = await merchantWithOpenInvoice(env.stripe, { account: opts.account });
  const second = `in_second_${Math.random().toString(36).slice(2, 8)}`;
  env.stripe.putInvoice(m.account, {
    id: second,
    customer: m.customerId,
    customer_email: `${m.customerId}@example.com`,
    amount_due: 1200,
    amount_remaining: 1200,
    currency: "usd",
    status: "open",
    collection_method: "charge_automatically",
  });
  if (opts.source === "stripe_app") {
    await db().connectedStripeAccount.update({ where: { stripeAccountId: m.account }, data: { source: "stripe_app", accessTokenEncrypted: null, scopes: [] } });
  }
  for (const invoiceId of [m.invoiceId, second]) {
    const failed = env.stripe.failInvoice(m.account, invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
    await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  }
  await runDueJobs();
  await pauseRecovery({ workspaceId: m.workspace.id, recoveryId: (await recoveryOf(second)).id });
  return { ...m, second, planned: (await recoveryOf(m.invoiceId)).nextActionAt! };
}

async function deauthorize(account: string, opts: { created?: number } = {}) {
  await deliver(eventOf("account.application.deauthorized", APPLICATION, { account, ...opts }));
  await runDueJobs();
}

async function authorize(account: string, opts: { created?: number } = {}) {
  const event = eventOf("account.application.authorized", APPLICATION, { account, ...opts });
  await deliver(event);
  await runDueJobs();
  return db().stripeEvent.findUniqueOrThrow({ where: { eventId: event.id } });
}

/** Moves past the first recovery's planned retry, which must not go while the account is away. */
async function pastPlannedRetry(planned: Date) {
  await advanceTime(Math.max(planned.getTime() - now().getTime(), 0) + MINUTE);
  await runDueJobs();
}

describe("a Stripe account comes back", () => {
  it("the Stripe App installed again: the account is connected again, the recovery its uninstall paused is retried, the merchant's stays paused", async () => {
    const m = await merchantWithTwoFailures({ source: "stripe_app" });
    await deauthorize(m.account);
    expect(await recoveryOf(m.invoiceId)).toMatchObject({ paused: true, pausedBy: "account_disconnected", nextActionReason: expect.stringMatching(/disconnected/) });
    expect(await recoveryOf(m.second)).toMatchObject({ paused: true, pausedBy: "merchant" });
    expect((await recoveryOf(m.second)).nextActionReason).not.toMatch(/disconnected/);
    await pastPlannedRetry(m.planned);
    expect(pays(m.invoiceId)).toHaveLength(0);

    const event = await authorize(m.account);
    expect(event.status).toBe("processed");
    const account = await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: m.account } });
    expect(account.disconnectedAt).toBeNull();
    const resumed = await recoveryOf(m.invoiceId);
    expect(resumed).toMatchObject({ status: "pending", paused: false, pausedBy: null, nextActionKind: "retry" });
    expect(resumed.nextActionAt!.getTime()).toBeGreaterThan(now().getTime());
    expect(await recoveryOf(m.second)).toMatchObject({ paused: true, pausedBy: "merchant" });

    // The account's events count again, and the planned retry goes, for the resumed recovery only.
    await advanceTime(resumed.nextActionAt!.getTime() - now().getTime() + MINUTE);
    await runDueJobs();
    expect(pays(m.invoiceId)).toHaveLength(1);
    expect(pays(m.second)).toHaveLength(0);
  });

  it("events crossing: an authorisation older than the disconnection changes nothing; a deauthorisation older than a reinstall is ignored", async () => {
    const m = await merchantWithTwoFailures({ source: "stripe_app" });
    const before = Math.floor(now().getTime() / 1000);
    await advanceTime(HOUR);
    await deauthorize(m.account);
    expect((await authorize(m.account, { created: before })).status).toBe("ignored");
    expect((await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: m.account } })).disconnectedAt).not.toBeNull();
    expect(await recoveryOf(m.invoiceId)).toMatchObject({ paused: true, pausedBy: "account_disconnected" });

    // Uninstalled at t1, installed again at t2, but Stripe delivers t2 first.
    const other = await merchantWithTwoFailures({ source: "stripe_app" });
    const t1 = Math.floor(now().getTime() / 1000);
    await authorize(other.account, { created: t1 + 60 });
    await deauthorize(other.account, { created: t1 });
    expect((await db().connectedStripeAccount.findUniqueOrThrow({ where: { stripeAccountId: other.account } })).disconnectedAt).toBeNull();
    expect(await recoveryOf(other.invoiceId)).toMatchObject({ paused: false, nextActionKind: "retry" });
  });

  it("Connect OAuth again, into the same workspace: what the disconnection paused is retried; the merchant's pause stays", async () => {
    const m = await merchantWithTwoFailures({ account: OAUTH_ACCOUNT });
    await deauthorize(m.account);
    // A Connect account is not brought back by an authorisation event: only by its OAuth, which gives Recoup its token again.
    expect((await authorize(m.account)).status).toBe("ignored");
    expect(await recoveryOf(m.invoiceId)).toMatchObject({ paused: true, pausedBy: "account_disconnected" });
    await pastPlannedRetry(m.planned);

    const start = await callRoute(connectStart, "/api/stripe/connect/start", { body: { workspaceId: m.workspace.id }, token: m.sessionToken });
    const { state } = await jsonOf<{ state: string }>(start);
    const callback = await callRoute(connectCallback, `/api/stripe/connect/callback?code=ac_again&state=${state}`);
    expect(callback.status).toBe(200);
    expect((await jsonOf<{ connectedAccount: { disconnectedAt: string | null } }>(callback)).connectedAccount.disconnectedAt).toBeNull();

    const resumed = await recoveryOf(m.invoiceId);
    expect(resumed).toMatchObject({ paused: false, pausedBy: null, nextActionKind: "retry" });
    expect(await recoveryOf(m.second)).toMatchObject({ paused: true, pausedBy: "merchant" });
    await advanceTime(resumed.nextActionAt!.getTime() - now().getTime() + MINUTE);
    await runDueJobs();
    expect(pays(m.invoiceId)).toHaveLength(1);
    expect(pays(m.second)).toHaveLength(0);
  });

  it("a recovery whose 30 days ran out while the account was away is closed as failed, not retried", async () => {
    const m = await merchantWithTwoFailures({ source: "stripe_app" });
    await deauthorize(m.account);
    await advanceTime(31 * 24 * HOUR);
    await authorize(m.account);
    expect(await recoveryOf(m.invoiceId)).toMatchObject({ status: "failed", nextActionKind: null });
    expect(pays(m.invoiceId)).toHaveLength(0);
  });
});
