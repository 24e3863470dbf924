import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { getActiveSequence } from "~/domain/campaigns/sequences.server";
import * as recoveriesRoute from "~/routes/api.v1.recoveries";
import * as recoveryRoute from "~/routes/api.v1.recoveries.$id";
import * as dunningRoute from "~/routes/api.v1.recoveries.$id.dunning";
import * as pauseRoute from "~/routes/api.v1.payments.$id.pause";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { insertAttempt } from "../helpers/attempts";
import { advanceTime, runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";
import { liftRateLimits, v1Caller } from "../helpers/openapi";
import { merchantWithOpenInvoice } from "../helpers/scenario";
import { deliver, eventOf } from "../helpers/stripe";

const env = useStripeAndMail();
type Caller = Awaited<ReturnType<typeof v1Caller>>;
let v1: Caller;

const LIST = "/api/v1/recoveries";
const ONE = "/api/v1/recoveries/{id}";
const DUNNING = "/api/v1/recoveries/{id}/dunning";
const PAUSE = "/api/v1/payments/{id}/pause";
const HOUR = 3600_000;

liftRateLimits();
beforeAll(async () => {
  v1 = await v1Caller({ [LIST]: recoveriesRoute, [ONE]: recoveryRoute, [DUNNING]: dunningRoute, [PAUSE]: pauseRoute });
});

async function openRecovery() {
  testClock.set(new Date("2026-11-10T09:00:00Z"));
  const m = await merchantWithOpenInvoice(env.stripe, { amount: 3900 });
  const failed = env.stripe.failInvoice(m.account, m.invoiceId, { declineCode: "insufficient_funds", nextPaymentAttempt: null });
  await deliver(eventOf("invoice.payment_failed", failed, { account: m.account }));
  await runDueJobs();
  const row = await db().recovery.findFirstOrThrow({ where: { externalId: m.invoiceId } });
  const sequence = (await getActiveSequence(m.workspace.id))!;
  return { ...m, row, sequence };
}

const url = (path: string, id: string) => path.replace("{id}", encodeURIComponent(id));
type Item = Record<string, unknown>;
const ids = (data: unknown) => (data as Item[]).map((p) => p.id);

describe("a recovery and its campaign", () => {
  it("follows the workspace's sequence: steps scheduled from the failure, then sent one by one", async () => {
    const m = await openRecovery();
    const list = await v1.call("GET", LIST, LIST, { token: m.apiKey, expect: 200 });
    expect(list.body.pagination).toEqual({ page: 1, per_page: 25, total: 1, total_pages: 1 });
    expect(list.body.meta?.merchant_id).toBe(m.workspace.id);
    expect(list.data).toEqual([
      expect.objectContaining({
        id: m.row.id,
        payment_id: m.row.id,
        customer_id: m.row.customerId,
        campaign_id: m.sequence.id,
        status: "active",
        current_step: 0,
        total_steps: 3,
        amount_cents: 3900,
        currency: "usd",
      }),
    ]);

    const before = await v1.call("GET", ONE, url(ONE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    const steps = before.data.steps as Item[];
    // The default sequence (ADR 0053): days 3, 8 and 15 after the failure (Tue 10 Nov, 09:00 UTC).
    expect(steps.map((s) => [s.state, s.at, s.delay_hours])).toEqual([
      ["scheduled", "2026-11-13T09:00:00.000Z", 72],
      ["scheduled", "2026-11-18T09:00:00.000Z", 192],
      ["scheduled", "2026-11-25T09:00:00.000Z", 360],
    ]);
    expect(steps[0]).toMatchObject({ id: m.sequence.steps[0]!.id, subject: m.sequence.steps[0]!.subjectTemplate, message_id: null });
    expect((before.data.timeline as Item[])[0]).toMatchObject({ type: "payment_failed" });
    // A soft decline is left to its retries first: the first retry is on the morning of day 3.
    expect(before.data.next_action).toMatchObject({ kind: "retry", at: "2026-11-13T07:00:00.000Z" });

    // Nothing goes out before the first step is due.
    await advanceTime(2 * 24 * HOUR);
    await runDueJobs();
    expect(await db().dunningMessage.count({ where: { recoveryId: m.row.id } })).toBe(0);

    // The retry (Fri 13 Nov, 07:00) is declined again; the first email follows at 09:00, on day 3.
    env.stripe.declineNextPay(m.invoiceId, { declineCode: "insufficient_funds" });
    await advanceTime(22 * HOUR + 60_000);
    await runDueJobs();
    expect(await db().dunningMessage.count({ where: { recoveryId: m.row.id } })).toBe(0);
    await advanceTime(2 * HOUR);
    await runDueJobs();
    const mail = await env.smtp.waitFor((mail) => mail.subject?.includes("didn't go through") ?? false);
    expect(mail.to).toMatchObject({ text: `${m.customerId}@example.com` });
    const after = await v1.call("GET", ONE, url(ONE, m.invoiceId), { token: m.apiKey, params: { id: m.invoiceId }, expect: 200 });
    expect(after.data).toMatchObject({ current_step: 1, total_steps: 3 });
    expect((after.data.steps as Item[])[0]).toMatchObject({ state: "sent", message_id: expect.any(String) });
    expect((after.data.timeline as Item[]).map((e) => e.type)).toContain("email_sent");
    const listed = await v1.call("GET", LIST, LIST, { token: m.apiKey, expect: 200 });
    expect((listed.data as Item[])[0]).toMatchObject({ current_step: 1 });

    // Paused: what is not sent yet waits.
    await v1.call("POST", PAUSE, url(PAUSE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    const paused = await v1.call("GET", ONE, url(ONE, m.row.id), { token: m.apiKey, params: { id: m.row.id }, expect: 200 });
    expect(paused.data).toMatchObject({ status: "paused", next_action: null });
    expect((paused.data.steps as Item[]).map((s) => s.state)).toEqual(["sent", "paused", "paused"]);
  });
});

describe("POST /api/v1/recoveries/{id}/dunning", () => {
  it("sends the campaign's next email now, with a subject of the merchant's, once an hour", async () => {
    const m = await openRecovery();
    testClock.set(new Date("2026-11-10T09:20:00Z"));
    const key = { "idempotency-key": `dunning-${m.row.id}` };
    const body = { subject: "{{customer_name}}, a quick note from {{merchant_name}}" };
    const sent = await v1.call("POST", DUNNING, url(DUNNING, m.row.id), { token: m.apiKey, params: { id: m.row.id }, body, headers: key, expect: 200 });
    expect(sent.body.meta?.merchant_id).toBe(m.workspace.id);
    expect(sent.data).toMatchObject({
      sent: true,
      recovery_id: m.row.id,
      template_id: m.sequence.steps[0]!.id,
      subject: `Grace Hopper, a quick note from ${m.workspace.name}`,
      to_email: `${m.customerId}@example.com`,
      queued_at: "2026-11-10T09:20:00.000Z",
    });
    const message = await db().dunningMessage.findUniqueOrThrow({ where: { id: sent.data.message_id as string } });
    expect(message).toMatchObject({ kind: "manual", stepId: m.sequence.steps[0]!.id, dedupeKey: expect.stringMatching(/^manual:\d+$/) });
    await runDueJobs();
    const mail = await env.smtp.waitFor((mail) => mail.messageId === `<${message.id}@recoup>`);
    expect(mail.subject).toBe(`Grace Hopper, a quick note from ${m.workspace.name}`);
    expect(mail.text).toContain("39.00");

    // The same request again (Idempotency-Key): the first answer, no second email.
    const replay = await v1.call("POST", DUNNING, url(DUNNING, m.row.id), { token: m.apiKey, params: { id: m.row.id }, body, headers: key, expect: 200 });
    expect(replay.data).toEqual(sent.data);
    // A new request within the hour: refused, saying when.
    testClock.set(new Date("2026-11-10T09:50:00Z"));
    const again = await v1.call("POST", DUNNING, url(DUNNING, m.row.id), { token: m.apiKey, params: { id: m.row.id }, body: {}, expect: 409 });
    expect(again.error.message).toContain("09:20");
    expect(await db().dunningMessage.count({ where: { recoveryId: m.row.id, kind: "manual" } })).toBe(1);

    // An hour later, another step's template by id.
    testClock.set(new Date("2026-11-10T10:21:00Z"));
    const third = m.sequence.steps[2]!;
    const other = await v1.call("POST", DUNNING, url(DUNNING, m.row.id), { token: m.apiKey, params: { id: m.row.id }, body: { template_id: third.id }, expect: 200 });
    expect(other.data).toMatchObject({ template_id: third.id, subject: `Last reminder: your ${m.workspace.name} payment` });
  });

  it("refuses what cannot be sent: unknown template or placeholder, closed or paused recovery, another workspace's ids", async () => {
    const m = await openRecovery();
    const elsewhere = await makeWorkspace();
    const theirStep = (await getActiveSequence(elsewhere.workspace.id))!.steps[0]!;
    const call = (id: string, body: unknown, status: number, token = m.apiKey) => v1.call("POST", DUNNING, url(DUNNING, id), { token, params: { id }, body, expect: status });

    expect((await call(m.row.id, { template_id: theirStep.id }, 404)).error).toMatchObject({ code: "NOT_FOUND", type: "template_not_found" });
    expect((await call(m.row.id, { subject: "Hi {{first_name}}" }, 400)).error).toMatchObject({ code: "UNKNOWN_PLACEHOLDER", type: "unknown_placeholder" });
    expect((await call(m.row.id, { subject: "" }, 400)).error).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ path: "body.subject" }] });
    expect((await call(m.row.id, { template_id: 42 }, 400)).error).toMatchObject({ errors: [{ path: "body.template_id" }] });
    expect((await call(m.row.id, { cc: "x@example.com" }, 400)).error).toMatchObject({ errors: [{ path: "body.cc", message: "Unknown field." }] });
    expect((await call(m.row.id, "{oops", 400)).error).toMatchObject({ code: "VALIDATION_ERROR", type: "invalid_json" });
    expect((await call(m.row.id, {}, 404, elsewhere.apiKey)).error).toMatchObject({ code: "NOT_FOUND", type: "recovery_not_found" });

    const closed = await insertAttempt(m.workspace.id, { status: "recovered", livemode: false });
    expect((await call(closed.id, {}, 409)).error.message).toContain("closed");
    const paused = await insertAttempt(m.workspace.id, { paused: true, livemode: false });
    expect((await call(paused.id, {}, 409)).error.message).toContain("paused");
    expect(await db().dunningMessage.count({ where: { recoveryId: m.row.id, kind: "manual" } })).toBe(0);
  });
});

describe("recovery lists", () => {
  it("filter by status and campaign, page by cursor and by page/per_page", async () => {
    const ws = await makeWorkspace();
    const w = ws.workspace.id;
    const sequence = (await getActiveSequence(w))!;
    const at = (day: number) => new Date(Date.UTC(2026, 2, day));
    const r = {
      active: (await insertAttempt(w, { startedAt: at(1), sequenceId: sequence.id })).id,
      paused: (await insertAttempt(w, { startedAt: at(2), paused: true, sequenceId: sequence.id })).id,
      recovered: (await insertAttempt(w, { startedAt: at(3), status: "recovered" })).id,
      failed: (await insertAttempt(w, { startedAt: at(4), status: "failed", sequenceId: sequence.id })).id,
      abandoned: (await insertAttempt(w, { startedAt: at(5), status: "abandoned" })).id,
    };
    const list = (q: string, status = 200) => v1.call("GET", LIST, `${LIST}${q}`, { token: ws.apiKey, expect: status });
    expect(ids((await list("")).data)).toEqual([r.abandoned, r.failed, r.recovered, r.paused, r.active]);
    expect(ids((await list("?status=active")).data)).toEqual([r.active]);
    expect(ids((await list("?status=paused")).data)).toEqual([r.paused]);
    expect(ids((await list("?status=recovered")).data)).toEqual([r.recovered]);
    expect(ids((await list("?status=terminal")).data)).toEqual([r.abandoned, r.failed]);
    expect(ids((await list(`?campaign_id=${sequence.id}`)).data)).toEqual([r.failed, r.paused, r.active]);
    expect(ids((await list(`?campaign_id=${sequence.id}&status=terminal`)).data)).toEqual([r.failed]);
    expect(ids((await list("?campaign_id=seq_unknown")).data)).toEqual([]);
    expect((await list("")).body.pagination).toEqual({ page: 1, per_page: 25, total: 5, total_pages: 1 });
    expect(((await list("")).data as Item[]).map((i) => i.status)).toEqual(["terminal", "terminal", "recovered", "paused", "active"]);

    const seen: unknown[] = [];
    let q = "?limit=2";
    for (let i = 0; i < 5; i++) {
      const page = await list(q);
      expect(page.body.pagination).toBeUndefined();
      seen.push(...ids(page.data));
      if (!page.body.cursor?.next) break;
      q = `?limit=2&cursor=${page.body.cursor.next}`;
    }
    expect(seen).toEqual([r.abandoned, r.failed, r.recovered, r.paused, r.active]);
    const offset = await list("?page=3&per_page=2");
    expect(offset.body.pagination).toEqual({ page: 3, per_page: 2, total: 5, total_pages: 3 });
    expect(ids(offset.data)).toEqual([r.active]);

    expect((await list("?status=failed", 400)).error).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ path: "query.status" }] });
    expect((await list("?cursor=%25%25", 400)).error).toMatchObject({ code: "INVALID_CURSOR", type: "invalid_cursor" });
    expect((await list("?per_page=500", 400)).error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
  });

  it("is scoped: another workspace's recovery is 404, and read:recoveries is needed", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const theirs = await insertAttempt(other.workspace.id, {});
    expect((await v1.call("GET", ONE, url(ONE, theirs.id), { token: ws.apiKey, params: { id: theirs.id }, expect: 404 })).error).toMatchObject({ code: "NOT_FOUND", type: "recovery_not_found" });
    expect(ids((await v1.call("GET", LIST, LIST, { token: ws.apiKey, expect: 200 })).data)).toEqual([]);
    await v1.call("GET", LIST, LIST, { expect: 401 });
    const customers = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:customers"] });
    const refused = await v1.call("GET", LIST, LIST, { token: customers.key, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "read:recoveries" });
    const reader = await createApiKey({ workspaceId: other.workspace.id, scopes: ["read:recoveries"] });
    await v1.call("GET", ONE, url(ONE, theirs.id), { token: reader.key, params: { id: theirs.id }, expect: 200 });
    const write = await v1.call("POST", DUNNING, url(DUNNING, theirs.id), { token: reader.key, params: { id: theirs.id }, body: {}, expect: 403 });
    expect(write.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "write:recoveries" });
  });
});
