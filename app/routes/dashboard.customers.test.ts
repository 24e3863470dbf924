// The customer pages, server side: the list searched by any part of a name or email (or the
// platform's id), a page at a time with its totals per currency; one customer with their card,
// recoveries, payments and emails sent; another workspace's customer is a 404; the recovery's page
// links to its customer; and the customers CSV, streamed with the list's search.
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeRecovery, makeWorkspace } from "../../tests/factories";
import { csvText } from "../../tests/helpers/csv";
import { thrown } from "../../tests/helpers/thrown";
import * as customersList from "./dashboard.customers._index";
import * as customerPage from "./dashboard.customers.$id";
import * as exportCustomers from "./dashboard.export.customers[.csv]";
import * as recoveryPage from "./dashboard.recoveries.$id";

const get = (path: string, token?: string, params: Record<string, string> = {}) => ({
  request: new Request(`http://localhost${path}`, { headers: token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {} }),
  params,
  context: {},
});

async function customer(workspaceId: string, over: Partial<{ name: string | null; email: string | null; country: string; timezone: string; defaultPaymentMethodId: string; createdAt: Date }> & { externalId: string }) {
  return db().customer.create({ data: { workspaceId, provider: "stripe", ...over } });
}

const names = async (token: string, query = "") => (await customersList.loader(get(`/dashboard/customers${query}`, token))).items.map((c) => c.name ?? c.email);

describe("/dashboard/customers", () => {
  it("searches any part of a name or email, or the platform's id, only in the caller's workspace", async () => {
    const m = await makeWorkspace();
    const other = await makeWorkspace();
    await customer(m.workspace.id, { externalId: "cus_1", name: "Ada Lovelace", email: "ada@analytical.example", createdAt: new Date("2026-01-01") });
    await customer(m.workspace.id, { externalId: "cus_2", name: "Grace Hopper", email: "grace@navy.example", createdAt: new Date("2026-01-02") });
    await customer(m.workspace.id, { externalId: "cus_3", name: null, email: "anna@mail.example", createdAt: new Date("2026-01-03") });
    await customer(other.workspace.id, { externalId: "cus_9", name: "Ada Other", email: "ada@other.example" });

    expect(await names(m.sessionToken)).toEqual(["anna@mail.example", "Grace Hopper", "Ada Lovelace"]);
    expect(await names(m.sessionToken, "?q=LOVE")).toEqual(["Ada Lovelace"]);
    expect(await names(m.sessionToken, "?q=an")).toEqual(["anna@mail.example", "Ada Lovelace"]);
    expect(await names(m.sessionToken, "?q=cus_2")).toEqual(["Grace Hopper"]);
    expect(await names(m.sessionToken, "?q=ada")).toEqual(["Ada Lovelace"]);
    expect(await names(m.sessionToken, "?q=%25")).toEqual([]);
  });

  it("pages newest first, keeping the search", async () => {
    const m = await makeWorkspace();
    for (let i = 0; i < 30; i++) {
      await customer(m.workspace.id, { externalId: `cus_${i}`, name: `${i % 3 === 0 ? "Match" : "Other"} ${String(i).padStart(2, "0")}`, createdAt: new Date(Date.UTC(2026, 0, 1, i)) });
    }
    const all = await customersList.loader(get("/dashboard/customers", m.sessionToken));
    expect(all.items).toHaveLength(25);
    const rest = await customersList.loader(get(`/dashboard/customers?q=match&cursor=${all.nextCursor}`, m.sessionToken));
    expect(rest.items.map((c) => c.name)).toEqual(["Match 03", "Match 00"]);
    expect(rest.nextCursor).toBeNull();
    const stale = await thrown<Response>(customersList.loader(get("/dashboard/customers?q=a&cursor=bm9wZQ", m.sessionToken)));
    expect(stale.headers.get("Location")).toBe("/dashboard/customers?q=a");
  });
});

describe("/dashboard/customers/:id", () => {
  it("shows who they are, their card, recoveries, payments, emails, and totals per currency", async () => {
    const m = await makeWorkspace();
    const ada = await customer(m.workspace.id, { externalId: "cus_ada", name: "Ada Lovelace", email: "ada@analytical.example", country: "GB", timezone: "Europe/London", defaultPaymentMethodId: "pm_1" });
    const open = await makeRecovery(m.workspace.id, { externalId: "in_open", customerId: ada.id, externalCustomerId: "cus_ada", amountDueMinor: 4200, currency: "eur", cardBrand: "visa", cardLast4: "4242", failureMessage: "Your card has insufficient funds." });
    await makeRecovery(m.workspace.id, { externalId: "in_open_usd", customerId: ada.id, externalCustomerId: "cus_ada", amountDueMinor: 1000, currency: "usd" });
    await makeRecovery(m.workspace.id, { externalId: "in_paid", customerId: ada.id, externalCustomerId: "cus_ada", amountDueMinor: 1999, currency: "eur", status: "recovered", recoveredAmountMinor: 1999 });
    await makeRecovery(m.workspace.id, { externalId: "in_someone_else", externalCustomerId: "cus_x", amountDueMinor: 99999, currency: "eur" });
    await db().customerPayment.create({ data: { workspaceId: m.workspace.id, provider: "stripe", externalCustomerId: "cus_ada", externalId: "in_paid_before", paidAt: new Date("2026-10-01T10:00:00Z"), amountMinor: 1999, currency: "eur" } });
    await db().customerPayment.create({ data: { workspaceId: m.workspace.id, provider: "stripe", externalCustomerId: "cus_other", externalId: "in_not_hers", paidAt: new Date(), amountMinor: 5, currency: "eur" } });
    const base = { workspaceId: m.workspace.id, recoveryId: open.id, kind: "sequence", subject: "Your payment didn't go through", bodyText: "x", bodyHtml: "x", scheduledFor: new Date() };
    await db().dunningMessage.create({ data: { ...base, dedupeKey: "s1", trackingId: `t-${open.id}-1`, toEmail: "ada@analytical.example", status: "sent", sentAt: new Date("2026-11-02T09:00:00Z"), openedAt: new Date() } });
    await db().dunningMessage.create({ data: { ...base, dedupeKey: "s2", trackingId: `t-${open.id}-2`, subject: "Not sent yet" } });

    const page = await customerPage.loader(get(`/dashboard/customers/${ada.id}`, m.sessionToken, { id: ada.id }));
    expect(page.customer).toMatchObject({ name: "Ada Lovelace", email: "ada@analytical.example", country: "GB", timezone: "Europe/London", card: { onFile: true, lastFailed: { brand: "visa", last4: "4242" } } });
    expect(page.totals).toEqual({
      recoveries: 3,
      open: 2,
      recovered: [{ currency: "eur", amountMinor: 1999 }],
      atRisk: [
        { currency: "eur", amountMinor: 4200 },
        { currency: "usd", amountMinor: 1000 },
      ],
    });
    expect(page.recoveries.map((r) => r.attempt.stripeInvoiceId).sort()).toEqual(["in_open", "in_open_usd", "in_paid"]);
    expect(page.recoveries.find((r) => r.attempt.stripeInvoiceId === "in_open")!.failureReason).toBe("Your card has insufficient funds.");
    expect(page.payments.map((p) => [p.externalId, p.amountMinor, p.currency])).toEqual([["in_paid_before", 1999, "eur"]]);
    expect(page.emails.map((e) => [e.subject, e.opened])).toEqual([["Your payment didn't go through", true]]);

    // The recovery's page links here.
    const detail = await recoveryPage.loader(get(`/dashboard/recoveries/${open.id}`, m.sessionToken, { id: open.id }));
    expect(detail.customerPageUrl).toBe(`/dashboard/customers/${ada.id}`);
  });

  it("is a 404 for another workspace's customer or an unknown id", async () => {
    const m = await makeWorkspace();
    const other = await makeWorkspace();
    const theirs = await customer(other.workspace.id, { externalId: "cus_theirs", name: "Not yours" });
    for (const id of [theirs.id, "cus_theirs", "nope"]) {
      const res = await thrown<Response | { init: ResponseInit; data: string }>(customerPage.loader(get(`/dashboard/customers/${id}`, m.sessionToken, { id })));
      const status = res instanceof Response ? res.status : res.init?.status;
      expect(status).toBe(404);
    }
    expect((await customerPage.loader(get(`/dashboard/customers/${theirs.id}`, other.sessionToken, { id: theirs.id }))).customer.name).toBe("Not yours");
  });
});

describe("/dashboard/export/customers.csv", () => {
  it("streams the searched customers with their total, formula-safe, dates in the workspace's zone", async () => {
    const m = await makeWorkspace();
    await db().workspace.update({ where: { id: m.workspace.id }, data: { timezone: "Asia/Tokyo" } });
    await customer(m.workspace.id, { externalId: "cus_a", name: "=cmd|' /C calc'!A0", email: "-x@example.com", createdAt: new Date("2026-03-01T20:00:00Z") });
    await customer(m.workspace.id, { externalId: "cus_b", name: "Bea, \"B\"", email: "bea@example.com", createdAt: new Date("2026-03-02T00:00:00Z") });
    await customer(m.workspace.id, { externalId: "cus_c", name: "Unrelated", email: "zed@elsewhere.test" });

    const res = await exportCustomers.loader(get("/dashboard/export/customers.csv?q=example.com", m.sessionToken));
    expect(res.headers.get("X-Total-Rows")).toBe("2");
    expect(res.headers.get("Content-Disposition")).toMatch(/^attachment; filename="customers-[\d-]+\.csv"$/);
    const text = await csvText(res);
    expect(text.split("\r\n")).toEqual([
      "\uFEFFcustomer_id,external_id,provider,name,email,country,timezone,card_on_file,created_at",
      expect.stringMatching(/^\w+,cus_b,stripe,"Bea, ""B""",bea@example\.com,,,false,2026-03-02T09:00:00\+09:00$/),
      expect.stringMatching(/^\w+,cus_a,stripe,'=cmd\|' \/C calc'!A0,'-x@example\.com,,,false,2026-03-02T05:00:00\+09:00$/),
      "",
    ]);
  });
});
