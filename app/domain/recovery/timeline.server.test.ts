import { thrownWithStatus } from "../../../tests/helpers/thrown";
import { describe, expect, it } from "vitest";
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
    for (let k = 0; k < 5; k++) env.stripe.declineNextPay(m.invoiceId, { declineCode: "do_not_honor" });
    // Our retries go first; the first reminder follows on day 3 in the customer's daytime (ADR 0053).
    const sentMessage = () => db().dunningMessage.findFirst({ where: { recoveryId: recovery.id, status: "sent" } });
    // Six hours at a time, so that jobs run at every time of day, as the worker would.
    for (let step = 0; step < 40 && !(await sentMessage()); step++) {
      await advanceTime(6 * 3_600_000);
      await runDueJobs();
    }
    const sent = await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id, status: "sent" } });
    await db().dunningMessage.update({ where: { id: sent.id }, data: { status: "opened", openedAt: new Date() } });

    const timeline = await getRecoveryTimeline({ workspaceId: m.workspace.id, recoveryId: recovery.id });
    expect(timeline.recovery).toMatchObject({ id: recovery.id, externalId: m.invoiceId, status: "pending" });
    expect(timeline.nextAction).toMatchObject({ kind: expect.any(String), reason: expect.any(String) });
    expect(timeline.customer).toMatchObject({ id: m.customerId, email: `${m.customerId}@example.com` });
    const kinds = timeline.entries.map((e) => (e.kind === "failure" ? `${e.kind}:${e.source}:${e.declineCode}` : e.kind));
    expect(kinds[0]).toBe("failure:platform:insufficient_funds");
    expect(kinds[1]).toBe("failure:recoup:do_not_honor");
    expect(kinds.filter((k) => k === "email")).toHaveLength(1);
    expect(kinds.slice(1).every((k) => k === "email" || k === "failure:recoup:do_not_honor")).toBe(true);
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
