import { describe, expect, it } from "vitest";
import { requestCustomerAction } from "~/domain/dunning/messages.server";
import { retryNow } from "~/domain/recovery/engine.server";
import { sendUpdateLinkNow } from "~/domain/card-update/manual-send.server";
import * as customerRoute from "~/routes/api.v1.customers.$id";
import * as pauseAllRoute from "~/routes/api.v1.customers.$id.pause-all";
import * as pauseRoute from "~/routes/api.v1.payments.$id.pause";
import * as resumeRoute from "~/routes/api.v1.payments.$id.resume";
import * as retryRoute from "~/routes/api.v1.payments.$id.retry";
import * as dunningRoute from "~/routes/api.v1.recoveries.$id.dunning";
import { db } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../jobs/queues";
import { findEverywhere } from "../helpers/db-scan";
import { pendingJobs, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { v1Caller } from "../helpers/openapi";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";
import { thrownAppError } from "../helpers/thrown";

const env = useStripeAndMail();

describe("DELETE /api/v1/customers/{id}: GDPR erasure over the API", () => {
  it("leaves no row, raw event, stored API answer or job naming the customer, and nothing is charged or sent afterwards", async () => {
    const v1 = await v1Caller({ "/api/v1/customers/{id}": customerRoute, "/api/v1/customers/{id}/pause-all": pauseAllRoute });
    const email = "ada.erasable@example.com";
    const name = "Ada Erasable-Lovelace";
    const m = await merchantWithOpenInvoice(env.stripe, { amount: 4200, email, fingerprint: "fp_ada_erasable", subscription: "sub_ada_erasable" });
    env.stripe.getCustomer(m.account, m.customerId)!.name = name;
    env.stripe.getInvoice(m.account, m.invoiceId)!.customer_name = name;
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "erasure-test" });
    const customer = await db().customer.findFirstOrThrow({ where: { workspaceId: m.workspace.id, externalId: m.customerId } });
    expect(customer).toMatchObject({ email, name });

    // An API answer stored for Idempotency-Key replays names the customer too.
    const path = "/api/v1/customers/{id}";
    await v1.call("POST", `${path}/pause-all`, `/api/v1/customers/${m.customerId}/pause-all`, {
      token: m.apiKey,
      params: { id: m.customerId },
      headers: { "idempotency-key": "pause-ada-1" },
      expect: 200,
    });
    await db().recovery.update({ where: { id: recovery.id }, data: { paused: false } });
    const needles = [email, name, m.customerId, customer.id, m.invoiceId, "fp_ada_erasable", "sub_ada_erasable"];
    for (const needle of [email, m.customerId, customer.id]) expect(await findEverywhere(needle), needle).not.toEqual([]);
    expect((await pendingJobs()).length).toBeGreaterThan(0);

    const mailsBefore = env.smtp.recipients.flat().filter((to) => to === email).length;
    const erased = await v1.call("DELETE", path, `/api/v1/customers/${m.customerId}`, { token: m.apiKey, params: { id: m.customerId }, expect: 200 });
    expect(erased.data).toMatchObject({ deleted: true, customer_id: customer.id, recoveries_anonymised: 1 });
    expect(erased.data.jobs_deleted).toBeGreaterThan(0);
    expect(erased.body.meta?.merchant_id).toBe(m.workspace.id);

    for (const needle of needles) expect(await findEverywhere(needle), needle).toEqual([]);
    const left = (await pendingJobs()).filter((j) => ["charge-retry", "dunning-step", "dunning-send", "recovery-expire"].includes(j.name));
    expect(left).toEqual([]);
    // The merchant's totals keep the amount, anonymously.
    expect(await db().recovery.findFirstOrThrow({ where: { workspaceId: m.workspace.id } })).toMatchObject({ amountDueMinor: 4200, customerId: null });

    await runDueJobs();
    expect(env.stripe.requestsTo("POST", /\/pay$/)).toHaveLength(0);
    expect(env.smtp.recipients.flat().filter((to) => to === email)).toHaveLength(mailsBefore);
    const again = await v1.call("DELETE", path, `/api/v1/customers/${m.customerId}`, { token: m.apiKey, params: { id: m.customerId }, expect: 404 });
    expect(again.error).toMatchObject({ code: "NOT_FOUND", type: "customer_not_found" });
    await v1.call("DELETE", path, `/api/v1/customers/${customer.id}`, { token: m.apiKey, params: { id: customer.id }, expect: 404 });
  });

  it("closes the erased customer's recovery for good: retry, pause, resume and dunning are 409 recovery_erased, and no job charges it", async () => {
    const v1 = await v1Caller({
      "/api/v1/customers/{id}": customerRoute,
      "/api/v1/payments/{id}/retry": retryRoute,
      "/api/v1/payments/{id}/pause": pauseRoute,
      "/api/v1/payments/{id}/resume": resumeRoute,
      "/api/v1/recoveries/{id}/dunning": dunningRoute,
    });
    const m = await merchantWithOpenInvoice(env.stripe, { amount: 3100, email: "grace.erased@example.com", fingerprint: "fp_grace", subscription: "sub_grace" });
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    const id = recovery.id;
    await v1.call("DELETE", "/api/v1/customers/{id}", `/api/v1/customers/${m.customerId}`, { token: m.apiKey, params: { id: m.customerId }, expect: 200 });

    expect(await db().recovery.findUniqueOrThrow({ where: { id }, include: { outcomes: true } })).toMatchObject({
      status: "abandoned",
      paused: false,
      erasedAt: expect.any(Date),
      amountDueMinor: 3100,
      outcomes: [expect.objectContaining({ outcome: "abandoned", reasonCode: "customer_erased" })],
    });
    for (const action of ["retry", "pause", "resume"] as const) {
      const refused = await v1.call("POST", `/api/v1/payments/{id}/${action}`, `/api/v1/payments/${id}/${action}`, { token: m.apiKey, params: { id }, expect: 409 });
      expect(refused.error.type, action).toBe("recovery_erased");
      expect(refused.error.code, action).toBe("RECOVERY_ERASED");
      expect(refused.error.message).toMatch(/erased on request/);
    }
    const dunning = await v1.call("POST", "/api/v1/recoveries/{id}/dunning", `/api/v1/recoveries/${id}/dunning`, { token: m.apiKey, params: { id }, body: {}, expect: 409 });
    expect(dunning.error).toMatchObject({ code: "RECOVERY_ERASED", type: "recovery_erased" });
    // The engine refuses, whoever calls it (dashboard, Stripe App, Revive's retry).
    expect(await thrownAppError(retryNow({ workspaceId: m.workspace.id, recoveryId: id }))).toMatchObject({ code: "recovery_erased" });
    expect(await thrownAppError(sendUpdateLinkNow({ workspaceId: m.workspace.id, recoveryId: id }))).toMatchObject({ code: "recovery_erased" });

    // A retry job that was already on its way does nothing.
    await enqueue(queues.chargeRetry, { recoveryId: id, attemptNumber: 1, at: new Date().toISOString() });
    await runDueJobs();
    expect(env.stripe.requestsTo("POST", /\/pay$/)).toHaveLength(0);
    expect(await db().recovery.findUniqueOrThrow({ where: { id } })).toMatchObject({ status: "abandoned", recoupRetryCount: 0 });
  });
});
