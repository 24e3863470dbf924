// Suppressions at send time (issue 12, ADR 0071), from a real failed payment to the SMTP server: a
// permanent SMTP refusal of the recipient suppresses the address for the workspace and fails the
// message without retries, so the sequence's next steps are skipped and nothing else goes to it;
// another workspace still emails the same address. Every dunning email carries RFC 8058's
// List-Unsubscribe headers, and the one-click POST to its link stops the next emails.
import type { ParsedMail } from "mailparser";
import { afterEach, describe, expect, it } from "vitest";
import { isSuppressed } from "~/domain/deliverability/suppressions.server";
import * as ingestRoute from "~/routes/api.v1.ingest.payment-event";
import * as unsubscribeRoute from "~/routes/u.$token";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { queues } from "../../jobs/queues";
import { makeWorkspace } from "../factories";
import { callRoute } from "../helpers/http";
import { advanceTime, pendingJobs, runDueJobs } from "../helpers/jobs";
import { useFakeSmtp } from "../helpers/smtp";
import { thrown } from "../helpers/thrown";

const HOUR = 3_600_000;
const smtp = useFakeSmtp();
afterEach(() => testClock.reset());

/**
 * A failed payment of the address's, ingested for the workspace. Its default sequence's emails go at
 * 72 h, 192 h and 360 h at the earliest, each after the retry due before it and in the customer's
 * daytime (email-plan.ts): the first one within 130 h here.
 */
async function failedPayment(apiKey: string, email: string, ref: string) {
  const res = await callRoute(ingestRoute, "/api/v1/ingest/payment-event", {
    method: "POST",
    token: apiKey,
    body: {
      event_type: "payment_failed",
      event_id: `evt_${ref}`,
      provider: "adyen",
      external_id: ref,
      amount_cents: 4900,
      currency: "eur",
      customer_email: email,
      customer_name: "Ada",
      customer_timezone: "Europe/London",
      decline_code: "Not enough balance",
    },
  });
  expect(res.status).toBe(202);
  await runDueJobs();
  return db().recovery.findFirstOrThrow({ where: { externalId: ref }, select: { id: true, workspaceId: true } });
}

/**
 * Moves the clock on in steps of 6 hours, running what falls due, until `done` holds: when each email
 * goes is the email plan's call (after a retry, in the customer's daytime), not this test's.
 */
async function runUntil(done: () => Promise<boolean>, maxHours = 400) {
  for (let hours = 0; hours <= maxHours; hours += 6) {
    await runDueJobs();
    if (await done()) return;
    await advanceTime(6 * HOUR);
  }
  throw new Error(`not done within ${maxHours} hours`);
}

const to = (address: string) => (m: ParsedMail) => (m.to as { text: string } | undefined)?.text.includes(address) ?? false;
const sequenceMessages = (recoveryId: string) =>
  db().dunningMessage.findMany({ where: { recoveryId, kind: "sequence" }, orderBy: { createdAt: "asc" }, select: { status: true, error: true, attempts: true, subject: true } });
const header = (mail: ParsedMail, name: string) => mail.headerLines.find((h) => h.key === name)?.line.replace(/^[^:]+:\s*/, "").replace(/\r?\n\s+/g, " ");

describe("a hard bounce at send time", () => {
  it("suppresses the address for the workspace, fails the message without a retry, and skips the next steps; another workspace still emails it", async () => {
    testClock.set(new Date("2026-11-02T10:00:00Z"));
    const address = "bounce.story@example.com";
    const a = await makeWorkspace({ name: "Fjord Tea" });
    const recoveryA = await failedPayment(a.apiKey, address, "psp_bounce_a");

    // Step 1 is refused for good: 550 to RCPT TO.
    smtp.rejectRecipient(address, 550, "5.1.1 The email account that you tried to reach does not exist");
    await runUntil(async () => (await sequenceMessages(recoveryA.id)).length > 0);
    expect(await sequenceMessages(recoveryA.id)).toEqual([
      { status: "failed", error: expect.stringContaining("550 5.1.1"), attempts: 1, subject: expect.any(String) },
    ]);
    expect(await isSuppressed(a.workspace.id, address)).toEqual({ reason: "hard_bounce", source: "smtp" });
    expect(await db().emailSuppression.findFirstOrThrow({ where: { workspaceId: a.workspace.id } })).toMatchObject({ email: address, detail: expect.stringContaining("550") });
    expect(await pendingJobs(queues.dunningSend.name)).toEqual([]);

    // The mailbox would take mail now: nothing from this workspace may reach it any more.
    smtp.acceptRecipient(address);
    const b = await makeWorkspace({ name: "Other Shop" });
    const recoveryB = await failedPayment(b.apiKey, address, "psp_bounce_b");
    // Until A's sequence is through (its steps 2 and 3); B's first email goes meanwhile.
    await runUntil(async () => (await sequenceMessages(recoveryA.id)).length === 3);

    expect(await sequenceMessages(recoveryA.id)).toEqual([
      expect.objectContaining({ status: "failed", attempts: 1 }),
      { status: "skipped", error: "address suppressed (hard_bounce)", attempts: 0, subject: expect.any(String) },
      { status: "skipped", error: "address suppressed (hard_bounce)", attempts: 0, subject: expect.any(String) },
    ]);
    const received = smtp.messages.filter(to(address));
    expect(received.length).toBeGreaterThanOrEqual(1);
    expect(received.every((m) => m.from?.text.includes("Other Shop"))).toBe(true);
    expect((await sequenceMessages(recoveryB.id))[0]).toMatchObject({ status: "sent" });
    expect(await isSuppressed(b.workspace.id, address)).toBeNull();
  });

  it("retries a temporary refusal (4xx) and suppresses nothing", async () => {
    testClock.set(new Date("2026-11-02T10:00:00Z"));
    const address = "busy.mailbox@example.com";
    const ws = await makeWorkspace();
    const recovery = await failedPayment(ws.apiKey, address, "psp_busy");
    smtp.rejectRecipient(address, 450, "4.2.1 Mailbox busy, try again later");
    // The refused send throws, so pg-boss retries it (after its delay): the message waits, `scheduled`.
    await runUntil(async () => (await sequenceMessages(recovery.id)).some((m) => m.error?.includes("450")));
    expect(await sequenceMessages(recovery.id)).toEqual([expect.objectContaining({ status: "scheduled", attempts: 1, error: expect.stringContaining("450") })]);
    expect(await isSuppressed(ws.workspace.id, address)).toBeNull();
    smtp.acceptRecipient(address);
    await runUntil(async () => (await sequenceMessages(recovery.id))[0]?.status === "sent", 24);
    expect(await sequenceMessages(recovery.id)).toEqual([expect.objectContaining({ status: "sent", attempts: 2 })]);
  });
});

describe("one-click unsubscribe (RFC 8058)", () => {
  it("every dunning email names its link in List-Unsubscribe; a POST of List-Unsubscribe=One-Click suppresses the address, and the next email is skipped", async () => {
    testClock.set(new Date("2026-11-02T10:00:00Z"));
    const address = "Listener@Example.com";
    const ws = await makeWorkspace({ name: "Story Coffee" });
    const recovery = await failedPayment(ws.apiKey, address, "psp_listener");
    await runUntil(async () => smtp.messages.some(to("istener@example.com")));
    const mail = await smtp.waitFor(to("istener@example.com"));
    expect(header(mail, "list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    const link = /^<(https?:\/\/[^>]+\/u\/([A-Za-z0-9_-]+\.[A-Za-z0-9_-]+))>$/.exec(header(mail, "list-unsubscribe") ?? "");
    expect(link, header(mail, "list-unsubscribe")).not.toBeNull();
    const token = link![2]!;

    // The page a person opens: whose emails, to which address (masked), and a button that POSTs.
    const request = (method: string, body?: string, t = token) =>
      new Request(`http://localhost/u/${t}`, { method, body, headers: body ? { "content-type": "application/x-www-form-urlencoded" } : {} });
    expect(await unsubscribeRoute.loader({ request: request("GET"), params: { token }, context: {} })).toEqual({ merchant: "Story Coffee", email: "l•••@example.com" });
    const forged = `${token.slice(0, -3)}abc`;
    expect((await thrown<{ init: ResponseInit }>(unsubscribeRoute.loader({ request: request("GET", undefined, forged), params: { token: forged }, context: {} }))).init.status).toBe(404);
    expect((await thrown<{ init: ResponseInit }>(unsubscribeRoute.action({ request: request("POST", "other=1"), params: { token }, context: {} }))).init.status).toBe(400);
    expect(await isSuppressed(ws.workspace.id, address)).toBeNull();

    // The mail client's one-click POST: no login, no cookie.
    expect(await unsubscribeRoute.action({ request: request("POST", "List-Unsubscribe=One-Click"), params: { token }, context: {} })).toEqual({ unsubscribed: true });
    expect(await isSuppressed(ws.workspace.id, address)).toEqual({ reason: "unsubscribe", source: "list_unsubscribe" });
    // Twice is the same suppression.
    await unsubscribeRoute.action({ request: request("POST", "List-Unsubscribe=One-Click"), params: { token }, context: {} });
    expect(await db().emailSuppression.count({ where: { workspaceId: ws.workspace.id } })).toBe(1);

    const before = smtp.messages.filter(to("istener@example.com")).length;
    await runUntil(async () => (await sequenceMessages(recovery.id)).length === 2);
    expect((await sequenceMessages(recovery.id)).map((m) => [m.status, m.error])).toEqual([
      ["sent", null],
      ["skipped", "address suppressed (unsubscribe)"],
    ]);
    expect(smtp.messages.filter(to("istener@example.com"))).toHaveLength(before);
  });
});
