// The overview's recoveries list as a workplace, server side: search by any part of a customer's
// name or email and by invoice id, filters, the failure-date range in the workspace's time zone,
// pages that keep the filters, another workspace's rows never shown; and the CSV export of the same
// view, streamed in batches with its row count, RFC 4180 quoting and no formula injection.
import { describe, expect, it } from "vitest";
import { db } from "~/utils/db.server";
import { makeRecovery, makeWorkspace } from "../../tests/factories";
import { csvText, parseCsv } from "../../tests/helpers/csv";
import { thrown } from "../../tests/helpers/thrown";
import * as overview from "./dashboard._index";
import * as exportRecoveries from "./dashboard.export.recoveries[.csv]";

const get = (path: string, token?: string) => ({
  request: new Request(`http://localhost${path}`, { headers: token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {} }),
  params: {},
  context: {},
});

const list = async (token: string, query = "") => (await overview.loader(get(`/dashboard${query}`, token))).recoveries;
const invoices = async (token: string, query = "") => (await list(token, query)).items.map((i) => i.attempt.stripeInvoiceId);

async function customer(workspaceId: string, over: { name?: string | null; email?: string | null; externalId: string }) {
  return db().customer.create({ data: { workspaceId, provider: "stripe", externalId: over.externalId, name: over.name ?? null, email: over.email ?? null } });
}


async function merchantWithCustomers() {
  const m = await makeWorkspace();
  const ada = await customer(m.workspace.id, { name: "Ada Lovelace", email: "ada@analytical.example", externalId: "cus_ada" });
  const grace = await customer(m.workspace.id, { name: "Grace Hopper", email: "grace@navy.example", externalId: "cus_grace" });
  const nameless = await customer(m.workspace.id, { name: null, email: "anon_50%@mail.example", externalId: "cus_anon" });
  const at = (day: number) => new Date(Date.UTC(2026, 10, day, 12));
  await makeRecovery(m.workspace.id, { externalId: "in_ada_1", customerId: ada.id, externalCustomerId: "cus_ada", startedAt: at(1), amountDueMinor: 4200, currency: "eur" });
  await makeRecovery(m.workspace.id, { externalId: "in_ada_2", customerId: ada.id, externalCustomerId: "cus_ada", startedAt: at(2), status: "recovered", recoveredAmountMinor: 1999 });
  await makeRecovery(m.workspace.id, { externalId: "in_grace_1", customerId: grace.id, externalCustomerId: "cus_grace", startedAt: at(3), declineCategory: "hard_customer", paused: true });
  await makeRecovery(m.workspace.id, { externalId: "in_anon_1", customerId: nameless.id, externalCustomerId: "cus_anon", startedAt: at(4), provider: "shopify" });
  await makeRecovery(m.workspace.id, { externalId: "in_nobody", externalCustomerId: "cus_unknown", startedAt: at(5) });
  return { ...m, ada, grace, nameless };
}

describe("searching the recoveries", () => {
  it("finds a customer by any part of their name or email, case-insensitively, and shows who each row is", async () => {
    const m = await merchantWithCustomers();
    expect(await invoices(m.sessionToken, "?q=LOVEL")).toEqual(["in_ada_2", "in_ada_1"]);
    expect(await invoices(m.sessionToken, "?q=navy.exa")).toEqual(["in_grace_1"]);
    // The caller's % is a percent sign, not a wildcard.
    expect(await invoices(m.sessionToken, "?q=50%25")).toEqual(["in_anon_1"]);
    expect(await invoices(m.sessionToken, "?q=5%25%40")).toEqual([]);

    const page = await list(m.sessionToken);
    const byInvoice = Object.fromEntries(page.items.map((i) => [i.attempt.stripeInvoiceId, i]));
    expect(byInvoice.in_ada_1!.customer).toEqual({ id: m.ada.id, name: "Ada Lovelace", email: "ada@analytical.example" });
    expect(byInvoice.in_anon_1!.customer).toEqual({ id: m.nameless.id, name: null, email: "anon_50%@mail.example" });
    // No Customer row: the platform's id is all there is.
    expect(byInvoice.in_nobody!.customer).toBeNull();
    expect(byInvoice.in_nobody!.reference.subtitle).toContain("cus_unknown");
  });

  it("finds an invoice by its id or the start of it, and a customer by the platform's id", async () => {
    const m = await merchantWithCustomers();
    expect(await invoices(m.sessionToken, "?q=in_grace_1")).toEqual(["in_grace_1"]);
    expect(await invoices(m.sessionToken, "?q=in_ada")).toEqual(["in_ada_2", "in_ada_1"]);
    expect(await invoices(m.sessionToken, "?q=cus_unknown")).toEqual(["in_nobody"]);
    // Inside an invoice id is not a prefix.
    expect(await invoices(m.sessionToken, "?q=ada_1")).toEqual([]);
  });

  it("never finds another workspace's recoveries or customers", async () => {
    const m = await merchantWithCustomers();
    const other = await makeWorkspace();
    const theirs = await customer(other.workspace.id, { name: "Ada Byron", email: "ada@other.example", externalId: "cus_other" });
    await makeRecovery(other.workspace.id, { externalId: "in_other_ada", customerId: theirs.id, externalCustomerId: "cus_other" });
    expect(await invoices(m.sessionToken, "?q=ada")).toEqual(["in_ada_2", "in_ada_1"]);
    expect(await invoices(other.sessionToken, "?q=ada")).toEqual(["in_other_ada"]);
    expect(await invoices(m.sessionToken, "?q=in_other")).toEqual([]);
  });
});

describe("filtering the recoveries", () => {
  it("narrows by status, decline category, provider, campaign and paused, and offers the workspace's providers and campaigns", async () => {
    const m = await merchantWithCustomers();
    const campaign = await db().dunningSequence.create({ data: { workspaceId: m.workspace.id, name: "Win-back" } });
    await makeRecovery(m.workspace.id, { externalId: "in_campaign", externalCustomerId: "cus_c", sequenceId: campaign.id, startedAt: new Date(Date.UTC(2026, 10, 6, 12)) });

    expect(await invoices(m.sessionToken, "?status=recovered")).toEqual(["in_ada_2"]);
    expect(await invoices(m.sessionToken, "?category=hard_customer")).toEqual(["in_grace_1"]);
    expect(await invoices(m.sessionToken, "?provider=shopify")).toEqual(["in_anon_1"]);
    expect(await invoices(m.sessionToken, `?campaign=${campaign.id}`)).toEqual(["in_campaign"]);
    expect(await invoices(m.sessionToken, "?paused=true")).toEqual(["in_grace_1"]);
    expect(await invoices(m.sessionToken, "?paused=false&q=ada")).toEqual(["in_ada_2", "in_ada_1"]);
    // Together, they all apply.
    expect(await invoices(m.sessionToken, "?q=ada&status=pending")).toEqual(["in_ada_1"]);

    const page = await overview.loader(get("/dashboard?q=ada&category=bogus&paused=maybe", m.sessionToken));
    // A hand-edited value is no filter, not an error page.
    expect(page.query).toMatchObject({ q: "ada", category: undefined, paused: undefined });
    expect(page.filtered).toBe(true);
    expect(page.filterOptions.providers).toEqual(["shopify", "stripe"]);
    expect(page.filterOptions.campaigns.map((c) => c.name)).toContain("Win-back");
    expect((await overview.loader(get("/dashboard", m.sessionToken))).filtered).toBe(false);
  });

  it("reads the failure-date range as local days of the workspace's time zone", async () => {
    const m = await makeWorkspace();
    await db().workspace.update({ where: { id: m.workspace.id }, data: { timezone: "Pacific/Auckland" } });
    // Auckland is UTC+13 in November: 10:30 UTC is 23:30 on the 1st there, 11:30 UTC is 00:30 on the 2nd.
    await makeRecovery(m.workspace.id, { externalId: "in_late_on_1st", startedAt: new Date("2026-11-01T10:30:00Z") });
    await makeRecovery(m.workspace.id, { externalId: "in_early_on_2nd", startedAt: new Date("2026-11-01T11:30:00Z") });
    await makeRecovery(m.workspace.id, { externalId: "in_end_of_2nd", startedAt: new Date("2026-11-02T10:59:00Z") });
    await makeRecovery(m.workspace.id, { externalId: "in_3rd", startedAt: new Date("2026-11-02T11:00:00Z") });

    expect(await invoices(m.sessionToken, "?from=2026-11-02&to=2026-11-02")).toEqual(["in_end_of_2nd", "in_early_on_2nd"]);
    expect(await invoices(m.sessionToken, "?to=2026-11-01")).toEqual(["in_late_on_1st"]);
    expect(await invoices(m.sessionToken, "?from=2026-11-03")).toEqual(["in_3rd"]);
    expect(await invoices(m.sessionToken, "?from=2026-13-45")).toHaveLength(4);
  });

  it("keeps the filters from page to page", async () => {
    const m = await makeWorkspace();
    const start = Date.UTC(2026, 9, 1);
    for (let i = 0; i < 25; i++) {
      await makeRecovery(m.workspace.id, { externalId: `in_page_${String(i).padStart(2, "0")}`, startedAt: new Date(start + i * 3600_000), paused: i % 2 === 0 });
    }
    const first = await list(m.sessionToken, "?paused=true");
    expect(first.items).toHaveLength(13);
    expect(first.nextCursor).toBeNull();
    const all = await list(m.sessionToken);
    expect(all.items).toHaveLength(20);
    const second = await list(m.sessionToken, `?paused=false&cursor=${all.nextCursor}`);
    // The cursor of the unfiltered list, with a filter: rows after it that match.
    expect(second.items.map((i) => i.attempt.stripeInvoiceId)).toEqual(["in_page_03", "in_page_01"]);
    const stale = await thrown<Response>(overview.loader(get("/dashboard?q=x&cursor=bm90LW91cnM", m.sessionToken)));
    expect(stale.status).toBe(302);
    expect(stale.headers.get("Location")).toBe("/dashboard?q=x");
  });
});

describe("exporting the recoveries as CSV", () => {
  it("streams the filtered rows with their total, quoted, formula-safe, money as decimals and dates in the workspace's zone", async () => {
    const m = await makeWorkspace();
    await db().workspace.update({ where: { id: m.workspace.id }, data: { timezone: "America/New_York" } });
    const evil = await customer(m.workspace.id, { name: '=HYPERLINK("http://evil.example","Click")', email: "+1@evil.example", externalId: "cus_evil" });
    const quoted = await customer(m.workspace.id, { name: 'O\'Brien, "Pat"\nJr', email: "pat@example.com", externalId: "cus_pat" });
    await makeRecovery(m.workspace.id, {
      externalId: "in_evil",
      customerId: evil.id,
      externalCustomerId: "cus_evil",
      amountDueMinor: 123456,
      currency: "usd",
      failureMessage: "-2+3",
      declineCategory: "soft_retry",
      startedAt: new Date("2026-10-15T03:04:05Z"),
    });
    await makeRecovery(m.workspace.id, { externalId: "in_pat", customerId: quoted.id, externalCustomerId: "cus_pat", amountDueMinor: 1500, currency: "jpy", status: "recovered", recoveredAmountMinor: 1500, failureMessage: "@SUM(A1)" });
    await makeRecovery(m.workspace.id, { externalId: "in_plain", externalCustomerId: "cus_x" });

    const none = await exportRecoveries.loader(get("/dashboard/export/recoveries.csv?q=nobody-at-all", m.sessionToken));
    expect(none.headers.get("X-Total-Rows")).toBe("0");
    expect(parseCsv((await csvText(none)).slice(1))).toHaveLength(1);

    const filtered = await exportRecoveries.loader(get("/dashboard/export/recoveries.csv?q=in_&status=pending", m.sessionToken));
    expect(filtered.headers.get("X-Total-Rows")).toBe("2");
    expect(filtered.headers.get("Content-Type")).toBe("text/csv; charset=utf-8");
    expect(filtered.headers.get("Content-Disposition")).toMatch(/^attachment; filename="recoveries-\d{4}-\d{2}-\d{2}\.csv"$/);
    const text = await csvText(filtered);
    expect(text.startsWith("\uFEFFrecovery_id,invoice_id,")).toBe(true);
    const rows = parseCsv(text.slice(1));
    const header = rows[0]!;
    const byInvoice = (invoice: string) => Object.fromEntries(header.map((h, i) => [h, rows.find((r) => r[1] === invoice)![i]]));
    expect(rows.map((r) => r[1])).toEqual(["invoice_id", "in_evil", "in_plain"]);
    expect(byInvoice("in_evil")).toMatchObject({
      customer_name: `'=HYPERLINK("http://evil.example","Click")`,
      customer_email: "'+1@evil.example",
      failure_reason: "'-2+3",
      amount_due: "1234.56",
      currency: "USD",
      decline_category: "soft_retry",
      failed_at: "2026-10-14T23:04:05-04:00",
      status: "pending",
      paused: "false",
    });
    // The raw text: the formula's quotes doubled inside a quoted field.
    expect(text).toContain(`"'=HYPERLINK(""http://evil.example"",""Click"")"`);

    const recovered = parseCsv((await csvText(await exportRecoveries.loader(get("/dashboard/export/recoveries.csv?status=recovered", m.sessionToken)))).slice(1));
    expect(recovered).toHaveLength(2);
    const pat = Object.fromEntries(recovered[0]!.map((h, i) => [h, recovered[1]![i]]));
    expect(pat).toMatchObject({ customer_name: 'O\'Brien, "Pat"\nJr', amount_due: "1500", recovered_amount: "1500", currency: "JPY", failure_reason: "'@SUM(A1)" });
  });

  it("sends a big export in batches of a thousand rows, as the client reads them, and only the caller's rows", async () => {
    const m = await makeWorkspace();
    const other = await makeWorkspace();
    await makeRecovery(other.workspace.id, { externalId: "in_theirs" });
    const start = Date.UTC(2026, 0, 1);
    await db().recovery.createMany({
      data: Array.from({ length: 2100 }, (_, i) => ({
        workspaceId: m.workspace.id,
        externalId: `in_bulk_${i}`,
        externalCustomerId: `cus_bulk_${i}`,
        declineType: "soft" as const,
        amountDueMinor: 100 + i,
        currency: "gbp",
        startedAt: new Date(start + i * 1000),
        lastFailureAt: new Date(start + i * 1000),
      })),
    });
    const res = await exportRecoveries.loader(get("/dashboard/export/recoveries.csv", m.sessionToken));
    expect(res.headers.get("X-Total-Rows")).toBe("2100");
    const reader = res.body!.getReader();
    const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
    const chunks: string[] = [];
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(decoder.decode(value));
    }
    // The header, then three batches: 1000, 1000 and 100 rows, each its own chunk.
    expect(chunks.map((c) => c.split("\r\n").length - 1)).toEqual([1, 1000, 1000, 100]);
    const rows = parseCsv(chunks.join("").slice(1)).slice(1);
    expect(new Set(rows.map((r) => r[1])).size).toBe(2100);
    expect(rows[0]![1]).toBe("in_bulk_2099");
    expect(rows.some((r) => r[1] === "in_theirs")).toBe(false);
  });

  it("asks for a session", async () => {
    const res = await thrown<Response>(exportRecoveries.loader(get("/dashboard/export/recoveries.csv")));
    expect(res.status).toBe(302);
    expect(res.headers.get("Location")).toMatch(/^\/auth\/sign-in/);
  });
});
