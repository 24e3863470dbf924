import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { advanceTime, pendingJobs, runDueJobs } from "../../../tests/helpers/jobs";
import { registerScriptedProvider } from "../../../tests/helpers/test-provider";
import { pauseRecovery, recordInvoiceFailure, retryNow } from "./engine.server";
import type { FailureDetails, FailureFacts } from "./facts";

beforeAll(() => {
  delete process.env.SMTP_URL; // emails stay in the outbox here
});
afterEach(() => testClock.reset());

const acme = registerScriptedProvider("acme");

const decline = (declineCode: string): FailureDetails => ({
  errorCode: "card_declined",
  declineCode,
  adviceCode: null,
  networkDeclineCode: null,
  networkAdviceCode: null,
  message: "Declined by the issuer.",
  cardBrand: "visa",
  cardFingerprint: "acme_card_1",
  cardLast4: "4242",
});

async function failedPayment(provider: string, debt: string, overrides: Partial<FailureFacts> = {}) {
  testClock.set(new Date("2026-11-10T12:00:00Z"));
  const { workspace } = await makeWorkspace();
  const recovery = await recordInvoiceFailure({
    workspaceId: workspace.id,
    provider,
    livemode: true,
    accountId: `${provider}_merchant_1`,
    invoiceId: debt,
    amountDueMinor: 2500,
    currency: "usd",
    hostedInvoiceUrl: null,
    platform: null,
    settlement: { state: "open" },
    failure: decline("insufficient_funds"),
    failedAt: now(),
    sourceKey: `${debt}:evt_1`,
    customer: { externalId: `${debt}_customer`, email: "pat@example.com", name: "Pat" },
    subscriptionId: null,
    ...overrides,
  });
  return { workspace, recovery };
}

const reload = (id: string) => db().recovery.findUniqueOrThrow({ where: { id }, include: { retries: { orderBy: { attemptNumber: "asc" } }, outcomes: true } });

async function untilPlannedRetry(recoveryId: string) {
  const r = await db().recovery.findUniqueOrThrow({ where: { id: recoveryId } });
  expect(r.nextActionKind).toBe("retry");
  await advanceTime(r.nextActionAt!.getTime() - now().getTime() + 1000);
  await runDueJobs();
}

describe("a provider the engine has never heard of (registered by the test suite only)", () => {
  it("failure → planned retry → charged under the engine's key → declined → charged again → recovered", async () => {
    const { recovery } = await failedPayment("acme", "acme_inv_1");
    expect(recovery).toMatchObject({ provider: "acme", status: "pending", nextActionKind: "retry", declineCategory: "soft_retry" });

    acme.answerNext("acme_inv_1", () => ({ kind: "declined", at: now(), failure: { ...decline("insufficient_funds"), paymentIntentId: "acme_pay_1", chargeId: "acme_ch_1" } }));
    await untilPlannedRetry(recovery.id);
    const callsOf = () => acme.calls.filter((c) => c.recoveryId === recovery.id);
    expect(callsOf()).toEqual([{ recoveryId: recovery.id, externalId: "acme_inv_1", idempotencyKey: `acme-charge-${recovery.id}-1` }]);
    let r = await reload(recovery.id);
    expect(r).toMatchObject({ status: "pending", recoupRetryCount: 1, nextActionKind: "retry" });
    expect(r.retries.filter((a) => a.source === "recoup")).toMatchObject([
      { attemptNumber: 1, status: "failed", declineCode: "insufficient_funds", paymentIntentId: "acme_pay_1", chargeId: "acme_ch_1" },
    ]);

    acme.answerNext("acme_inv_1", () => ({ kind: "succeeded", at: now(), amountPaid: 2500, refs: { paymentIntentId: "acme_pay_1", chargeId: "acme_ch_2" } }));
    await untilPlannedRetry(recovery.id);
    expect(callsOf().map((c) => c.idempotencyKey)).toEqual([`acme-charge-${recovery.id}-1`, `acme-charge-${recovery.id}-2`]);
    r = await reload(recovery.id);
    expect(r).toMatchObject({ status: "recovered", recoveredAmountMinor: 2500, nextActionKind: null });
    expect(r.outcomes).toMatchObject([{ outcome: "recovered", reasonCode: "invoice_paid" }]);
    expect(r.retries.filter((a) => a.source === "recoup").map((a) => [a.status, a.chargeId])).toEqual([["failed", "acme_ch_1"], ["succeeded", "acme_ch_2"]]);
  });

  it("a refusal that is not a decline counts the retry and plans the next one", async () => {
    const { recovery } = await failedPayment("acme", "acme_inv_2");
    acme.answerNext("acme_inv_2", () => ({ kind: "not_declined", message: "acme: the debt is locked for review", code: "debt_locked" }));
    await untilPlannedRetry(recovery.id);
    const r = await reload(recovery.id);
    expect(r).toMatchObject({ status: "pending", recoupRetryCount: 1, nextActionKind: "retry", declineCode: "insufficient_funds" });
    expect(r.retries.filter((a) => a.source === "recoup")).toMatchObject([{ attemptNumber: 1, status: "error", errorCode: "debt_locked", errorMessage: "acme: the debt is locked for review" }]);
    const next = (await pendingJobs("charge-retry")).filter((j) => (j.data as { recoveryId: string }).recoveryId === recovery.id);
    expect(next.map((j) => (j.data as { attemptNumber: number }).attemptNumber)).toEqual([2]);
  });

  it("a refusal naming the debt ended closes the recovery as abandoned, without counting a retry", async () => {
    const { recovery } = await failedPayment("acme", "acme_inv_3");
    acme.answerNext("acme_inv_3", () => ({ kind: "not_declined", message: "acme: cancelled", settlement: { state: "ended", reason: "acme_cancelled" } }));
    await untilPlannedRetry(recovery.id);
    const r = await reload(recovery.id);
    expect(r).toMatchObject({ status: "abandoned", recoupRetryCount: 0 });
    expect(r.outcomes).toMatchObject([{ outcome: "abandoned", reasonCode: "acme_cancelled" }]);
  });
});

describe("a merchant-charged provider (an ingested PSP)", () => {
  it("a merchant-paused payment retried now is no longer paused by anyone, and the merchant is asked for the retry", async () => {
    const { workspace, recovery } = await failedPayment("adyen", "psp_paused_1", { accountId: null, failure: { ...decline("Not enough balance"), cardFingerprint: null } });
    const paused = await pauseRecovery({ workspaceId: workspace.id, recoveryId: recovery.id });
    expect(paused).toMatchObject({ paused: true, pausedBy: "merchant" });

    const retried = await retryNow({ workspaceId: workspace.id, recoveryId: recovery.id });
    expect(retried.askedMerchant).toMatchObject({ attemptNumber: 1 });
    const r = await reload(recovery.id);
    expect(r).toMatchObject({ paused: false, pausedAt: null, pausedBy: null, recoupRetryCount: 1, status: "pending" });
    const due = await db().webhookEvent.findMany({ where: { recoveryId: recovery.id, type: "payment.retry_due" } });
    expect(due.map((e) => e.dedupeKey)).toEqual([`retry_due:${recovery.id}:1`]);
  });
});
