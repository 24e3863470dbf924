import { thrownWithStatus } from "../../../tests/helpers/thrown";
import { describe, expect, it } from "vitest";
import { now, testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../../../tests/factories";
import { advanceTime, pendingJobs, runDueJobs } from "../../../tests/helpers/jobs";
import { useStripeAndMail } from "../../../tests/helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../../../tests/helpers/scenario";
import { deliver, eventOf } from "../../../tests/helpers/stripe";
import { pauseRecovery, resumeRecovery } from "~/domain/recovery/engine.server";
import { sendUpdateLinkNow } from "./manual-send.server";
import { lift, suppress } from "~/domain/deliverability/suppressions.server";

const env = useStripeAndMail();
const MINUTE = 60_000;

async function openRecovery(opts: { email?: string | null } = {}) {
  testClock.set(new Date("2026-11-10T09:00:00Z"));
  const m = await merchantWithOpenInvoice(env.stripe, { amount: 3900, email: opts.email });
  const failed = env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
  await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  await runDueJobs();
  const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  testClock.set(new Date("2026-11-10T10:15:00Z"));
  return { ...m, recovery, target: { workspaceId: m.workspace.id, recoveryId: recovery.id } };
}

describe("send update link now", () => {
  it("queues an out-of-sequence email with the update link, which the SMTP server then receives", async () => {
    const m = await openRecovery();
    const sent = await sendUpdateLinkNow(m.target);
    expect(sent).toMatchObject({ toEmail: `${m.customerId}@example.com`, queuedAt: "2026-11-10T10:15:00.000Z" });

    const message = await db().dunningMessage.findUniqueOrThrow({ where: { id: sent.messageId } });
    expect(message).toMatchObject({ kind: "card_update_request", status: "scheduled", stepId: null, dedupeKey: expect.stringMatching(/^manual:\d+$/) });
    expect((await pendingJobs("dunning-send")).map((j) => j.data)).toContainEqual({ messageId: sent.messageId });

    await runDueJobs();
    const mail = await env.smtp.waitFor((mail) => mail.messageId === `<${sent.messageId}@recoup>`);
    expect(mail.to).toMatchObject({ text: `${m.customerId}@example.com` });
    expect(mail.text).toMatch(/\/recover\/[\w.-]+\?m=/);
    expect((await db().dunningMessage.findUniqueOrThrow({ where: { id: sent.messageId } })).status).toBe("sent");
  });

  it("refuses at once for a suppressed address, naming why, and sends again once it is lifted", async () => {
    const m = await openRecovery();
    const address = `${m.customerId}@example.com`;
    await suppress({ workspaceId: m.workspace.id, email: address, reason: "complaint", source: "api" });
    const refused = await thrownWithStatus(sendUpdateLinkNow(m.target));
    expect(refused).toMatchObject({ code: "conflict", status: 409, message: expect.stringContaining(`${address} is suppressed (complaint)`) });
    expect(await db().dunningMessage.count({ where: { recoveryId: m.recovery.id, dedupeKey: { startsWith: "manual:" } } })).toBe(0);
    await lift({ workspaceId: m.workspace.id, email: address, by: "test" });
    expect(await sendUpdateLinkNow(m.target)).toMatchObject({ toEmail: address });
  });

  it("allows one an hour, and the customer one email every 24 hours: a second press says when the next may go", async () => {
    const m = await openRecovery();
    const first = await sendUpdateLinkNow(m.target);
    await runDueJobs();

    await advanceTime(50 * MINUTE);
    expect(await thrownWithStatus(sendUpdateLinkNow(m.target))).toMatchObject({ code: "conflict", status: 409, message: expect.stringContaining("Already sent at 10:15") });
    // In the next hour bucket, but not yet an hour after the first one.
    await advanceTime(5 * MINUTE);
    expect(await thrownWithStatus(sendUpdateLinkNow(m.target))).toMatchObject({ code: "conflict", message: expect.stringContaining("Already sent at 10:15") });

    // An hour on, the customer's inbox still wins: one email every 24 hours (ADRs 0035, 0053).
    await advanceTime(6 * MINUTE);
    const refused = {
      code: "conflict",
      message: expect.stringContaining("at most one email every 24 hours, so the update link can go from Wed 11 Nov, 10:15"),
    };
    expect(await thrownWithStatus(sendUpdateLinkNow(m.target))).toMatchObject(refused);
    // 20 hours on is still too soon; a day on, it may go.
    await advanceTime(19 * 60 * MINUTE);
    expect(await thrownWithStatus(sendUpdateLinkNow(m.target))).toMatchObject(refused);
    await advanceTime(4 * 60 * MINUTE);
    const second = await sendUpdateLinkNow(m.target);
    expect(second.messageId).not.toBe(first.messageId);
    const manual = await db().dunningMessage.findMany({ where: { recoveryId: m.recovery.id, dedupeKey: { startsWith: "manual:" } } });
    expect(manual).toHaveLength(2);
  });

  it("says the time in the workspace's timezone", async () => {
    const m = await openRecovery();
    await db().workspace.update({ where: { id: m.workspace.id }, data: { timezone: "Europe/Paris" } });
    await sendUpdateLinkNow(m.target);
    expect(await thrownWithStatus(sendUpdateLinkNow(m.target))).toMatchObject({ message: expect.stringContaining("Already sent at 11:15") });
  });

  it("is a 404 for another workspace's recovery, and sends nothing", async () => {
    const m = await openRecovery();
    const other = await makeWorkspace();
    expect(await thrownWithStatus(sendUpdateLinkNow({ workspaceId: other.workspace.id, recoveryId: m.recovery.id }))).toMatchObject({ code: "recovery_not_found", status: 404 });
    expect(await db().dunningMessage.count({ where: { recoveryId: m.recovery.id, dedupeKey: { startsWith: "manual:" } } })).toBe(0);
  });

  it("refuses in plain words when the recovery is paused, closed, or the customer has no email address", async () => {
    const paused = await openRecovery();
    await pauseRecovery(paused.target);
    await expect(sendUpdateLinkNow(paused.target)).rejects.toMatchObject({ code: "conflict", message: "This recovery is paused. Resume it first, then send the update link." });

    const closed = await openRecovery();
    await db().recovery.update({ where: { id: closed.recovery.id }, data: { status: "recovered", endedAt: new Date() } });
    await expect(sendUpdateLinkNow(closed.target)).rejects.toMatchObject({ code: "recovery_closed", message: "This recovery is already closed, so no update link was sent." });

    const noEmail = await openRecovery({ email: null });
    await expect(sendUpdateLinkNow(noEmail.target)).rejects.toMatchObject({ code: "conflict", message: expect.stringContaining("no email address") });
  });
});

describe("pause, resume and the customer's inbox", () => {
  const HOUR = 60 * MINUTE;
  const sentTo = async (recoveryId: string) =>
    (await db().dunningMessage.findMany({ where: { recoveryId: recoveryId, sentAt: { not: null } }, orderBy: { sentAt: "asc" } })).map((m) => m.sentAt!.getTime());

  /** After a resume, the engine's next retry: a soft decline's reminder waits for it when it is due within a day (ADR 0053). */
  async function retryDueWithinADay(recoveryId: string) {
    const r = await db().recovery.findUniqueOrThrow({ where: { id: recoveryId } });
    expect(r.nextActionKind).toBe("retry");
    const retryAt = r.nextActionAt!.getTime();
    expect(retryAt - now().getTime()).toBeGreaterThan(0);
    expect(retryAt - now().getTime()).toBeLessThanOrEqual(24 * HOUR);
    return retryAt;
  }

  it("resumed after days, the overdue reminder goes out after the retry due first, and a second email is refused until 24 hours after it", async () => {
    const m = await openRecovery();
    await pauseRecovery(m.target);
    await advanceTime(3 * 24 * HOUR);
    await runDueJobs();
    expect(await sentTo(m.recovery.id)).toEqual([]);

    await resumeRecovery(m.target);
    await runDueJobs();
    // The overdue reminder waits for the retry due within the day, whose answer may make it needless.
    const retryAt = await retryDueWithinADay(m.recovery.id);
    expect(await sentTo(m.recovery.id)).toEqual([]);
    env.stripe.declineNextPay(m.invoiceId, { declineCode: "insufficient_funds" });
    await advanceTime(retryAt - now().getTime());
    await runDueJobs();
    expect(await sentTo(m.recovery.id)).toEqual([]);
    // The retry failed: the reminder goes two hours after it.
    await advanceTime(2 * HOUR);
    await runDueJobs();
    const sent = await sentTo(m.recovery.id);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toBeGreaterThanOrEqual(retryAt + 2 * HOUR);
    await advanceTime(MINUTE);
    expect(await thrownWithStatus(sendUpdateLinkNow(m.target))).toMatchObject({ code: "conflict", status: 409, message: expect.stringContaining("at most one email every 24 hours") });
    await runDueJobs();
    expect(await sentTo(m.recovery.id)).toHaveLength(1);
  });

  it("an update link sent first pushes the resumed reminder a day back, not a second later", async () => {
    const m = await openRecovery();
    await pauseRecovery(m.target);
    await advanceTime(3 * 24 * HOUR);
    await resumeRecovery(m.target);
    await sendUpdateLinkNow(m.target);
    await runDueJobs();
    expect(await sentTo(m.recovery.id)).toHaveLength(1);
    const retryAt = await retryDueWithinADay(m.recovery.id);
    env.stripe.declineNextPay(m.invoiceId, { declineCode: "insufficient_funds" });
    expect(retryAt - now().getTime()).toBeLessThan(23 * HOUR);

    // Sequence reminders keep a day from the customer's last email (ADR 0053), past the retry due first.
    await advanceTime(23 * HOUR);
    await runDueJobs();
    expect(await sentTo(m.recovery.id)).toHaveLength(1);
    await advanceTime(2 * HOUR);
    await runDueJobs();
    const sent = await sentTo(m.recovery.id);
    expect(sent).toHaveLength(2);
    expect(sent[1]! - sent[0]!).toBeGreaterThanOrEqual(24 * HOUR);
  });
});
