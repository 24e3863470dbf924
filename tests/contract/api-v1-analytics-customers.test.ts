// LostChurn 39–42 (seed 002, "At-Risk Customers", "Quick-Enroll At-Risk Customer", "Email Health",
// "Email Engagement"), read from the rollups (ADR 0078). Expected figures are worked out by hand
// from a handful of customers and emails.
import { afterAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { rollUpWorkspace } from "~/domain/analytics/rollup.server";
import { createCampaign, transition } from "~/domain/campaigns/campaigns.server";
import { runDunningStep, scheduleSequence } from "~/domain/dunning/messages.server";
import * as customersRoute from "~/routes/api.v1.analytics.at-risk-customers";
import * as enrollRoute from "~/routes/api.v1.analytics.at-risk-customers.$id.enroll";
import * as healthRoute from "~/routes/api.v1.analytics.email-health";
import * as engagementRoute from "~/routes/api.v1.analytics.email-engagement";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { insertAttempt } from "../helpers/attempts";
import { pendingJobs, runDueJobs } from "../helpers/jobs";
import { useV1Caller } from "../helpers/openapi";

const CUSTOMERS = "/api/v1/analytics/at-risk-customers";
const ENROLL = "/api/v1/analytics/at-risk-customers/{id}/enroll";
const HEALTH = "/api/v1/analytics/email-health";
const ENGAGEMENT = "/api/v1/analytics/email-engagement";
const v1 = useV1Caller({ [CUSTOMERS]: customersRoute, [ENROLL]: enrollRoute, [HEALTH]: healthRoute, [ENGAGEMENT]: engagementRoute });
afterAll(() => testClock.reset());

const get = (path: string, token: string, query = "", expect = 200) => v1.call("GET", path, query ? `${path}?${query}` : path, { token, expect });
const enroll = (token: string, customerId: string, campaignId: string, expect = 200) =>
  v1.call("POST", ENROLL, `/api/v1/analytics/at-risk-customers/${customerId}/enroll`, { token, expect, params: { id: customerId }, body: { campaign_id: campaignId } });

const at = (iso: string) => new Date(iso);

/**
 * A UTC workspace, now 2026-03-20 12:00:
 * c1 one open usd 60 000 (≥ 500.00: high value), failed 03-18;
 * c2 recovered usd on 02-01, then open usd 2 000 on 03-15 and eur 1 000 on 03-16: repeat failure;
 * c3 open usd 1 500 declined expired_card on 03-10: expiring card;
 * c4 no recovery, a card expiring 2026-03 (end of month within 30 days): expiring card, nothing open;
 * c5 two closed recoveries in 2025: not at risk; c6 open, test mode; c7 open on 03-01 and one on
 * 2025-11-01 (139 days before): in no cohort; another workspace's open customer.
 */
async function cohorts() {
  testClock.set(at("2026-03-20T12:00:00Z"));
  const ws = await makeWorkspace();
  const id = ws.workspace.id;
  const c1 = await insertAttempt(id, { startedAt: at("2026-03-18T10:00:00Z"), amountDueMinor: 60_000 });
  const c2a = await insertAttempt(id, { startedAt: at("2026-02-01T10:00:00Z"), status: "recovered", recoveredAmountMinor: 2500 });
  const c2 = c2a.customerId!;
  await insertAttempt(id, { startedAt: at("2026-03-15T10:00:00Z"), amountDueMinor: 2000, customerId: c2, externalCustomerId: c2a.externalCustomerId });
  await insertAttempt(id, { startedAt: at("2026-03-16T10:00:00Z"), amountDueMinor: 1000, currency: "eur", customerId: c2, externalCustomerId: c2a.externalCustomerId });
  const c3 = await insertAttempt(id, { startedAt: at("2026-03-10T10:00:00Z"), amountDueMinor: 1500, declineCode: "expired_card", declineCategory: "hard_customer" });
  const c4 = await db().customer.create({ data: { workspaceId: id, provider: "stripe", externalId: "cus_c4", email: "c4@example.com", name: "Card Soon" } });
  await db().cardExpiry.create({
    data: { workspaceId: id, provider: "stripe", externalAccountId: "acct_1", externalCustomerId: "cus_c4", paymentMethodId: "pm_c4", expMonth: 3, expYear: 2026, reportedAt: at("2026-03-01T00:00:00Z") },
  });
  const c5 = await insertAttempt(id, { startedAt: at("2025-10-01T10:00:00Z"), status: "failed" });
  await insertAttempt(id, { startedAt: at("2025-10-05T10:00:00Z"), status: "failed", customerId: c5.customerId, externalCustomerId: c5.externalCustomerId });
  const c6 = await insertAttempt(id, { startedAt: at("2026-03-17T10:00:00Z"), livemode: false });
  const c7 = await insertAttempt(id, { startedAt: at("2026-03-01T10:00:00Z") });
  await insertAttempt(id, { startedAt: at("2025-11-01T10:00:00Z"), status: "failed", customerId: c7.customerId, externalCustomerId: c7.externalCustomerId });
  const other = await makeWorkspace();
  const foreign = await insertAttempt(other.workspace.id, { startedAt: at("2026-03-18T10:00:00Z"), amountDueMinor: 90_000 });
  // What the analytics-rollup job does every minute; reads answer from its rollups.
  await rollUpWorkspace({ workspaceId: id });
  await rollUpWorkspace({ workspaceId: other.workspace.id });
  return { ...ws, id, c1, c2, c3, c4, c6, c7, other, foreign };
}

const ids = (res: { data: Array<{ customer_id: string }> }) => res.data.map((c) => c.customer_id);

describe("GET /api/v1/analytics/at-risk-customers", () => {
  it("lists the customers with money open or a card expiring, most recent failure first, in offset pages, with their cohorts", async () => {
    const ws = await cohorts();
    const all = await get(CUSTOMERS, ws.apiKey);
    expect(ids(all)).toEqual([ws.c1.customerId, ws.c2, ws.c3.customerId, ws.c7.customerId, ws.c4.id]);
    expect(all.body.pagination).toEqual({ page: 1, per_page: 25, total: 5, total_pages: 1 });
    expect(all.data[0]).toEqual({
      customer_id: ws.c1.customerId,
      email: expect.stringMatching(/@example\.com$/),
      name: "Ada",
      cohorts: ["high_value"],
      open_amounts: [{ currency: "usd", amount: 60_000 }],
      open_recoveries: 1,
      last_failure_at: "2026-03-18T10:00:00.000Z",
      card_expiring: false,
    });
    expect(all.data[1]).toMatchObject({ cohorts: ["repeat_failure"], open_recoveries: 2, open_amounts: [{ currency: "usd", amount: 2000 }, { currency: "eur", amount: 1000 }] });
    expect(all.data[2]).toMatchObject({ cohorts: ["expiring_card"], open_amounts: [{ currency: "usd", amount: 1500 }] });
    expect(all.data[3]).toMatchObject({ cohorts: [], open_recoveries: 1 });
    expect(all.data[4]).toEqual({ customer_id: ws.c4.id, email: "c4@example.com", name: "Card Soon", cohorts: ["expiring_card"], open_amounts: [], open_recoveries: 0, last_failure_at: null, card_expiring: true });

    const page2 = await get(CUSTOMERS, ws.apiKey, "page=2&per_page=2");
    expect(ids(page2)).toEqual([ws.c3.customerId, ws.c7.customerId]);
    expect(page2.body.pagination).toEqual({ page: 2, per_page: 2, total: 5, total_pages: 3 });
    const page3 = await get(CUSTOMERS, ws.apiKey, "page=3&per_page=2");
    expect(ids(page3)).toEqual([ws.c4.id]);

    expect(ids(await get(CUSTOMERS, ws.apiKey, "cohort=high_value"))).toEqual([ws.c1.customerId]);
    expect(ids(await get(CUSTOMERS, ws.apiKey, "cohort=repeat_failure"))).toEqual([ws.c2]);
    const expiring = await get(CUSTOMERS, ws.apiKey, "cohort=expiring_card");
    expect(ids(expiring)).toEqual([ws.c3.customerId, ws.c4.id]);
    expect(expiring.body.pagination?.total).toBe(2);

    // Test mode sees its own customer only.
    const test = await createApiKey({ workspaceId: ws.id, scopes: ["analytics"], livemode: false });
    expect(ids(await get(CUSTOMERS, test.key))).toEqual([ws.c6.customerId]);

    // c1 pays: once the rollup job has run, the list no longer has them (it refreshes the changed customer).
    await db().recovery.update({ where: { id: ws.c1.id }, data: { status: "recovered", recoveredAmountMinor: 60_000, endedAt: at("2026-03-20T11:00:00Z") } });
    expect(ids(await get(CUSTOMERS, ws.apiKey))).toContain(ws.c1.customerId);
    await runDueJobs();
    const after = await get(CUSTOMERS, ws.apiKey);
    expect(ids(after)).toEqual([ws.c2, ws.c3.customerId, ws.c7.customerId, ws.c4.id]);
    expect((await get(CUSTOMERS, ws.apiKey, "cohort=high_value")).body.pagination?.total).toBe(0);
  });

  it("refuses bad parameters in LostChurn's error shape and wants the analytics or read scope", async () => {
    const ws = await cohorts();
    for (const [query, field] of [["per_page=101", "query.per_page"], ["cohort=churned", "query.cohort"], ["page=0", "query.page"]] as const) {
      const res = await get(CUSTOMERS, ws.apiKey, query, 400);
      expect(res.error.code).toBe("VALIDATION_ERROR");
      expect(res.error.message).toContain(field);
    }
    const webhooksOnly = await createApiKey({ workspaceId: ws.id, scopes: ["webhooks"] });
    expect((await get(CUSTOMERS, webhooksOnly.key, "", 403)).error.code).toBe("INSUFFICIENT_SCOPE");
  });
});

describe("POST /api/v1/analytics/at-risk-customers/{id}/enroll", () => {
  it("moves the customer's open recoveries to the chosen campaign: its first step is scheduled, the old campaign's waiting emails do not send", async () => {
    const ws = await cohorts();
    const old = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: ws.id }, include: { steps: { orderBy: { position: "asc" } } } });
    expect(old.status).toBe("active");
    // c2's open usd recovery follows the old campaign: its first step's job waits, its second step's email waits for daytime.
    const open = await db().recovery.findMany({ where: { customerId: ws.c2, status: "pending" }, orderBy: { startedAt: "asc" } });
    const followed = open[0]!;
    await db().$transaction(async (tx) => {
      await tx.campaignEnrollment.create({ data: { workspaceId: ws.id, campaignId: old.id, recoveryId: followed.id, totalSteps: old.steps.length, enrolledAt: new Date("2026-03-20T12:00:00Z") } });
      await scheduleSequence({ tx, recovery: { ...followed, startedAt: new Date("2026-03-20T12:00:00Z") }, sequence: old });
    });
    const waiting = await db().dunningMessage.create({
      data: {
        workspaceId: ws.id, recoveryId: followed.id, stepId: old.steps[1]!.id, kind: "sequence", dedupeKey: `step:${old.steps[1]!.id}`, toEmail: "x@example.com",
        subject: "s", bodyText: "b", bodyHtml: "b", status: "scheduled", scheduledFor: at("2026-03-21T09:00:00Z"), trackingId: `trk_${followed.id}`,
      },
    });
    const chosen = await createCampaign({
      workspaceId: ws.id,
      status: "active",
      draft: { name: "High touch", trigger: "payment_failed", filters: {}, steps: [{ channel: "email", delay_hours: 0, subject_template: "About your payment", body_template: "Hi {{customer_name}} {{update_payment_url}}" }] },
    });
    const newStep = (await db().dunningStep.findFirstOrThrow({ where: { sequenceId: chosen.id } })).id;

    const res = await enroll(ws.apiKey, ws.c2, chosen.id);
    expect(res.data).toEqual({ customer_id: ws.c2, campaign_id: chosen.id, campaign_name: "High touch", enrolled: open.map((r) => r.id), already_enrolled: [], skipped: [] });
    expect((await db().recovery.findMany({ where: { id: { in: open.map((r) => r.id) } } })).map((r) => r.sequenceId)).toEqual([chosen.id, chosen.id]);
    const enrollments = await db().campaignEnrollment.findMany({ where: { recoveryId: followed.id }, orderBy: { enrolledAt: "asc" } });
    expect(enrollments.map((e) => [e.campaignId, e.status, e.endReason])).toEqual([[old.id, "exited", "moved_to_campaign"], [chosen.id, "active", null]]);
    expect((await db().dunningMessage.findUniqueOrThrow({ where: { id: waiting.id } })).status).toBe("skipped");
    const jobs = (await pendingJobs("dunning-step")).map((j) => j.data as { recoveryId: string; stepId: string });
    expect(jobs).toEqual(expect.arrayContaining(open.map((r) => ({ recoveryId: r.id, stepId: newStep }))));
    // The old campaign's first step, when its job runs, sends nothing.
    expect(await runDunningStep({ recoveryId: followed.id, stepId: old.steps[0]!.id })).toEqual({ outcome: "step_gone" });
    expect(await db().dunningMessage.count({ where: { recoveryId: followed.id, dedupeKey: `step:${old.steps[0]!.id}` } })).toBe(0);

    // Again, by the PSP's customer id: already there.
    const c2 = await db().customer.findUniqueOrThrow({ where: { id: ws.c2 } });
    const again = await enroll(ws.apiKey, c2.externalId, chosen.id);
    expect(again.data).toMatchObject({ enrolled: [], already_enrolled: open.map((r) => r.id) });
  });

  it("is a 404 for another workspace's customer or campaign, a 409 for a campaign not active or a customer with nothing open; wants write", async () => {
    const ws = await cohorts();
    const mine = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: ws.id } });
    const theirs = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: ws.other.workspace.id } });
    const foreignCustomer = await enroll(ws.apiKey, ws.foreign.customerId!, mine.id, 404);
    expect(foreignCustomer.error.code).toBe("NOT_FOUND");
    expect((await enroll(ws.apiKey, ws.c1.customerId!, theirs.id, 404)).error.code).toBe("NOT_FOUND");
    // The other workspace's key cannot enroll our customer either.
    await enroll(ws.other.apiKey, ws.c1.customerId!, theirs.id, 404);

    const nothingOpen = await enroll(ws.apiKey, ws.c4.id, mine.id, 409);
    expect(nothingOpen.error.message).toContain("no open recovery");
    await transition({ workspaceId: ws.id, id: mine.id, command: "pause" });
    const paused = await enroll(ws.apiKey, ws.c1.customerId!, mine.id, 409);
    expect(paused.error.message).toContain("is paused");
    expect((await db().recovery.findUniqueOrThrow({ where: { id: ws.c1.id } })).sequenceId).toBeNull();

    const readOnly = await createApiKey({ workspaceId: ws.id, scopes: ["read", "analytics"] });
    expect((await enroll(readOnly.key, ws.c1.customerId!, mine.id, 403)).error.code).toBe("INSUFFICIENT_SCOPE");
    expect((await v1.call("POST", ENROLL, `/api/v1/analytics/at-risk-customers/${ws.c1.customerId}/enroll`, { token: ws.apiKey, expect: 400, params: { id: ws.c1.customerId! }, body: {} })).error.code).toBe("VALIDATION_ERROR");
  });
});

/**
 * Emails sent on 2026-03-10 (UTC workspace), about one live recovery of the default campaign:
 * 40 to gmail.com (a0 hard-bounced an hour later, a1 unsubscribed the next day; a2–a11 opened,
 * a2–a5 clicked) and 10 to example.org (b0 complained two days later); and 5 about a test-mode
 * recovery to test.dev.
 */
async function mailbox() {
  testClock.set(at("2026-03-20T12:00:00Z"));
  const ws = await makeWorkspace();
  const id = ws.workspace.id;
  const campaign = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: id }, include: { steps: true } });
  const live = await insertAttempt(id, { startedAt: at("2026-03-09T10:00:00Z") });
  const test = await insertAttempt(id, { startedAt: at("2026-03-09T10:00:00Z"), livemode: false });
  const sentAt = at("2026-03-10T10:00:00Z");
  const message = (recoveryId: string, to: string, i: number, extra: { openedAt?: Date; clickedAt?: Date } = {}) => ({
    workspaceId: id, recoveryId, stepId: campaign.steps[0]!.id, kind: "sequence", dedupeKey: `mail:${to}:${i}`, toEmail: to, subject: "s", bodyText: "b", bodyHtml: "b",
    status: "sent" as const, scheduledFor: sentAt, sentAt, trackingId: `trk_${id}_${to}_${i}`, ...extra,
  });
  const rows = [
    ...Array.from({ length: 40 }, (_, i) => message(live.id, `a${i}@gmail.com`, i, i >= 2 && i < 12 ? { openedAt: sentAt, ...(i < 6 ? { clickedAt: sentAt } : {}) } : {})),
    ...Array.from({ length: 10 }, (_, i) => message(live.id, `b${i}@example.org`, i)),
    ...Array.from({ length: 5 }, (_, i) => message(test.id, `t${i}@test.dev`, i)),
  ];
  await db().dunningMessage.createMany({ data: rows });
  await db().emailSuppression.createMany({
    data: [
      { workspaceId: id, email: "a0@gmail.com", reason: "hard_bounce", source: "smtp", createdAt: at("2026-03-10T11:00:00Z") },
      { workspaceId: id, email: "a1@gmail.com", reason: "unsubscribe", source: "list_unsubscribe", createdAt: at("2026-03-11T11:00:00Z") },
      { workspaceId: id, email: "b0@example.org", reason: "complaint", source: "postmark", createdAt: at("2026-03-12T11:00:00Z") },
    ],
  });
  const other = await makeWorkspace();
  const theirs = await db().dunningSequence.findFirstOrThrow({ where: { workspaceId: other.workspace.id } });
  await rollUpWorkspace({ workspaceId: id });
  return { ...ws, id, campaign, theirs };
}

describe("GET /api/v1/analytics/email-health and /email-engagement", () => {
  it("gives deliverability with counts beside rates, a daily series, and per domain its signals flagged above the industry bars, live only", async () => {
    const ws = await mailbox();
    const res = await get(HEALTH, ws.apiKey, "start_date=2026-03-09&end_date=2026-03-10");
    // 50 live emails: 1 bounce (1/50 = 2 %, not above 2 %), 1 complaint (2 % > 0.1 %).
    expect(res.data).toMatchObject({
      sent: 50,
      delivered: 49,
      bounced: 1,
      complained: 1,
      delivery_rate: { rate: 0.98, low_volume: false, interval: null },
      bounce_rate: { rate: 0.02, low_volume: false, interval: null },
      complaint_rate: { rate: 0.02, low_volume: false },
      flags: ["complaint_rate_high"],
      thresholds: { bounce_rate: 0.02, complaint_rate: 0.001 },
      suppressed_addresses: 3,
    });
    expect(res.data.series).toEqual([
      { period: "2026-03-09T00:00:00", sent: 0, delivered: 0, bounced: 0, complained: 0, bounce_rate: null, complaint_rate: null },
      { period: "2026-03-10T00:00:00", sent: 50, delivered: 49, bounced: 1, complained: 1, bounce_rate: 0.02, complaint_rate: 0.02 },
    ]);
    expect(res.data.domains).toEqual([
      expect.objectContaining({ domain: "gmail.com", sent: 40, bounced: 1, complained: 0, bounce_rate: { rate: 0.025, low_volume: false, interval: null }, suppressed: 2, flags: ["bounce_rate_high"] }),
      // 10 emails: low volume, so the rate comes with its Wilson interval (1 of 10: 0.018–0.404).
      expect.objectContaining({ domain: "example.org", sent: 10, bounced: 0, complained: 1, complaint_rate: { rate: 0.1, low_volume: true, interval: [0.018, 0.404] }, suppressed: 1, flags: ["complaint_rate_high"] }),
    ]);
    expect(res.data.meta).toEqual({ start_date: "2026-03-09", end_date: "2026-03-10", group_by: "day", timezone: "UTC", as_of: "2026-03-20T12:00:00.000Z" });

    // Test mode: its 5 emails alone.
    const test = await createApiKey({ workspaceId: ws.id, scopes: ["email"], livemode: false });
    const testView = await get(HEALTH, test.key, "start_date=2026-03-10&end_date=2026-03-10");
    expect(testView.data).toMatchObject({ sent: 5, bounced: 0, domains: [expect.objectContaining({ domain: "test.dev", sent: 5 })] });

    expect((await get(HEALTH, ws.apiKey, "group_by=year", 400)).error.message).toContain("query.group_by");
    const readOnly = await createApiKey({ workspaceId: ws.id, scopes: ["webhooks"] });
    expect((await get(HEALTH, readOnly.key, "", 403)).error.code).toBe("INSUFFICIENT_SCOPE");
  });

  it("gives open, click and unsubscribe rates of the delivered emails with their counts, per campaign and for one", async () => {
    const ws = await mailbox();
    const res = await get(ENGAGEMENT, ws.apiKey, "start_date=2026-03-10&end_date=2026-03-10");
    // 49 delivered; 10 opened, 4 clicked, 1 unsubscribed.
    expect(res.data).toMatchObject({
      sent: 50,
      delivered: 49,
      opened: 10,
      clicked: 4,
      unsubscribed: 1,
      open_rate: { rate: 0.2041, low_volume: false },
      click_rate: { rate: 0.0816 },
      unsubscribe_rate: { rate: 0.0204 },
      campaign_id: null,
    });
    expect(res.data.campaigns).toEqual([expect.objectContaining({ campaign_id: ws.campaign.id, name: ws.campaign.name, sent: 50, opened: 10 })]);
    const one = await get(ENGAGEMENT, ws.apiKey, `start_date=2026-03-10&end_date=2026-03-10&campaign_id=${ws.campaign.id}`);
    expect(one.data).toMatchObject({ sent: 50, opened: 10, campaign_id: ws.campaign.id });
    const before = await get(ENGAGEMENT, ws.apiKey, "start_date=2026-03-01&end_date=2026-03-09");
    expect(before.data).toMatchObject({ sent: 0, open_rate: { rate: null, low_volume: true, interval: null } });
    expect((await get(ENGAGEMENT, ws.apiKey, `campaign_id=${ws.theirs.id}`, 404)).error.code).toBe("NOT_FOUND");
  });
});
