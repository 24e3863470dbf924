import { formatDate } from "~/contracts/dashboard/format";
import { describe, expect, it } from "vitest";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import type { FakeStripe } from "../../tests/fakes/stripe-server";
import { makeWorkspace } from "../../tests/factories";
import { runDueJobs } from "../../tests/helpers/jobs";
import { useStripeAndMail } from "../../tests/helpers/mail-and-stripe";
import { merchantWithOpenInvoice } from "../../tests/helpers/scenario";
import { deliver, eventOf } from "../../tests/helpers/stripe";
import * as route from "./dashboard.recoveries.$id";
import { thrown } from "../../tests/helpers/thrown";

const env = useStripeAndMail();

async function failedRecovery(decline: Parameters<FakeStripe["failInvoice"]>[2] = { declineCode: "insufficient_funds" }) {
  testClock.set(new Date("2026-11-10T12:00:00Z"));
  const m = await merchantWithOpenInvoice(env.stripe, { amount: 4900 });
  const failed = env.stripe.failInvoice(m.account, m.invoiceId, { nextPaymentAttempt: null, ...decline });
  await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  await runDueJobs();
  const recovery = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  return { ...m, recovery, path: `/dashboard/recoveries/${recovery.id}` };
}

const cookie = (token?: string): Record<string, string> => (token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {});

function load(path: string, token?: string) {
  const id = path.split("/").pop()!;
  return route.loader({ request: new Request(`http://localhost${path}`, { headers: cookie(token) }), params: { id }, context: {} });
}

/** Presses a button: the action's answer as { status, body }, whether it returned plain data or data with a status. */
async function press(path: string, intent: string, token?: string) {
  const id = path.split("/").pop()!;
  const request = new Request(`http://localhost${path}`, { method: "POST", headers: cookie(token), body: new URLSearchParams({ intent }) });
  const result = (await route.action({ request, params: { id }, context: {} })) as object;
  if ("init" in result && "data" in result) return { status: (result.init as ResponseInit).status ?? 200, body: result.data as Record<string, unknown> };
  return { status: 200, body: result as Record<string, unknown> };
}


describe("a recovery's page", () => {
  it("shows the header facts and the timeline, the decline in plain words", async () => {
    const m = await failedRecovery();
    const page = await load(m.path, m.sessionToken);
    expect(page.attempt).toMatchObject({ id: m.recovery.id, stripeInvoiceId: m.invoiceId, amountDueCents: 4900, status: "pending" });
    expect(page.customer).toMatchObject({ id: m.customerId, email: `${m.customerId}@example.com`, name: "Grace Hopper" });
    expect(page.card).toEqual({ brand: "visa", last4: "4242" });
    expect(page.decline).toBe("The card has insufficient funds for this payment.");
    expect(page.nextAction).toMatchObject({ kind: "retry", reason: expect.any(String) });
    expect(page.entries).toEqual([
      expect.objectContaining({ kind: "failure", source: "platform", declineCode: "insufficient_funds", inWords: "The card has insufficient funds for this payment." }),
    ]);
  });

  it("is a 404 for another workspace's recovery (and for a made-up id), a sign-in redirect signed out", async () => {
    const m = await failedRecovery();
    const other = await makeWorkspace();
    expect(await thrown(load(m.path, other.sessionToken))).toMatchObject({ init: { status: 404 } });
    expect(await thrown(load("/dashboard/recoveries/nope", m.sessionToken))).toMatchObject({ init: { status: 404 } });
    const signedOut = await thrown<Response>(load(m.path));
    expect([signedOut.status, signedOut.headers.get("Location")]).toEqual([302, `/auth/sign-in?redirectTo=${encodeURIComponent(m.path)}`]);
    expect(await thrown(press(m.path, "pause", other.sessionToken))).toMatchObject({ init: { status: 404 } });
    expect((await db().recovery.findUniqueOrThrow({ where: { id: m.recovery.id } })).paused).toBe(false);
  });

  it("retry now charges the invoice at once, and the attempt joins the timeline", async () => {
    const m = await failedRecovery();
    env.stripe.declineNextPay(m.invoiceId, { declineCode: "do_not_honor" });
    const res = await press(m.path, "retry", m.sessionToken);
    expect(res).toEqual({ status: 200, body: { ok: true, message: "Retrying now. The result shows up in the timeline within a minute.", at: expect.any(Number) } });

    await runDueJobs();
    expect(env.stripe.requestsTo("POST", `/v1/invoices/${m.invoiceId}/pay`)).toHaveLength(1);
    const page = await load(m.path, m.sessionToken);
    expect(page.entries.at(-1)).toMatchObject({ kind: "failure", source: "recoup", attemptNumber: 1, inWords: "The issuer declined without giving a reason (do not honour)." });
  });

  it("a retry the card networks forbid is refused, with the reason in plain words", async () => {
    const m = await failedRecovery({ declineCode: "stolen_card" });
    const res = await press(m.path, "retry", m.sessionToken);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ ok: false, error: expect.stringMatching(/^Not retried: .*the bank reported the card lost, stolen/) });
    expect(res.body.error).not.toContain("stolen_card");
    await runDueJobs();
    expect(env.stripe.requestsTo("POST", `/v1/invoices/${m.invoiceId}/pay`)).toHaveLength(0);
  });

  it("pause and resume", async () => {
    const m = await failedRecovery();
    expect((await press(m.path, "pause", m.sessionToken)).body).toMatchObject({ ok: true, message: "Recovery paused. No retries or emails until you resume it." });
    expect((await load(m.path, m.sessionToken)).paused).toBe(true);
    expect((await press(m.path, "pause", m.sessionToken)).body).toMatchObject({ ok: true });

    const resumed = await press(m.path, "resume", m.sessionToken);
    expect(resumed.body).toMatchObject({ ok: true, message: expect.stringMatching(/^Recovery resumed\. \S/) });
    // Planned again: it says when the next retry is (the workspace's time) and why.
    const after = await load(m.path, m.sessionToken);
    expect(after.paused).toBe(false);
    expect(after.nextAction?.kind).toBe("retry");
    const { message } = resumed.body as { message: string };
    expect(message).toContain(`Next retry: ${formatDate(after.nextAction!.at, after.timeZone)}.`);
    expect(message).toContain(after.nextAction!.reason!);
  });

  it("send update link now emails the customer once an hour, and says so", async () => {
    const m = await failedRecovery();
    testClock.set(new Date("2026-11-10T12:30:00Z"));
    expect((await press(m.path, "send_link", m.sessionToken)).body).toMatchObject({ ok: true, message: `Update link on its way to ${m.customerId}@example.com.` });
    await runDueJobs();
    await env.smtp.waitFor((mail) => mail.subject?.includes("needs updating") === true && JSON.stringify(mail.to).includes(m.customerId));
    expect((await load(m.path, m.sessionToken)).entries.at(-1)).toMatchObject({ kind: "email", emailKind: "card_update_request", status: "sent" });

    const again = await press(m.path, "send_link", m.sessionToken);
    expect(again).toEqual({ status: 409, body: { ok: false, error: "Already sent at 12:30. You can send another one an hour after that." } });
  });

  it("a closed recovery refuses every button in plain words; an unknown button is a 400", async () => {
    const m = await failedRecovery();
    await db().recovery.update({ where: { id: m.recovery.id }, data: { status: "recovered", endedAt: new Date() } });
    for (const intent of ["retry", "pause", "resume"]) {
      expect(await press(m.path, intent, m.sessionToken)).toEqual({ status: 400, body: { ok: false, error: "This recovery is already closed." } });
    }
    expect((await press(m.path, "send_link", m.sessionToken)).body).toMatchObject({ ok: false, error: expect.stringContaining("already closed") });
    expect((await press(m.path, "refund", m.sessionToken)).status).toBe(400);
  });
});
