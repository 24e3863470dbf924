import { startCampaign } from "~/domain/campaigns/recovery-listener.server";
import { enrollRecoveryInCampaign } from "~/domain/campaigns/enrollment.server";
import type { Recovery } from "../../../generated/prisma/client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { makeWorkspace } from "../../../tests/factories";
import { zoneWhereItIsNoon } from "../../../tests/helpers/daytime";
import { advanceTime, pendingJobs, runDueJobs } from "../../../tests/helpers/jobs";
import { freePort } from "../../../tests/helpers/net";
import { useFakeSmtp } from "../../../tests/helpers/smtp";
import { queues } from "../../../jobs/queues";
import { createSession } from "~/domain/auth/sessions.server";
import { verifyRecoveryToken } from "~/domain/recovery/links.server";
import * as pixelRoute from "~/routes/e.o.$trackingId[.]gif";
import * as outboxRoute from "~/routes/outbox";
import * as outboxMessageRoute from "~/routes/outbox.$id";
import { now, testClock } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";
import { env, resetEnv } from "~/utils/env.server";
import { enqueue } from "~/utils/queue.server";
import { DEFAULT_SEQUENCE } from "./default-sequence";
import {
  markConverted,
  recordClick,
  recordOpen,
  requestCustomerAction,
  resumeSequence,
  runDunningStep,
  sendDunningMessage,
} from "./messages.server";

const HOUR = 3600_000;
/** The default sequence's first email: day 3 (ADR 0053). */
const FIRST_STEP = DEFAULT_SEQUENCE.steps[0].delayHours * HOUR;
const smtp = useFakeSmtp();
let counter = 0;

beforeEach(async () => {
  // Each test starts with an empty queue: jobs left by an earlier test would run when time moves.
  await db().$executeRawUnsafe("DELETE FROM pgboss.job");
});

afterEach(() => testClock.reset());

async function makeRecovery(
  opts: {
    email?: string | null;
    customerName?: string | null;
    timezone?: string;
    customerTimezone?: string;
    recovery?: Partial<{ amountDueMinor: number; currency: string; failureMessage: string; nextActionKind: string; nextActionAt: Date }>;
  } = {},
) {
  counter += 1;
  const { workspace } = await makeWorkspace({ name: `Acme ${counter}` });
  // Recoup's own emails go out in the customer's daytime (ADR 0053): on the real clock, a zone where
  // it is early afternoon now (and so also 24, 72, 192 hours from now) lets them go when due.
  await db().workspace.update({ where: { id: workspace.id }, data: { timezone: opts.timezone ?? zoneWhereItIsNoon() } });
  const customer = await db().customer.create({
    data: {
      workspaceId: workspace.id,
      externalId: `cus_${counter}`,
      email: opts.email === undefined ? `customer${counter}@example.com` : opts.email,
      name: opts.customerName === undefined ? "Ada Lovelace" : opts.customerName,
      ...(opts.customerTimezone ? { timezone: opts.customerTimezone } : {}),
    },
  });
  const startedAt = now();
  const recovery = await db().recovery.create({
    data: {
      workspaceId: workspace.id,
      externalId: `in_${counter}`,
      externalCustomerId: customer.externalId,
      customerId: customer.id,
      declineType: "soft",
      amountDueMinor: 2500,
      currency: "usd",
      startedAt,
      lastFailureAt: startedAt,
      ...opts.recovery,
    },
  });
  const steps = await db().dunningStep.findMany({ where: { workspaceId: workspace.id }, orderBy: { position: "asc" } });
  return { workspace, customer, recovery, steps };
}

async function start(recovery: Recovery) {
  return db().$transaction((tx) => startCampaign(tx, recovery));
}

const mailsTo = (address: string) => smtp.messages.filter((m) => m.to && !Array.isArray(m.to) && m.to.value[0]?.address === address);

describe("scheduleSequence", () => {
  it("enqueues the active sequence's first step at startedAt + delayHours, once", async () => {
    const { recovery, steps } = await makeRecovery();
    const scheduled = await start(recovery);
    expect(scheduled).toEqual({ stepId: steps[0]!.id, dueAt: new Date(recovery.startedAt.getTime() + DEFAULT_SEQUENCE.steps[0].delayHours * HOUR) });
    await start(recovery);
    const jobs = await pendingJobs(queues.dunningStep.name);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]!.data).toEqual({ recoveryId: recovery.id, stepId: steps[0]!.id });
    expect(Math.abs(jobs[0]!.start_after.getTime() - scheduled!.dueAt.getTime())).toBeLessThan(5000);
  });

  it("enqueues nothing when the transaction rolls back", async () => {
    const { recovery } = await makeRecovery();
    await expect(
      db().$transaction(async (tx: Tx) => {
        await startCampaign(tx, recovery);
        throw new Error("engine failed");
      }),
    ).rejects.toThrow("engine failed");
    expect(await pendingJobs(queues.dunningStep.name)).toHaveLength(0);
  });

  it("does nothing when no sequence is enabled", async () => {
    const { recovery, workspace } = await makeRecovery();
    await db().dunningSequence.updateMany({ where: { workspaceId: workspace.id }, data: { isEnabled: false, status: "paused" } });
    expect(await start(recovery)).toBeNull();
    expect(await pendingJobs()).toHaveLength(0);
  });
});

describe("the sequence, sent through SMTP", () => {
  it("sends one email per step when it is due, with the update link and the open pixel", async () => {
    const { recovery, customer, workspace, steps } = await makeRecovery();
    await start(recovery);

    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(0);
    // Nothing on the first days: a soft decline is left to its retries until day 3.
    await advanceTime(FIRST_STEP - HOUR);
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(0);

    await advanceTime(1 * HOUR);
    await runDueJobs();
    const [first] = mailsTo(customer.email!);
    expect(mailsTo(customer.email!)).toHaveLength(1);
    expect(first!.subject).toBe(`Your payment to ${workspace.name} didn't go through`);
    expect(first!.from?.value[0]).toEqual({ name: workspace.name, address: "billing@recoup.local" });

    const message = await db().dunningMessage.findUniqueOrThrow({
      where: { recoveryId_dedupeKey: { recoveryId: recovery.id, dedupeKey: `step:${steps[0]!.id}` } },
    });
    expect(message).toMatchObject({ status: "sent", transport: "smtp", attempts: 1, kind: "sequence", stepId: steps[0]!.id, toEmail: customer.email });
    expect(message.sentAt).toBeInstanceOf(Date);
    expect(first!.messageId).toBe(`<${message.id}@recoup>`);

    const link = new RegExp(`${env().APP_URL}/recover/([A-Za-z0-9_.-]+)\\?m=${message.trackingId}`);
    const token = link.exec(first!.text!)?.[1];
    expect(token).toBeDefined();
    expect(verifyRecoveryToken(token!)).toBe(recovery.id);
    expect(first!.html).toContain(`href="${env().APP_URL}/recover/${token}?m=${message.trackingId}"`);
    expect(first!.html).toContain(`src="${env().APP_URL}/e/o/${message.trackingId}.gif"`);
    expect(first!.text).toContain("Hi Ada Lovelace,");
    expect(first!.text).toContain("$25.00 USD");
    expect(first!.text).toContain("(your bank declined the payment)");
    expect(first!.text).toContain("when you update your card");

    // Nothing more until step 2 is due, at startedAt + 192 h.
    await runDueJobs();
    await advanceTime(119 * HOUR);
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(1);
    await advanceTime(1 * HOUR + 60_000);
    await runDueJobs();
    const sent = mailsTo(customer.email!);
    expect(sent.map((m) => m.subject)).toEqual([
      `Your payment to ${workspace.name} didn't go through`,
      `Action needed: update your payment details for ${workspace.name}`,
    ]);
    expect(new Set(sent.map((m) => m.messageId)).size).toBe(2);

    const jobs = await pendingJobs(queues.dunningStep.name);
    expect(jobs.map((j) => j.data)).toEqual([{ recoveryId: recovery.id, stepId: steps[2]!.id }]);
  });

  it("never sends a step twice, however often its jobs run or are enqueued", async () => {
    const { recovery, customer, steps } = await makeRecovery();
    await start(recovery);
    await advanceTime(FIRST_STEP);
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(1);
    const message = await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id } });

    expect(await runDunningStep({ recoveryId: recovery.id, stepId: steps[0]!.id })).toMatchObject({
      outcome: "already_created",
      messageId: message.id,
    });
    await start(recovery);
    await enqueue(queues.dunningStep, { recoveryId: recovery.id, stepId: steps[0]!.id }, { key: "another-key" });
    await enqueue(queues.dunningSend, { messageId: message.id }, { key: "another-key" });
    await runDueJobs();
    expect(await sendDunningMessage({ messageId: message.id })).toEqual({ outcome: "not_sendable", status: "sent" });

    expect(mailsTo(customer.email!)).toHaveLength(1);
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(1);
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ attempts: 1, status: "sent" });
  });

  it("retries a refused send with the same Message-ID and still delivers once", async () => {
    const { recovery, customer } = await makeRecovery();
    await start(recovery);
    smtp.failNext(1);
    await advanceTime(FIRST_STEP);
    const first = await runDueJobs();
    expect(first.failed).toBe(1);
    const message = await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id } });
    // The server answered (a refusal): the message is open again for the retry.
    expect(message).toMatchObject({ status: "scheduled", attempts: 1 });
    expect(message.error).toMatch(/451|Try again later/);
    expect(mailsTo(customer.email!)).toHaveLength(0);

    await advanceTime(5 * 60_000);
    await runDueJobs();
    const mails = mailsTo(customer.email!);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.messageId).toBe(`<${message.id}@recoup>`);
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { id: message.id } })).toMatchObject({ status: "sent", attempts: 2, error: null });
  });

  it("does not send again a message whose connection was cut before the 250: its delivery is unknown", async () => {
    const { recovery, customer } = await makeRecovery();
    const { messageId } = (await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "cut" }))!;
    smtp.dropNext();
    expect(await sendDunningMessage({ messageId })).toEqual({ outcome: "delivery_unknown" });
    expect(mailsTo(customer.email!)).toHaveLength(1);
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({ status: "delivery_unknown", attempts: 1 });
    expect(await sendDunningMessage({ messageId })).toEqual({ outcome: "not_sendable", status: "delivery_unknown" });
    expect(mailsTo(customer.email!)).toHaveLength(1);
  });

  it("retries a message the SMTP server could not be reached for", async () => {
    const { recovery, customer } = await makeRecovery();
    const { messageId } = (await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "unreachable" }))!;
    process.env.SMTP_URL = `smtp://127.0.0.1:${await freePort()}`;
    resetEnv();
    await expect(sendDunningMessage({ messageId })).rejects.toThrow(/ECONNREFUSED/);
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({ status: "scheduled", attempts: 1 });
    process.env.SMTP_URL = smtp.url;
    resetEnv();
    expect(await sendDunningMessage({ messageId })).toMatchObject({ outcome: "sent" });
    expect(mailsTo(customer.email!)).toHaveLength(1);
  });

  it("marks the message failed when the last attempt fails", async () => {
    const { recovery } = await makeRecovery();
    const { messageId } = (await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "k" }))!;
    smtp.failNext(1);
    await expect(sendDunningMessage({ messageId, lastAttempt: true })).rejects.toThrow();
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({ status: "failed", attempts: 1 });
    expect(await sendDunningMessage({ messageId })).toEqual({ outcome: "not_sendable", status: "failed" });
  });

  it("sends nothing to a paused recovery, and picks up where it stopped on resume", async () => {
    const { recovery, customer, steps } = await makeRecovery();
    await start(recovery);
    await db().recovery.update({ where: { id: recovery.id }, data: { paused: true, pausedAt: now() } });
    await advanceTime(FIRST_STEP + HOUR);
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(0);
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(0);
    expect(await pendingJobs()).toHaveLength(0);

    expect(await resumeSequence({ recoveryId: recovery.id })).toBeNull(); // still paused
    await db().recovery.update({ where: { id: recovery.id }, data: { paused: false, pausedAt: null } });
    const resumed = await resumeSequence({ recoveryId: recovery.id });
    expect(resumed?.stepId).toBe(steps[0]!.id);
    expect(Math.abs(resumed!.dueAt.getTime() - now().getTime())).toBeLessThan(5000); // overdue: now
    await runDueJobs();
    expect(mailsTo(customer.email!).map((m) => m.subject)).toHaveLength(1);
    expect((await pendingJobs(queues.dunningStep.name)).map((j) => j.data)).toEqual([{ recoveryId: recovery.id, stepId: steps[1]!.id }]);
  });

  it("skips a message whose recovery was paused before it went out, and sends it after resume", async () => {
    const { recovery, customer, steps } = await makeRecovery();
    // Before its day the step only waits (ADR 0053): no message yet.
    expect(await runDunningStep({ recoveryId: recovery.id, stepId: steps[0]!.id })).toEqual({
      outcome: "spaced",
      dueAt: new Date(recovery.startedAt.getTime() + FIRST_STEP),
    });
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(0);
    await db().$executeRawUnsafe("DELETE FROM pgboss.job");
    await advanceTime(FIRST_STEP);
    const created = await runDunningStep({ recoveryId: recovery.id, stepId: steps[0]!.id });
    expect(created.outcome).toBe("created");
    await db().recovery.update({ where: { id: recovery.id }, data: { paused: true } });
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(0);
    expect(await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id } })).toMatchObject({
      status: "skipped",
      error: "recovery paused",
    });

    await db().recovery.update({ where: { id: recovery.id }, data: { paused: false } });
    const resumed = await resumeSequence({ recoveryId: recovery.id });
    expect(resumed?.stepId).toBe(steps[0]!.id);
    // Due since the pause (startedAt + 72 h has passed): it goes now.
    expect(Math.abs(resumed!.dueAt.getTime() - now().getTime())).toBeLessThan(5000);
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(1);
    const messages = await db().dunningMessage.findMany({ where: { recoveryId: recovery.id } });
    expect(messages).toHaveLength(1);
    expect(messages[0]!.id).not.toBe("messageId" in created ? created.messageId : "");
    expect(messages[0]!.status).toBe("sent");
  });

  it("resumes a recovery moved to another campaign while paused on the new campaign, never the old one's next step", async () => {
    const { workspace, recovery, customer, steps } = await makeRecovery();
    await start(recovery);
    await advanceTime(FIRST_STEP);
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(1); // the old campaign's first step
    await db().recovery.update({ where: { id: recovery.id }, data: { paused: true, pausedAt: now() } });
    const winBack = await db().dunningSequence.create({
      data: {
        workspaceId: workspace.id,
        name: "Win-back",
        status: "active",
        steps: { create: [{ workspaceId: workspace.id, position: 0, delayHours: 1, subjectTemplate: "Win-back: your payment", bodyTemplate: "Hi {{customer_name}}, {{update_payment_url}}" }] },
      },
      include: { steps: true },
    });
    await db().$transaction((tx) => enrollRecoveryInCampaign(tx, { workspaceId: workspace.id, recoveryId: recovery.id, campaignId: winBack.id }));
    await db().$executeRawUnsafe("DELETE FROM pgboss.job");

    await db().recovery.update({ where: { id: recovery.id }, data: { paused: false, pausedAt: null } });
    const resumed = await resumeSequence({ recoveryId: recovery.id });
    expect(resumed?.stepId).toBe(winBack.steps[0]!.id);
    expect(resumed?.stepId).not.toBe(steps[1]!.id);
    // Due now, but never within the spacing after the old campaign's email.
    await advanceTime(Math.max(0, resumed!.dueAt.getTime() - now().getTime()) + 1000);
    await runDueJobs();
    expect(mailsTo(customer.email!).map((m) => m.subject)).toEqual([expect.any(String), "Win-back: your payment"]);
  });

  it("resumes after the last step sent, at startedAt + delayHours when that is later", async () => {
    const { recovery, steps } = await makeRecovery();
    await start(recovery);
    await advanceTime(FIRST_STEP);
    await runDueJobs();
    await db().$executeRawUnsafe("DELETE FROM pgboss.job");
    const resumed = await resumeSequence({ recoveryId: recovery.id });
    expect(resumed).toEqual({ stepId: steps[1]!.id, dueAt: new Date(recovery.startedAt.getTime() + 192 * HOUR) });
  });

  it("sends nothing for a closed recovery", async () => {
    const { recovery, customer, steps } = await makeRecovery();
    await start(recovery);
    await db().recovery.update({ where: { id: recovery.id }, data: { status: "recovered", endedAt: now() } });
    await advanceTime(2 * HOUR);
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(0);
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(0);
    expect(await runDunningStep({ recoveryId: recovery.id, stepId: steps[0]!.id })).toEqual({ outcome: "recovery_closed" });
    expect(await resumeSequence({ recoveryId: recovery.id })).toBeNull();
  });

  it("skips a message whose recovery closed before it went out", async () => {
    const { recovery, customer, steps } = await makeRecovery();
    await advanceTime(FIRST_STEP);
    expect((await runDunningStep({ recoveryId: recovery.id, stepId: steps[0]!.id })).outcome).toBe("created");
    await db().recovery.update({ where: { id: recovery.id }, data: { status: "abandoned" } });
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(0);
    expect(await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id } })).toMatchObject({
      status: "skipped",
      error: "recovery closed",
    });
  });

  it("records a customer without an email address as skipped, and carries on with the sequence", async () => {
    const { recovery, steps } = await makeRecovery({ email: null });
    await start(recovery);
    await advanceTime(FIRST_STEP);
    await runDueJobs();
    expect(await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id } })).toMatchObject({
      status: "skipped",
      error: "no email address",
      toEmail: null,
      attempts: 0,
    });
    expect(await pendingJobs(queues.dunningSend.name)).toHaveLength(0);
    expect((await pendingJobs(queues.dunningStep.name)).map((j) => j.data)).toEqual([{ recoveryId: recovery.id, stepId: steps[1]!.id }]);
  });

  it("stops when the step was removed from its sequence", async () => {
    const { recovery, steps } = await makeRecovery();
    await db().dunningStep.delete({ where: { id: steps[0]!.id } });
    expect(await runDunningStep({ recoveryId: recovery.id, stepId: steps[0]!.id })).toEqual({ outcome: "step_gone" });
  });

  it("fills the values from the recovery: money, the retry date in the workspace's timezone, the merchant's sender name", async () => {
    const { recovery, customer, workspace, steps } = await makeRecovery({
      timezone: "Asia/Tokyo",
      // The email goes in the customer's daytime; the retry date is still written in the workspace's zone.
      customerTimezone: zoneWhereItIsNoon(),
      customerName: null,
      recovery: {
        amountDueMinor: 1500,
        currency: "jpy",
        failureMessage: "Your card has insufficient funds.",
        nextActionKind: "retry",
        nextActionAt: new Date("2026-03-02T20:00:00Z"),
      },
    });
    await db().workspace.update({ where: { id: workspace.id }, data: { senderName: "Acme Billing", replyTo: "help@acme.test" } });
    await advanceTime(FIRST_STEP);
    expect((await runDunningStep({ recoveryId: recovery.id, stepId: steps[0]!.id })).outcome).toBe("created");
    await runDueJobs();
    const [mail] = mailsTo(customer.email!);
    expect(mail!.subject).toBe("Your payment to Acme Billing didn't go through");
    expect(mail!.text).toContain("Hi there,");
    expect(mail!.text).toContain("¥1,500 JPY");
    expect(mail!.text).toContain("(Your card has insufficient funds)");
    expect(mail!.text).toContain("we'll try again on Tuesday, March 3");
    expect(mail!.from?.value[0]?.name).toBe("Acme Billing");
    expect(mail!.replyTo?.value[0]?.address).toBe("help@acme.test");
  });
});

describe("without SMTP_URL", () => {
  it("keeps the email in the outbox: nothing leaves the machine", async () => {
    delete process.env.SMTP_URL;
    resetEnv();
    const { recovery, customer, workspace } = await makeRecovery();
    await start(recovery);
    await advanceTime(FIRST_STEP);
    await runDueJobs();
    expect(mailsTo(customer.email!)).toHaveLength(0);
    const message = await db().dunningMessage.findFirstOrThrow({ where: { recoveryId: recovery.id } });
    expect(message).toMatchObject({ status: "sent", transport: "outbox", providerMessageId: `<${message.id}@recoup>` });

    const session = await createSession({ userId: workspace.ownerUserId, workspaceId: workspace.id });
    const request = new Request("http://localhost/outbox", { headers: { cookie: `recoup_session=${session.token}` } });
    const list = await outboxRoute.loader({ params: {}, request, context: {} });
    expect(list.messages[0]).toMatchObject({ id: message.id, subject: message.subject, toEmail: customer.email, status: "sent" });
    const one = await outboxMessageRoute.loader({ params: { id: message.id }, request, context: {} });
    expect(one.bodyHtml).toContain("Update payment details");
    expect(one.bodyHtml).not.toContain("/e/o/");
  });

  it("hides the outbox in production once SMTP is configured", async () => {
    const saved = { ...process.env };
    Object.assign(process.env, {
      NODE_ENV: "production",
      SMTP_URL: smtp.url,
      ENCRYPTION_KEY: Buffer.alloc(32, 1).toString("base64"),
      SESSION_SECRET: "x".repeat(40),
      STRIPE_WEBHOOK_SECRET: "whsec_test",
    });
    resetEnv();
    try {
      const error = await outboxRoute.loader({ params: {}, request: new Request("http://localhost/outbox"), context: {} }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Response);
      expect((error as Response).status).toBe(404);
    } finally {
      process.env = saved;
      resetEnv();
    }
  });
});

describe("requestCustomerAction", () => {
  it("sends a card update request at once, once per dedupeKey", async () => {
    const { recovery, customer, workspace } = await makeRecovery();
    const first = await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "card:1" });
    const again = await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "card:1" });
    expect(first?.created).toBe(true);
    expect(again).toEqual({ messageId: first!.messageId, created: false });
    await runDueJobs();
    const mails = mailsTo(customer.email!);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Your card for ${workspace.name} needs updating`);
    expect(mails[0]!.html).toContain(">Update your card</a>");
    expect(mails[0]!.text).toMatch(/\/recover\/[^?\s]+\?m=/);
  });

  it("asks for authentication inside the caller's transaction", async () => {
    const { recovery, customer, workspace } = await makeRecovery();
    await db().$transaction((tx) =>
      requestCustomerAction({ recoveryId: recovery.id, kind: "authentication_request", dedupeKey: "auth:pi_1", tx }),
    );
    await runDueJobs();
    const [mail] = mailsTo(customer.email!);
    expect(mail!.subject).toBe(`Please confirm your payment to ${workspace.name}`);
    expect(mail!.text).toContain("Your bank needs you to confirm this payment");
    expect(mail!.html).toContain(">Confirm your payment</a>");
    expect(await db().dunningMessage.findFirst({ where: { recoveryId: recovery.id } })).toMatchObject({
      kind: "authentication_request",
      dedupeKey: "auth:pi_1",
      stepId: null,
    });
  });

  it("leaves nothing behind when the caller's transaction rolls back", async () => {
    const { recovery } = await makeRecovery();
    await expect(
      db().$transaction(async (tx) => {
        await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "x", tx });
        throw new Error("rollback");
      }),
    ).rejects.toThrow("rollback");
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(0);
    expect(await pendingJobs(queues.dunningSend.name)).toHaveLength(0);
  });

  it("sends nothing for a closed or paused recovery", async () => {
    const { recovery } = await makeRecovery();
    await db().recovery.update({ where: { id: recovery.id }, data: { paused: true } });
    expect(await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "a" })).toBeNull();
    await db().recovery.update({ where: { id: recovery.id }, data: { paused: false, status: "recovered" } });
    expect(await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "a" })).toBeNull();
    expect(await db().dunningMessage.count({ where: { recoveryId: recovery.id } })).toBe(0);
  });
});

describe("tracking", () => {
  async function sentMessage() {
    const { recovery } = await makeRecovery();
    const result = await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "t" });
    await runDueJobs();
    return { recovery, message: await db().dunningMessage.findUniqueOrThrow({ where: { id: result!.messageId } }) };
  }

  const pixel = (trackingId: string) =>
    pixelRoute.loader({ params: { trackingId }, request: new Request(`http://localhost/e/o/${trackingId}.gif`), context: {} });

  it("the open pixel is a 1×1 transparent GIF that is never cached, and marks the message opened once", async () => {
    const { message } = await sentMessage();
    expect(message.status).toBe("sent");
    const res = await pixel(message.trackingId);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/gif");
    expect(res.headers.get("cache-control")).toContain("no-store");
    expect(res.headers.get("cache-control")).toContain("no-cache");
    const bytes = Buffer.from(await res.arrayBuffer());
    expect(bytes.subarray(0, 6).toString("ascii")).toBe("GIF89a");
    expect([bytes.readUInt16LE(6), bytes.readUInt16LE(8)]).toEqual([1, 1]);

    const opened = await db().dunningMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(opened.status).toBe("opened");
    expect(opened.openedAt).toBeInstanceOf(Date);
    testClock.advance(60_000);
    await pixel(message.trackingId);
    expect((await db().dunningMessage.findUniqueOrThrow({ where: { id: message.id } })).openedAt).toEqual(opened.openedAt);
  });

  it("answers the GIF for an unknown or malformed tracking id", async () => {
    expect((await pixel("unknown-tracking-id")).status).toBe(200);
    expect((await pixel("'; drop table")).headers.get("content-type")).toBe("image/gif");
    expect(await recordOpen("nope")).toBe(false);
  });

  it("never moves a status backwards", async () => {
    const { message } = await sentMessage();
    expect(await recordClick(message.trackingId)).toEqual({ recoveryId: message.recoveryId });
    const clicked = await db().dunningMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(clicked.status).toBe("clicked");
    expect(clicked.clickedAt).toBeInstanceOf(Date);
    expect(clicked.openedAt).toEqual(clicked.clickedAt); // a click proves an open

    await pixel(message.trackingId);
    expect((await db().dunningMessage.findUniqueOrThrow({ where: { id: message.id } })).status).toBe("clicked");

    await markConverted({ recoveryId: message.recoveryId });
    await recordClick(message.trackingId);
    await pixel(message.trackingId);
    const converted = await db().dunningMessage.findUniqueOrThrow({ where: { id: message.id } });
    expect(converted.status).toBe("converted");
    expect(converted.clickedAt).toEqual(clicked.clickedAt);
  });

  it("does not count opens or clicks on a message that was never sent", async () => {
    const { recovery } = await makeRecovery();
    const { messageId } = (await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "u" }))!;
    const { trackingId } = await db().dunningMessage.findUniqueOrThrow({ where: { id: messageId } });
    await pixel(trackingId);
    await recordClick(trackingId);
    expect(await db().dunningMessage.findUniqueOrThrow({ where: { id: messageId } })).toMatchObject({
      status: "scheduled",
      openedAt: null,
      clickedAt: null,
    });
  });

  it("recordClick returns null for an unknown tracking id", async () => {
    expect(await recordClick("unknown-tracking-id")).toBeNull();
    expect(await recordClick("")).toBeNull();
  });
});

describe("markConverted", () => {
  it("converts the most recently sent message of the recovery", async () => {
    const { recovery } = await makeRecovery();
    const a = await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "a" });
    await runDueJobs();
    testClock.advance(HOUR);
    const b = await requestCustomerAction({ recoveryId: recovery.id, kind: "authentication_request", dedupeKey: "b" });
    await runDueJobs();
    const c = await requestCustomerAction({ recoveryId: recovery.id, kind: "card_update_request", dedupeKey: "c" }); // not sent yet

    expect(await markConverted({ recoveryId: recovery.id })).toEqual({ messageId: b!.messageId });
    const rows = await db().dunningMessage.findMany({ where: { recoveryId: recovery.id } });
    const status = Object.fromEntries(rows.map((r) => [r.id, r.status]));
    expect(status).toEqual({ [a!.messageId]: "sent", [b!.messageId]: "converted", [c!.messageId]: "scheduled" });
    expect(rows.find((r) => r.id === b!.messageId)!.convertedAt).toBeInstanceOf(Date);
  });

  it("returns null when nothing was sent, inside a transaction too", async () => {
    const { recovery } = await makeRecovery();
    expect(await db().$transaction((tx) => markConverted({ recoveryId: recovery.id, tx }))).toBeNull();
  });
});
