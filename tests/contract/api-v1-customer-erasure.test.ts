import { describe, expect, it } from "vitest";
import { requestCustomerAction } from "~/domain/dunning/messages.server";
import * as customerRoute from "~/routes/api.v1.customers.$id";
import * as pauseAllRoute from "~/routes/api.v1.customers.$id.pause-all";
import { db } from "~/utils/db.server";
import { findEverywhere } from "../helpers/db-scan";
import { pendingJobs, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { v1Caller } from "../helpers/openapi";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

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
    const recovery = await db().recoveryAttempt.findFirstOrThrow({ where: { stripeInvoiceId: m.invoiceId } });
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
    await db().recoveryAttempt.update({ where: { id: recovery.id }, data: { paused: false } });
    const needles = [email, name, m.customerId, customer.id, m.invoiceId, "fp_ada_erasable", "sub_ada_erasable"];
    for (const needle of [email, m.customerId, customer.id]) expect(await findEverywhere(needle), needle).not.toEqual([]);
    expect((await pendingJobs()).length).toBeGreaterThan(0);

    const mailsBefore = env.smtp.recipients.flat().filter((to) => to === email).length;
    const erased = await v1.call("DELETE", path, `/api/v1/customers/${m.customerId}`, { token: m.apiKey, params: { id: m.customerId }, expect: 200 });
    expect(erased.body).toMatchObject({ deleted: true, customer_id: customer.id, recoveries_anonymised: 1 });
    expect(erased.body.jobs_deleted).toBeGreaterThan(0);

    for (const needle of needles) expect(await findEverywhere(needle), needle).toEqual([]);
    const left = (await pendingJobs()).filter((j) => ["charge-retry", "dunning-step", "dunning-send", "recovery-expire"].includes(j.name));
    expect(left).toEqual([]);
    // The merchant's totals keep the amount, anonymously.
    expect(await db().recoveryAttempt.findFirstOrThrow({ where: { workspaceId: m.workspace.id } })).toMatchObject({ amountDueCents: 4200, customerId: null });

    await runDueJobs();
    expect(env.stripe.requestsTo("POST", /\/pay$/)).toHaveLength(0);
    expect(env.smtp.recipients.flat().filter((to) => to === email)).toHaveLength(mailsBefore);
    const again = await v1.call("DELETE", path, `/api/v1/customers/${m.customerId}`, { token: m.apiKey, params: { id: m.customerId }, expect: 404 });
    expect(again.body.code).toBe("customer_not_found");
    await v1.call("DELETE", path, `/api/v1/customers/${customer.id}`, { token: m.apiKey, params: { id: customer.id }, expect: 404 });
  });
});
