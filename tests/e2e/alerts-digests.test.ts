// Digest alert rules (ADR 0077): a daily digest is made once, at 08:00 in the workspace's time zone,
// for the previous local day, however many alert-digests runs race for it (two workers) or come
// late; none before that hour; a day without a matching event sends nothing.
import { describe, expect, it } from "vitest";
import * as rulesRoute from "~/routes/api.v1.alert-rules";
import * as ingestRoute from "~/routes/api.v1.ingest.payment-event";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { alertDigestsJob } from "../../jobs/definitions/alert-digests";
import { makeWorkspace } from "../factories";
import { callRoute, jsonOf } from "../helpers/http";
import { runDueJobs } from "../helpers/jobs";
import { useStripeAndMail } from "../helpers/mail-and-stripe";

const env = useStripeAndMail();

async function failedPayment(key: string, at: string, n: number, amount: number, currency: string) {
  testClock.set(new Date(at));
  const res = await callRoute(ingestRoute, "/api/v1/ingest/payment-event", {
    method: "POST",
    token: key,
    body: { event_type: "payment_failed", event_id: `evt-${n}`, provider: "adyen", external_id: `psp_${n}`, amount_cents: amount, currency, customer_email: `customer${n}@example.com` },
  });
  expect(res.status).toBe(202);
  await runDueJobs();
}

/** Two alert-digests runs at once, as two workers would run them. */
async function twoWorkersAt(at: string) {
  testClock.set(new Date(at));
  const ctx = { jobId: "test", lastAttempt: false };
  await Promise.all([alertDigestsJob.handler({}, ctx), alertDigestsJob.handler({}, ctx)]);
  await runDueJobs();
}

describe("a daily digest in New York", () => {
  it("is made once at 08:00 local for the previous day, with its matching events and totals; none before; an empty day sends nothing", async () => {
    // Monday 7 December 2026, 09:00 in New York (UTC-5).
    testClock.set(new Date("2026-12-07T14:00:00Z"));
    const { workspace, apiKey } = await makeWorkspace({ name: "Hudson Bakery" });
    await db().workspace.update({ where: { id: workspace.id }, data: { timezone: "America/New_York" } });
    const res = await callRoute(rulesRoute, "/api/v1/alert-rules", {
      method: "POST",
      token: apiKey,
      body: { name: "Yesterday's failures", event_type: "payment_failed", channel: "email", cadence: "daily_digest", recipient_emails: ["digest@hudson.example"], filter_json: { amountMinMinor: 1000 } },
    });
    expect(res.status, JSON.stringify(await jsonOf(res.clone()))).toBe(201);

    // Monday in New York: two that match (GBP and EUR), one under the filter's minimum; then one on Tuesday at 01:00 local.
    await failedPayment(apiKey, "2026-12-07T15:00:00Z", 1, 4900, "GBP");
    await failedPayment(apiKey, "2026-12-07T20:30:00Z", 2, 2500, "EUR");
    await failedPayment(apiKey, "2026-12-07T21:00:00Z", 3, 500, "GBP");
    await failedPayment(apiKey, "2026-12-08T06:00:00Z", 4, 9900, "GBP");
    // No realtime alert: this rule is a digest.
    expect(await db().alertDispatch.count({ where: { workspaceId: workspace.id } })).toBe(0);

    const digests = () => env.smtp.messages.filter((m) => (m.to as { text: string }).text === "digest@hudson.example");

    // 07:59 in New York (12:59 UTC, long past 08:00 in London): not yet.
    await twoWorkersAt("2026-12-08T12:59:00Z");
    expect(await db().alertDispatch.count({ where: { workspaceId: workspace.id } })).toBe(0);
    expect(digests()).toHaveLength(0);

    // 08:00 in New York: two workers race, one digest.
    await twoWorkersAt("2026-12-08T13:00:00Z");
    const dispatches = await db().alertDispatch.findMany({ where: { workspaceId: workspace.id } });
    expect(dispatches).toHaveLength(1);
    expect(dispatches[0]).toMatchObject({ status: "sent", eventCount: 2, dedupeKey: "digest:2026-12-07T05:00:00.000Z", periodEnd: new Date("2026-12-08T05:00:00Z") });
    expect(digests()).toHaveLength(1);
    const mail = digests()[0]!;
    expect(mail.subject).toBe("Daily digest: Yesterday's failures: 2 × payment failed, Mon 7 Dec 2026");
    expect(mail.text, mail.text as string).toContain("Totals: €25.00, £49.00");
    expect(mail.text).toContain("Mon 10:00  £49.00 from customer1@example.com failed");
    expect(mail.text).not.toContain("customer3@");
    expect(mail.text).not.toContain("customer4@");

    // Later runs that day, and a late one: still one.
    await twoWorkersAt("2026-12-08T13:15:00Z");
    await twoWorkersAt("2026-12-08T23:45:00Z");
    expect(await db().alertDispatch.count({ where: { workspaceId: workspace.id } })).toBe(1);
    expect(digests()).toHaveLength(1);

    // Tuesday's digest holds Tuesday's one event; Wednesday had none: recorded as skipped, nothing sent.
    await twoWorkersAt("2026-12-09T13:05:00Z");
    expect(digests()).toHaveLength(2);
    expect(digests()[1]!.subject).toContain("1 × payment failed, Tue 8 Dec 2026");
    await twoWorkersAt("2026-12-10T13:05:00Z");
    expect(digests()).toHaveLength(2);
    const wednesday = await db().alertDispatch.findFirstOrThrow({ where: { workspaceId: workspace.id, dedupeKey: "digest:2026-12-09T05:00:00.000Z" } });
    expect(wednesday).toMatchObject({ status: "skipped", eventCount: 0 });
  });
});
