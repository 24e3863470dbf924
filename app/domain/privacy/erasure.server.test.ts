import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { findEverywhere } from "../../../tests/helpers/db-scan";
import { pendingJobs, runDueJobs } from "../../../tests/helpers/jobs";
import { useStripeAndMail } from "../../../tests/helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../../../tests/helpers/scenario";
import { deliver, eventOf } from "../../../tests/helpers/stripe";
import { rollUpWorkspace } from "~/domain/analytics/rollup.server";
import { eraseCustomer } from "./erasure.server";

const env = useStripeAndMail();

describe("GDPR erasure of a customer", () => {
  it("leaves no row or pending job naming them, and keeps the merchant's totals", async () => {
    const m = await merchantWithOpenInvoice(env.stripe, { amount: 2700, email: "erase.me@example.com", fingerprint: "fp_erase_me", subscription: "sub_erase_me" });
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    await (await import("~/domain/dunning/messages.server")).requestCustomerAction({
      recoveryId: (await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } })).id,
      kind: "card_update_request",
      dedupeKey: "test",
    });
    expect(await findEverywhere(m.customerId)).not.toEqual([]);
    expect(await findEverywhere("erase.me@example.com")).not.toEqual([]);
    expect((await pendingJobs()).length).toBeGreaterThan(0);
    // The analytics list them among the at-risk customers (by Recoup's own id for them).
    const internalId = (await db().customer.findFirstOrThrow({ where: { workspaceId: m.workspace.id, externalId: m.customerId } })).id;
    await rollUpWorkspace({ workspaceId: m.workspace.id });
    expect(await db().atRiskCustomer.count({ where: { customerId: internalId } })).toBe(1);

    const result = await eraseCustomer({ workspaceId: m.workspace.id, externalId: m.customerId, email: "erase.me@example.com" });
    expect(result).toMatchObject({ customers: 1, recoveriesAnonymised: 1 });
    expect(result.jobsDeleted).toBeGreaterThan(0);

    for (const needle of [m.customerId, "erase.me@example.com", "fp_erase_me", m.invoiceId, "sub_erase_me"]) {
      expect(await findEverywhere(needle), needle).toEqual([]);
    }
    const jobs = await pendingJobs();
    expect(jobs.filter((j) => ["charge-retry", "dunning-step", "dunning-send", "recovery-expire"].includes(j.name))).toEqual([]);
    // Nor do the analytics, after the rollup job: the recovery lost its customer without naming them.
    await rollUpWorkspace({ workspaceId: m.workspace.id });
    expect(await db().atRiskCustomer.count({ where: { workspaceId: m.workspace.id } })).toBe(0);
    const anonymous = await db().recovery.findFirstOrThrow({ where: { workspaceId: m.workspace.id } });
    expect(anonymous).toMatchObject({ amountDueMinor: 2700, customerId: null });
    // Nothing is sent or charged afterwards.
    await runDueJobs();
    expect(env.stripe.requestsTo("POST", /\/pay$/)).toHaveLength(0);
  });

  it("touches only the named customer of the named workspace", async () => {
    const a = await merchantWithOpenInvoice(env.stripe, { email: "keep@example.com" });
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(a.account, a.invoiceId, { nextPaymentAttempt: null }), { account: a.account }));
    await runDueJobs();
    const other = await makeWorkspace();
    const result = await eraseCustomer({ workspaceId: other.workspace.id, externalId: a.customerId, email: "keep@example.com" });
    expect(result).toMatchObject({ customers: 0, recoveriesAnonymised: 0, messagesDeleted: 0, eventsRedacted: 0 });
    expect(await db().customer.count({ where: { externalId: a.customerId } })).toBe(1);
    await expect(eraseCustomer({ workspaceId: other.workspace.id })).rejects.toMatchObject({ code: "validation_failed" });
  });
});
