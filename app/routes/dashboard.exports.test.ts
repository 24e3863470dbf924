// The CSV exports of the dashboard's other lists (ADR 0079, "Exports of every list"): the
// pay-links with the list's tab and search, one pay-link's payments, the webhook delivery log with
// its filters, what alert rules sent, and the member's own notifications. Each is the caller's
// workspace only, newest first, streamed in keyset batches, formula-safe, money as decimals with
// the currency, dates in the workspace's zone, with its row count; signed out is the sign-in page.
import type { LoaderFunctionArgs } from "@remix-run/node";
import { describe, expect, it } from "vitest";
import { encrypt } from "~/utils/crypto.server";
import { db, type Prisma } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { makeTeammate, makeWorkspace } from "../../tests/factories";
import { csvText, parseCsv } from "../../tests/helpers/csv";
import { thrown } from "../../tests/helpers/thrown";
import * as exportAlerts from "./dashboard.export.alerts[.csv]";
import * as exportNotifications from "./dashboard.export.notifications[.csv]";
import * as exportPayments from "./dashboard.export.payments[.csv]";
import * as exportTransactions from "./dashboard.export.transactions[.csv]";
import * as exportDeliveries from "./dashboard.export.webhook-deliveries[.csv]";

type Loader = (args: LoaderFunctionArgs) => Promise<Response>;

const get = (path: string, token?: string): LoaderFunctionArgs => ({
  request: new Request(`http://localhost${path}`, { headers: token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {} }),
  params: {},
  context: {},
});

/** The export's response, its header row and its records as objects by column. */
async function exported(loader: Loader, path: string, token: string) {
  const res = await loader(get(path, token));
  expect(res.status).toBe(200);
  expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
  const text = await csvText(res);
  expect(text.startsWith("\uFEFF")).toBe(true);
  const [header, ...rows] = parseCsv(text.slice(1));
  return { res, text, header: header!, rows: rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]!]))) };
}

let seq = 0;
const shortCode = () => `T${String(++seq).padStart(11, "0")}`;

async function payLink(workspaceId: string, over: Partial<Prisma.PaymentRequestUncheckedCreateInput> = {}) {
  return db().paymentRequest.create({
    data: { workspaceId, shortCode: shortCode(), amountMinor: 1000, currency: "GBP", description: "Consultation", createdVia: "api", livemode: false, ...over },
  });
}

async function payment(workspaceId: string, paymentRequestId: string, over: Partial<Prisma.TransactionUncheckedCreateInput> = {}) {
  seq += 1;
  return db().transaction.create({
    data: {
      workspaceId,
      publicId: `TX${String(seq).padStart(12, "0")}`,
      connectionId: "conn_test",
      provider: "stripe",
      livemode: false,
      source: "payment_request",
      paymentRequestId,
      amountMinor: 1000,
      currency: "GBP",
      ...over,
    },
  });
}

async function zoned(timezone: string) {
  const m = await makeWorkspace();
  await db().workspace.update({ where: { id: m.workspace.id }, data: { timezone } });
  return m;
}

describe("/dashboard/export/payments.csv", () => {
  it("exports the pay-links the list's tab and search select, newest first, with their payments, money as decimals and dates in the zone", async () => {
    const m = await zoned("Pacific/Auckland");
    const other = await makeWorkspace();
    await payLink(other.workspace.id, { description: "Invoice theirs", status: "succeeded" });
    const paid = await payLink(m.workspace.id, {
      description: "Invoice 1",
      status: "succeeded",
      amountMinor: 123456,
      currency: "GBP",
      customerName: '=HYPERLINK("http://evil.example","Click")',
      customerEmail: "ada@example.com",
      customerReference: "PO, \"7\"",
      createdAt: new Date("2026-11-02T08:15:00Z"),
      succeededAt: new Date("2026-11-02T09:00:00Z"),
    });
    await payment(m.workspace.id, paid.id, { status: "failed" });
    await payment(m.workspace.id, paid.id, { status: "paid" });
    const yen = await payLink(m.workspace.id, { description: "Invoice 2", amountMinor: 1500, currency: "JPY", livemode: true, createdAt: new Date("2026-11-03T00:00:00Z") });
    await payLink(m.workspace.id, { description: "Deposit", status: "succeeded", createdAt: new Date("2026-11-04T00:00:00Z") });

    const all = await exported(exportPayments.loader, "/dashboard/export/payments.csv", m.sessionToken);
    expect(all.header).toEqual([
      "payment_request_id",
      "short_code",
      "pay_link_url",
      "description",
      "status",
      "mode",
      "setup_test",
      "amount",
      "currency",
      "customer_name",
      "customer_email",
      "customer_mobile",
      "reference",
      "recovery_id",
      "payments",
      "created_at",
      "expires_at",
      "paid_at",
      "cancelled_at",
    ]);
    expect(all.res.headers.get("X-Total-Rows")).toBe("3");
    expect(all.res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="payments-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(all.rows.map((r) => r.description)).toEqual(["Deposit", "Invoice 2", "Invoice 1"]);

    // The list's search and tab, as its URL carries them.
    const searched = await exported(exportPayments.loader, "/dashboard/export/payments.csv?q=invoice", m.sessionToken);
    expect(searched.rows.map((r) => r.description)).toEqual(["Invoice 2", "Invoice 1"]);
    expect(searched.res.headers.get("X-Total-Rows")).toBe("2");
    const tab = await exported(exportPayments.loader, "/dashboard/export/payments.csv?status=succeeded&q=invoice", m.sessionToken);
    expect(tab.res.headers.get("X-Total-Rows")).toBe("1");
    expect(tab.rows).toEqual([
      {
        payment_request_id: paid.id,
        short_code: paid.shortCode,
        pay_link_url: `${env().APP_URL.replace(/\/$/, "")}/pay/${paid.shortCode}`,
        description: "Invoice 1",
        status: "succeeded",
        mode: "test",
        setup_test: "false",
        amount: "1234.56",
        currency: "GBP",
        customer_name: `'=HYPERLINK("http://evil.example","Click")`,
        customer_email: "ada@example.com",
        customer_mobile: "",
        reference: 'PO, "7"',
        recovery_id: "",
        payments: "2",
        created_at: "2026-11-02T21:15:00+13:00",
        expires_at: "",
        paid_at: "2026-11-02T22:00:00+13:00",
        cancelled_at: "",
      },
    ]);
    expect(tab.text).toContain(`"'=HYPERLINK(""http://evil.example"",""Click"")"`);
    const open = await exported(exportPayments.loader, "/dashboard/export/payments.csv?status=open", m.sessionToken);
    expect(open.rows).toEqual([expect.objectContaining({ payment_request_id: yen.id, amount: "1500", currency: "JPY", mode: "live", payments: "0" })]);
  });

  it("sends more rows than a batch in keyset batches, with no row twice and none missed, even where many share a time", async () => {
    const m = await makeWorkspace();
    const other = await makeWorkspace();
    await payLink(other.workspace.id, { description: "Theirs", status: "cancelled" });
    const start = Date.UTC(2026, 5, 1);
    // Seven links a second: ties in created_at straddle the batch boundary, which the id breaks.
    await db().paymentRequest.createMany({
      data: Array.from({ length: 2100 }, (_, i) => ({
        workspaceId: m.workspace.id,
        shortCode: `B${String(i).padStart(11, "0")}`,
        amountMinor: 100 + i,
        currency: "GBP",
        description: `Bulk ${i}`,
        createdVia: "api",
        status: i % 3 === 0 ? "open" : "cancelled",
        createdAt: new Date(start + Math.floor(i / 7) * 1000),
      })),
    });
    const expected = await db().paymentRequest.findMany({
      where: { workspaceId: m.workspace.id, status: "cancelled" },
      orderBy: [{ createdAt: "desc" }, { id: "desc" }],
      select: { id: true },
    });
    expect(expected).toHaveLength(1400);

    const res = await exportPayments.loader(get("/dashboard/export/payments.csv?status=cancelled", m.sessionToken));
    expect(res.headers.get("X-Total-Rows")).toBe("1400");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const chunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    // The header, then a batch of a thousand and the rest.
    expect(chunks.map((c) => c.split("\r\n").length - 1)).toEqual([1, 1000, 400]);
    const ids = parseCsv(chunks.join("").slice(1))
      .slice(1)
      .map((r) => r[0]);
    expect(ids).toEqual(expected.map((e) => e.id));
  });
});

describe("/dashboard/export/transactions.csv", () => {
  it("exports every payment of one pay-link of the workspace, and nothing of another's", async () => {
    const m = await zoned("America/New_York");
    const other = await makeWorkspace();
    const link = await payLink(m.workspace.id, { description: "Invoice 9" });
    const sibling = await payLink(m.workspace.id, { description: "Another link" });
    const theirs = await payLink(other.workspace.id);
    await payment(other.workspace.id, theirs.id, { payerName: "Not yours" });
    await payment(m.workspace.id, sibling.id, { payerName: "Sibling's payer" });
    const first = await payment(m.workspace.id, link.id, { status: "failed", failure: "-card declined", createdAt: new Date("2026-10-15T03:04:05Z") });
    const second = await payment(m.workspace.id, link.id, {
      status: "refund_pending",
      amountMinor: 1999,
      refundedMinor: 500,
      currency: "GBP",
      payerName: "@Ada",
      payerEmail: "ada@example.com",
      providerPaymentId: "cs_test_1",
      createdAt: new Date("2026-10-16T12:00:00Z"),
      paidAt: new Date("2026-10-16T12:01:00Z"),
    });

    const out = await exported(exportTransactions.loader, `/dashboard/export/transactions.csv?payment=${link.id}`, m.sessionToken);
    expect(out.res.headers.get("X-Total-Rows")).toBe("2");
    expect(out.res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="transactions-[\d-]+\.csv"$/);
    expect(out.header).toEqual([
      "payment_id",
      "payment_request_id",
      "status",
      "amount",
      "refunded_amount",
      "currency",
      "provider",
      "mode",
      "payer_name",
      "payer_email",
      "provider_payment_id",
      "failure",
      "created_at",
      "paid_at",
    ]);
    expect(out.rows).toEqual([
      {
        payment_id: second.publicId,
        payment_request_id: link.id,
        status: "refund_pending",
        amount: "19.99",
        refunded_amount: "5.00",
        currency: "GBP",
        provider: "stripe",
        mode: "test",
        payer_name: "'@Ada",
        payer_email: "ada@example.com",
        provider_payment_id: "cs_test_1",
        failure: "",
        created_at: "2026-10-16T08:00:00-04:00",
        paid_at: "2026-10-16T08:01:00-04:00",
      },
      expect.objectContaining({ payment_id: first.publicId, status: "failed", failure: "'-card declined", amount: "10.00", refunded_amount: "0.00", created_at: "2026-10-14T23:04:05-04:00", paid_at: "" }),
    ]);

    // Another workspace's link, a made-up id, or none: the 404, not their payments.
    for (const query of [`?payment=${theirs.id}`, "?payment=00000000-0000-4000-8000-000000000000", "?payment=not-an-id", ""]) {
      const res = await exportTransactions.loader(get(`/dashboard/export/transactions.csv${query}`, m.sessionToken));
      expect(res.status).toBe(404);
      expect(await res.text()).toBe("No payment request with that id in this workspace.");
    }
  });
});

describe("/dashboard/export/webhook-deliveries.csv", () => {
  async function endpoint(workspaceId: string, url: string) {
    return db().webhookEndpoint.create({ data: { workspaceId, url, events: ["payment.failed"], secretEncrypted: encrypt("whsec_test") } });
  }
  async function delivery(workspaceId: string, endpointId: string, type: string, over: Partial<Prisma.WebhookDeliveryUncheckedCreateInput>) {
    seq += 1;
    const event = await db().webhookEvent.create({ data: { workspaceId, type, dedupeKey: `k${seq}`, payload: {} } });
    return db().webhookDelivery.create({ data: { workspaceId, endpointId, eventId: event.id, ...over } });
  }

  it("exports the delivery log with the page's status and endpoint filters, the last answer and the retry time in the zone", async () => {
    const m = await zoned("Europe/London");
    const other = await makeWorkspace();
    const a = await endpoint(m.workspace.id, "https://a.example.com/hooks");
    const b = await endpoint(m.workspace.id, "https://b.example.com/hooks");
    const theirs = await endpoint(other.workspace.id, "https://theirs.example.com/hooks");
    await delivery(other.workspace.id, theirs.id, "payment.failed", { status: "failed" });
    const failed = await delivery(m.workspace.id, a.id, "payment.failed", {
      status: "failed",
      attempts: 10,
      lastStatusCode: 500,
      lastError: "=The endpoint answered HTTP 500.",
      lastResponseTimeMs: 120,
      lastAttemptAt: new Date("2026-07-01T10:00:00Z"),
      createdAt: new Date("2026-07-01T09:00:00Z"),
    });
    const delivered = await delivery(m.workspace.id, b.id, "recovery.succeeded", {
      status: "delivered",
      attempts: 1,
      lastStatusCode: 200,
      deliveredAt: new Date("2026-07-02T09:00:05Z"),
      createdAt: new Date("2026-07-02T09:00:00Z"),
    });
    const retrying = await delivery(m.workspace.id, a.id, "payment.failed", {
      status: "retrying",
      attempts: 2,
      lastStatusCode: 503,
      nextAttemptAt: new Date("2026-12-01T10:30:00Z"),
      createdAt: new Date("2026-07-03T09:00:00Z"),
    });

    const all = await exported(exportDeliveries.loader, "/dashboard/export/webhook-deliveries.csv", m.sessionToken);
    expect(all.res.headers.get("X-Total-Rows")).toBe("3");
    expect(all.res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="webhook-deliveries-[\d-]+\.csv"$/);
    expect(all.header).toEqual([
      "delivery_id",
      "event_id",
      "event_type",
      "endpoint_id",
      "endpoint_url",
      "status",
      "attempts",
      "replays",
      "last_response_status",
      "last_response_time_ms",
      "last_error",
      "created_at",
      "last_attempt_at",
      "next_retry_at",
      "delivered_at",
    ]);
    expect(all.rows.map((r) => r.delivery_id)).toEqual([retrying.id, delivered.id, failed.id]);
    expect(all.rows[2]).toEqual({
      delivery_id: failed.id,
      event_id: failed.eventId,
      event_type: "payment.failed",
      endpoint_id: a.id,
      endpoint_url: "https://a.example.com/hooks",
      status: "failed",
      attempts: "10",
      replays: "0",
      last_response_status: "500",
      last_response_time_ms: "120",
      last_error: "'=The endpoint answered HTTP 500.",
      created_at: "2026-07-01T10:00:00+01:00",
      last_attempt_at: "2026-07-01T11:00:00+01:00",
      next_retry_at: "",
      delivered_at: "",
    });
    expect(all.rows[1]).toMatchObject({ endpoint_url: "https://b.example.com/hooks", status: "delivered", delivered_at: "2026-07-02T10:00:05+01:00" });

    // Retrying is "pending", as the log's filter says; one endpoint's only.
    const pending = await exported(exportDeliveries.loader, `/dashboard/export/webhook-deliveries.csv?status=pending&endpoint=${a.id}`, m.sessionToken);
    expect(pending.res.headers.get("X-Total-Rows")).toBe("1");
    expect(pending.rows).toEqual([expect.objectContaining({ delivery_id: retrying.id, status: "pending", last_response_status: "503", next_retry_at: "2026-12-01T10:30:00+00:00" })]);
    const ofB = await exported(exportDeliveries.loader, `/dashboard/export/webhook-deliveries.csv?endpoint=${b.id}`, m.sessionToken);
    expect(ofB.rows.map((r) => r.delivery_id)).toEqual([delivered.id]);
    // Another workspace's endpoint filters nothing (as on the page), and shows none of its deliveries.
    const foreign = await exported(exportDeliveries.loader, `/dashboard/export/webhook-deliveries.csv?endpoint=${theirs.id}&status=failed`, m.sessionToken);
    expect(foreign.rows.map((r) => r.delivery_id)).toEqual([failed.id]);
  });
});

describe("/dashboard/export/alerts.csv", () => {
  it("exports every alert the workspace's rules sent, with the rule, the event and why a send failed", async () => {
    const m = await zoned("Asia/Kolkata");
    const other = await makeWorkspace();
    const rule = async (workspaceId: string, name: string, eventType: string, channel: string) =>
      db().alertRule.create({ data: { workspaceId, name, eventType, channel, recipientEmails: ["ops@example.com"], recipientPhones: [], recipientRoles: [] } });
    const big = await rule(m.workspace.id, "Big failures", "payment_failed", "email");
    const texts = await rule(m.workspace.id, "+Texts", "payment_refunded", "sms");
    const foreign = await rule(other.workspace.id, "Theirs", "payment_failed", "email");
    const event = await db().webhookEvent.create({ data: { workspaceId: m.workspace.id, type: "payment.failed", dedupeKey: "alert-ev", payload: {}, summary: "£120.00 failed for ada@example.com" } });
    await db().alertDispatch.create({ data: { workspaceId: other.workspace.id, ruleId: foreign.id, dedupeKey: "x", channel: "email", status: "sent" } });
    const sent = await db().alertDispatch.create({
      data: { workspaceId: m.workspace.id, ruleId: big.id, dedupeKey: event.id, eventId: event.id, channel: "email", status: "sent", attempts: 1, createdAt: new Date("2026-11-01T00:00:00Z"), sentAt: new Date("2026-11-01T00:00:30Z") },
    });
    const failed = await db().alertDispatch.create({
      data: {
        workspaceId: m.workspace.id,
        ruleId: texts.id,
        dedupeKey: "digest:2026-11-01",
        channel: "sms",
        status: "failed",
        error: "-SMS is not configured on this server.",
        attempts: 3,
        eventCount: 4,
        periodStart: new Date("2026-11-01T00:00:00Z"),
        periodEnd: new Date("2026-11-02T00:00:00Z"),
        createdAt: new Date("2026-11-02T00:00:00Z"),
      },
    });

    const out = await exported(exportAlerts.loader, "/dashboard/export/alerts.csv", m.sessionToken);
    expect(out.res.headers.get("X-Total-Rows")).toBe("2");
    expect(out.res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="alerts-[\d-]+\.csv"$/);
    expect(out.header).toEqual(["dispatch_id", "rule_id", "rule_name", "event_type", "channel", "status", "about", "events", "attempts", "error", "created_at", "sent_at"]);
    expect(out.rows).toEqual([
      {
        dispatch_id: failed.id,
        rule_id: texts.id,
        rule_name: "'+Texts",
        event_type: "payment_refunded",
        channel: "sms",
        status: "failed",
        about: "Digest: 4 events",
        events: "4",
        attempts: "3",
        error: "'-SMS is not configured on this server.",
        created_at: "2026-11-02T05:30:00+05:30",
        sent_at: "",
      },
      {
        dispatch_id: sent.id,
        rule_id: big.id,
        rule_name: "Big failures",
        event_type: "payment_failed",
        channel: "email",
        status: "sent",
        about: "£120.00 failed for ada@example.com",
        events: "1",
        attempts: "1",
        error: "",
        created_at: "2026-11-01T05:30:00+05:30",
        sent_at: "2026-11-01T05:30:30+05:30",
      },
    ]);
  });
});

describe("/dashboard/export/notifications.csv", () => {
  it("exports the signed-in member's own notifications only, read and unread", async () => {
    const m = await zoned("Australia/Sydney");
    const mate = await makeTeammate(m.workspace.id, "member");
    const other = await makeWorkspace();
    const note = (workspaceId: string, userId: string, title: string, over: Partial<Prisma.NotificationUncheckedCreateInput> = {}) =>
      db().notification.create({ data: { workspaceId, userId, dedupeKey: `${title}:${Math.random()}`, title, body: `About ${title}`, ...over } });
    const read = await note(m.workspace.id, m.owner.id, "Payment failed", { createdAt: new Date("2026-12-01T00:00:00Z"), readAt: new Date("2026-12-01T01:00:00Z") });
    const unread = await note(m.workspace.id, m.owner.id, "=2+2", { body: "Line one\nline two, with a comma", createdAt: new Date("2026-12-02T00:00:00Z") });
    await note(m.workspace.id, mate.user.id, "Mate's own");
    await note(other.workspace.id, other.owner.id, "Stranger's");

    const out = await exported(exportNotifications.loader, "/dashboard/export/notifications.csv", m.sessionToken);
    expect(out.res.headers.get("X-Total-Rows")).toBe("2");
    expect(out.res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="notifications-[\d-]+\.csv"$/);
    expect(out.header).toEqual(["notification_id", "title", "body", "read", "created_at", "read_at"]);
    expect(out.rows).toEqual([
      { notification_id: unread.id, title: "'=2+2", body: "Line one\nline two, with a comma", read: "false", created_at: "2026-12-02T11:00:00+11:00", read_at: "" },
      { notification_id: read.id, title: "Payment failed", body: "About Payment failed", read: "true", created_at: "2026-12-01T11:00:00+11:00", read_at: "2026-12-01T12:00:00+11:00" },
    ]);
    const theirs = await exported(exportNotifications.loader, "/dashboard/export/notifications.csv", mate.sessionToken);
    expect(theirs.rows.map((r) => r.title)).toEqual(["Mate's own"]);
  });
});

describe("every export", () => {
  it("asks for a session", async () => {
    for (const [loader, path] of [
      [exportPayments.loader, "/dashboard/export/payments.csv"],
      [exportTransactions.loader, "/dashboard/export/transactions.csv?payment=00000000-0000-4000-8000-000000000000"],
      [exportDeliveries.loader, "/dashboard/export/webhook-deliveries.csv"],
      [exportAlerts.loader, "/dashboard/export/alerts.csv"],
      [exportNotifications.loader, "/dashboard/export/notifications.csv"],
    ] as const) {
      const res = await thrown<Response>((loader as Loader)(get(path)));
      expect(res.status).toBe(302);
      expect(res.headers.get("Location")).toMatch(/^\/auth\/sign-in/);
    }
  });
});
