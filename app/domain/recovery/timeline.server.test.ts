import { thrownWithStatus } from "../../../tests/helpers/thrown";
import { describe, expect, it } from "vitest";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { advanceTime, runDueJobs } from "../../../tests/helpers/jobs";
import { useStripeAndMail } from "../../../tests/helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../../../tests/helpers/scenario";
import { deliver, eventOf } from "../../../tests/helpers/stripe";
import { findRecoveriesFor, getRecoveryTimeline } from "./timeline.server";

const env = useStripeAndMail();

describe("a recovery's timeline", () => {
  it("lists the failure, our declined retry, the emails with their opens, and the outcome, oldest first", async () => {
    const m = await merchantWithOpenInvoice(env.stripe, { amount: 1500 });
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    env.stripe.declineNextPay(m.invoiceId, { declineCode: "do_not_honor" });
    await advanceTime(2 * 3_600_000); // the first email goes out an hour after the failure
    await runDueJobs();
    await advanceTime(recovery.nextActionAt!.getTime() - now().getTime() + 1000);
    await runDueJobs();
    const sent = await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id, status: "sent" } });
    await db().dunningMessage.update({ where: { id: sent.id }, data: { status: "opened", openedAt: new Date() } });

    const timeline = await getRecoveryTimeline({ workspaceId: m.workspace.id, recoveryId: recovery.id });
    expect(timeline.recovery).toMatchObject({ id: recovery.id, externalId: m.invoiceId, status: "pending" });
    expect(timeline.nextAction).toMatchObject({ kind: expect.any(String), reason: expect.any(String) });
    expect(timeline.customer).toMatchObject({ id: m.customerId, email: `${m.customerId}@example.com` });
    const kinds = timeline.entries.map((e) => (e.kind === "failure" ? `${e.kind}:${e.source}:${e.declineCode}` : e.kind));
    expect(kinds).toEqual(["failure:platform:insufficient_funds", "email", "failure:recoup:do_not_honor"]);
    expect(timeline.entries.find((e) => e.kind === "email")).toMatchObject({ status: "opened", openedAt: expect.any(String) });
    expect([...timeline.entries].map((e) => e.at)).toEqual([...timeline.entries].map((e) => e.at).sort());

    expect(await findRecoveriesFor({ workspaceId: m.workspace.id, externalCustomerId: m.customerId })).toHaveLength(1);
    expect(await findRecoveriesFor({ workspaceId: m.workspace.id, externalId: "in_other" })).toHaveLength(0);
  });

  it("is a 404 for another workspace's recovery", async () => {
    const m = await merchantWithOpenInvoice(env.stripe);
    await deliver(eventOf("invoice.payment_failed", env.stripe.failInvoice(m.account, m.invoiceId, { nextPaymentAttempt: null }), { account: m.account }));
    await runDueJobs();
    const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
    const other = await makeWorkspace();
    expect(await thrownWithStatus(getRecoveryTimeline({ workspaceId: other.workspace.id, recoveryId: recovery.id }))).toMatchObject({ code: "recovery_not_found", status: 404 });
    expect(await findRecoveriesFor({ workspaceId: other.workspace.id, externalCustomerId: m.customerId })).toEqual([]);
  });
});
