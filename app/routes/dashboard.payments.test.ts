// The dashboard's Payments pages, server side: the pay-link list (tabs, search, pages), creating a
// link from the form (amounts in major units read exactly into minor units), a link's page with
// its routing and history, cancel, pin with Flow Arc's 3-changes-per-10-minutes limit, and who
// may do what: members read, another workspace's ids are 404s.
import { afterEach, describe, expect, it } from "vitest";
import { connectionsOf } from "~/domain/collect/connections.server";
import { cancelPaymentRequest, createPaymentRequest } from "~/domain/collect/payment-requests.server";
import { testClock } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { env } from "~/utils/env.server";
import { connectStripeAccount, makeTeammate, makeWorkspace } from "../../tests/factories";
import { thrown } from "../../tests/helpers/thrown";
import * as list from "./dashboard.payments._index";
import * as detail from "./dashboard.payments.$id";

const cookie = (token?: string): Record<string, string> => (token ? { cookie: `recoup_session=${encodeURIComponent(token)}` } : {});

const get = (path: string, token?: string, params: Record<string, string> = {}) => ({
  request: new Request(`http://localhost${path}`, { headers: cookie(token) }),
  params,
  context: {},
});

const post = (path: string, body: unknown, token?: string, params: Record<string, string> = {}) => ({
  request: new Request(`http://localhost${path}`, { method: "POST", headers: { ...cookie(token), "content-type": "application/json" }, body: JSON.stringify(body) }),
  params,
  context: {},
});

/** What `data(...)` carries, for an action's failures. */
const failure = (result: unknown) => result as { data: { ok: false; message: string; fieldErrors: Record<string, string> }; init: ResponseInit };

type Created = Extract<Awaited<ReturnType<typeof list.action>>, { intent: "create" }>;

const blank = { amount: "", currency: "GBP", description: "", customerName: "", customerEmail: "", customerMobile: "", reference: "", expiresAt: "", providerOverrideId: "" };

const create = (token: string, form: Partial<typeof blank>) => list.action(post("/dashboard/payments?index", { intent: "create", form: { ...blank, ...form } }, token));
const listPage = (token: string, query = "") => list.loader(get(`/dashboard/payments${query}`, token));
const open = (id: string, token: string) => detail.loader(get(`/dashboard/payments/${id}`, token, { id }));
const act = (id: string, body: unknown, token: string) => detail.action(post(`/dashboard/payments/${id}`, body, token, { id }));

/** A merchant with a connected (test-mode) Stripe account: its connection, and the routing chain's primary. */
async function merchant() {
  const m = await makeWorkspace();
  await connectStripeAccount(m.workspace.id, `acct_pay${Math.random().toString(36).slice(2, 10)}`);
  const { connections } = await connectionsOf(m.workspace.id);
  return { ...m, connection: connections[0]! };
}

async function link(workspaceId: string, over: Partial<Parameters<typeof createPaymentRequest>[0]> = {}) {
  return createPaymentRequest({ workspaceId, livemode: false, createdVia: "api", amountMinor: 1000, currency: "GBP", description: "Consultation", ...over });
}

afterEach(() => testClock.reset());

describe("/dashboard/payments", () => {
  it("lists the workspace's pay-links newest first, by status tab, with the derived expired status", async () => {
    const m = await merchant();
    const other = await merchant();
    await link(other.workspace.id, { description: "Not theirs" });
    const openLink = await link(m.workspace.id, { description: "Deposit for the kitchen", amountMinor: 2499, customerName: "Ada Lovelace", customerReference: "INV-42" });
    const cancelled = await link(m.workspace.id, { description: "Wrong amount" });
    await cancelPaymentRequest({ workspaceId: m.workspace.id, livemode: false, id: cancelled.id });
    const paid = await link(m.workspace.id, { description: "Paid one" });
    await db().paymentRequest.update({ where: { id: paid.id }, data: { status: "succeeded", succeededAt: new Date() } });
    const expired = await link(m.workspace.id, { description: "Old quote", expiresAt: new Date(Date.now() + 3600_000) });
    await db().paymentRequest.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 60_000) } });
    const live = await link(m.workspace.id, { description: "Live one", livemode: true });

    const all = await listPage(m.sessionToken);
    expect(all).toMatchObject({ tab: "all", search: "", page: 1, totalPages: 1, total: 5, hasProvider: true, readOnly: null });
    // Live and test data together (ADR 0032), newest first.
    expect(all.links.map((l) => [l.description, l.status, l.livemode])).toEqual([
      ["Live one", "open", true],
      ["Old quote", "expired", false],
      ["Paid one", "succeeded", false],
      ["Wrong amount", "cancelled", false],
      ["Deposit for the kitchen", "open", false],
    ]);
    expect(all.links[4]).toMatchObject({ id: openLink.id, amount: "£24.99", customer: "Ada Lovelace", reference: "INV-42", shortCode: openLink.shortCode });

    const tab = async (status: string) => (await listPage(m.sessionToken, `?status=${status}`)).links.map((l) => l.description);
    expect(await tab("open")).toEqual(["Live one", "Deposit for the kitchen"]);
    expect(await tab("succeeded")).toEqual(["Paid one"]);
    expect(await tab("cancelled")).toEqual(["Wrong amount"]);
    expect(await tab("expired")).toEqual(["Old quote"]);
    // A tab the page doesn't know shows them all rather than failing.
    expect((await listPage(m.sessionToken, "?status=everything")).tab).toBe("all");
    expect(live.livemode).toBe(true);
  });

  it("searches description, customer, reference and code, any case, within the tab", async () => {
    const m = await merchant();
    const a = await link(m.workspace.id, { description: "Kitchen deposit", customerEmail: "ada@example.com", customerMobile: "+447911123456" });
    const b = await link(m.workspace.id, { description: "Bathroom tiles", customerName: "Grace Hopper", customerReference: "INV-77" });
    await cancelPaymentRequest({ workspaceId: m.workspace.id, livemode: false, id: b.id });
    const found = async (q: string, status = "") => (await listPage(m.sessionToken, `?q=${encodeURIComponent(q)}${status ? `&status=${status}` : ""}`)).links.map((l) => l.id);
    expect(await found("KITCHEN")).toEqual([a.id]);
    expect(await found("ada@EXAMPLE")).toEqual([a.id]);
    expect(await found("07911 123456")).toEqual([a.id]);
    expect(await found("grace")).toEqual([b.id]);
    expect(await found("inv-77")).toEqual([b.id]);
    expect(await found(a.shortCode)).toEqual([a.id]);
    expect(await found("grace", "open")).toEqual([]);
    expect((await listPage(m.sessionToken, "?q=tiles")).search).toBe("tiles");
  });

  it("pages 25 at a time", async () => {
    const m = await merchant();
    const t0 = Date.UTC(2026, 0, 1);
    for (let i = 0; i < 27; i++) {
      const made = await link(m.workspace.id, { description: `Link ${String(i).padStart(2, "0")}` });
      await db().paymentRequest.update({ where: { id: made.id }, data: { createdAt: new Date(t0 + i * 60_000) } });
    }
    const first = await listPage(m.sessionToken);
    expect(first).toMatchObject({ page: 1, totalPages: 2, total: 27 });
    expect(first.links).toHaveLength(25);
    expect(first.links[0]!.description).toBe("Link 26");
    const second = await listPage(m.sessionToken, "?page=2");
    expect(second.links.map((l) => l.description)).toEqual(["Link 01", "Link 00"]);
    expect((await listPage(m.sessionToken, "?status=open&page=2")).links).toHaveLength(2);
  });

  it("without a provider, says so (the empty state sends the merchant to the providers page)", async () => {
    const { workspace, sessionToken } = await makeWorkspace();
    const page = await listPage(sessionToken);
    expect(page).toMatchObject({ total: 0, hasProvider: false, create: { routing: null, pins: [] } });
    const refused = failure(await create(sessionToken, { amount: "10", description: "Deposit" }));
    expect(refused.init.status).toBe(422);
    expect(refused.data.message).toMatch(/connect Stripe or add Dojo on the Providers page first/);
    expect(await db().paymentRequest.count({ where: { workspaceId: workspace.id } })).toBe(0);
  });

  it("without a session sends the browser to sign in and back here", async () => {
    const res = await thrown<Response>(list.loader(get("/dashboard/payments")));
    expect([res.status, res.headers.get("Location")]).toEqual([302, "/auth/sign-in?redirectTo=%2Fdashboard%2Fpayments"]);
  });
});

describe("creating a payment request", () => {
  it("reads the amount in major units into exact minor units, the mobile UK-first, and answers with the link's URL and QR code", async () => {
    const m = await merchant();
    const page = await listPage(m.sessionToken);
    expect(page.create.routing).toEqual({ label: m.connection.label, currencies: expect.arrayContaining(["GBP", "EUR", "USD"]) });
    expect(page.create.routing!.currencies[0]).toBe("GBP");

    const result = (await create(m.sessionToken, {
      amount: "24.99",
      description: "Kitchen deposit",
      customerName: "Ada Lovelace",
      customerEmail: "ada@example.com",
      customerMobile: "07911 123456",
      reference: "INV-42",
    })) as Created;
    expect(result).toMatchObject({ ok: true, intent: "create", toast: "Payment request for £24.99 created" });
    const saved = await db().paymentRequest.findUniqueOrThrow({ where: { id: result.link.id } });
    expect(saved).toMatchObject({
      workspaceId: m.workspace.id,
      amountMinor: 2499,
      currency: "GBP",
      description: "Kitchen deposit",
      customerName: "Ada Lovelace",
      customerEmail: "ada@example.com",
      customerMobile: "+447911123456",
      customerReference: "INV-42",
      createdVia: "dashboard",
      createdByUserId: m.owner.id,
      // The mode of the provider it lands on: the test-mode Stripe account.
      livemode: false,
      providerOverrideId: null,
      expiresAt: null,
    });
    expect(result.link).toMatchObject({ amount: "£24.99", customerMobile: "+447911123456", url: `${env().APP_URL.replace(/\/$/, "")}/pay/${saved.shortCode}` });
    expect(result.link.qr).toMatch(/^data:image\/png;base64,/);

    const tenPence = (await create(m.sessionToken, { amount: "0.1", description: "Ten pence" })) as Created;
    expect((await db().paymentRequest.findUniqueOrThrow({ where: { id: tenPence.link.id } })).amountMinor).toBe(10);
    const yen = (await create(m.sessionToken, { amount: "1500", currency: "JPY", description: "Yen" })) as Created;
    expect(await db().paymentRequest.findUniqueOrThrow({ where: { id: yen.link.id } })).toMatchObject({ amountMinor: 1500, currency: "JPY" });
  });

  it("refuses what isn't an amount, a phone number or an email beside each field, and creates nothing", async () => {
    const m = await merchant();
    const tooPrecise = failure(await create(m.sessionToken, { amount: "1.234", description: "Deposit" }));
    expect(tooPrecise.init.status).toBe(400);
    expect(tooPrecise.data.fieldErrors).toEqual({ amount: "GBP amounts have at most 2 decimals." });
    const words = failure(await create(m.sessionToken, { amount: "abc", description: "Deposit" }));
    expect(words.data.fieldErrors).toEqual({ amount: "Enter an amount such as 24.99, without the currency sign." });
    expect(failure(await create(m.sessionToken, { amount: "24,99", description: "Deposit" })).data.fieldErrors.amount).toMatch(/^Use a point for decimals/);
    expect(failure(await create(m.sessionToken, { amount: "0", description: "Deposit" })).data.fieldErrors.amount).toBe("The amount must be more than zero.");
    expect(failure(await create(m.sessionToken, { amount: "1.5", currency: "JPY", description: "Yen" })).data.fieldErrors.amount).toBe("JPY has no decimals: enter a whole amount.");

    const many = failure(await create(m.sessionToken, { amount: "", description: " ", customerMobile: "12", customerEmail: "not-an-email", currency: "BRL" }));
    expect(many.init.status).toBe(400);
    expect(many.data.message).toBe("Some fields need another look.");
    expect(many.data.fieldErrors).toEqual({
      amount: "Enter the amount, such as 24.99.",
      description: "Say what the payment is for: the customer sees it on the pay page.",
      customerMobile: expect.stringMatching(/^That isn't a phone number/),
      customerEmail: "Enter an email address such as ada@example.com.",
      currency: `${m.connection.label} doesn't take BRL: choose one of GBP, EUR, USD, AUD, CAD, NZD, CHF, SEK, NOK, DKK, PLN, CZK, RON, SGD, HKD, JPY, MXN.`,
    });
    const past = failure(await create(m.sessionToken, { amount: "5", description: "Deposit", expiresAt: "2020-01-01T10:00" }));
    expect(past.data.fieldErrors).toEqual({ expiresAt: "Choose a time in the future, or leave it empty for a link that doesn't expire." });
    expect(await db().paymentRequest.count({ where: { workspaceId: m.workspace.id } })).toBe(0);
    // A body that isn't the form's is a 400, not a 500.
    expect(failure(await list.action(post("/dashboard/payments?index", { intent: "create", form: { amount: 12 } }, m.sessionToken))).init.status).toBe(400);
    expect(failure(await list.action(post("/dashboard/payments?index", [1, 2], m.sessionToken))).init.status).toBe(400);
  });

  it("reads the expiry in the workspace's time zone, and pins the link to a provider when asked", async () => {
    testClock.set(new Date("2026-11-10T12:00:00Z"));
    const m = await merchant();
    await db().workspace.update({ where: { id: m.workspace.id }, data: { timezone: "Europe/London" } });
    const page = await listPage(m.sessionToken);
    expect(page.create.pins).toEqual([{ id: m.connection.id, label: `${m.connection.label} (Stripe, test)`, currencies: expect.arrayContaining(["GBP", "USD"]) }]);
    const result = (await create(m.sessionToken, { amount: "80", description: "Deposit", expiresAt: "2026-12-01T17:30", providerOverrideId: m.connection.id })) as Created;
    expect(result.ok).toBe(true);
    const saved = await db().paymentRequest.findUniqueOrThrow({ where: { id: result.link.id } });
    expect(saved.expiresAt!.toISOString()).toBe("2026-12-01T17:30:00.000Z");
    expect(saved.providerOverrideId).toBe(m.connection.id);
    // Another workspace's connection can't be pinned.
    const other = await merchant();
    const refused = failure(await create(m.sessionToken, { amount: "80", description: "Deposit", providerOverrideId: other.connection.id }));
    expect(refused.data.fieldErrors).toEqual({ providerOverrideId: "Choose a connected provider, or leave the link to the routing chain." });
  });
});

describe("/dashboard/payments/:id", () => {
  it("shows the link, where it lands now, its history newest first; cancels it once", async () => {
    testClock.set(new Date("2026-11-10T12:00:00Z"));
    const m = await merchant();
    const made = await link(m.workspace.id, { amountMinor: 4500, description: "Boiler service", customerName: "Ada", customerMobile: "+447911123456" });
    const page = await open(made.id, m.sessionToken);
    expect(page.link).toMatchObject({ id: made.id, amount: "£45.00", status: "open", livemode: false, description: "Boiler service", customer: { name: "Ada", email: null, mobile: "+447911123456" } });
    expect(page.link.url).toMatch(new RegExp(`/pay/${made.shortCode}$`));
    expect(page.link.qr).toMatch(/^data:image\/png;base64,/);
    expect(page.landsOn).toEqual({ label: m.connection.label, providerName: "Stripe", how: "primary" });
    expect(page.history.map((h) => h.title)).toEqual(["Created"]);
    expect(page.transactions).toEqual([]);
    expect(page.pins).toEqual([{ id: m.connection.id, label: `${m.connection.label} (Stripe)` }]);

    testClock.advance(60_000);
    expect(await act(made.id, { intent: "cancel" }, m.sessionToken)).toEqual({ ok: true, intent: "cancel", toast: "Payment request cancelled: the link can no longer be paid." });
    const after = await open(made.id, m.sessionToken);
    expect(after.link).toMatchObject({ status: "cancelled", cancelledAt: "2026-11-10T12:01:00.000Z" });
    expect(after.history.map((h) => [h.kind, h.title])).toEqual([
      ["cancelled", "Cancelled: the link can no longer be paid"],
      ["created", "Created"],
    ]);
    const again = failure(await act(made.id, { intent: "cancel" }, m.sessionToken));
    expect(again.init.status).toBe(409);
    expect(again.data.message).toBe("This payment request is cancelled: only an open one can be cancelled.");
  });

  it("pins to a provider and back, and the fourth change in 10 minutes is refused saying when (429)", async () => {
    testClock.set(new Date("2026-11-10T12:00:00Z"));
    const m = await merchant();
    const made = await link(m.workspace.id);
    expect(await act(made.id, { intent: "pin", providerOverrideId: m.connection.id }, m.sessionToken)).toEqual({ ok: true, intent: "pin", toast: `Pinned to ${m.connection.label}` });
    expect((await open(made.id, m.sessionToken)).landsOn).toMatchObject({ how: "pinned" });
    testClock.advance(60_000);
    expect(await act(made.id, { intent: "pin", providerOverrideId: null }, m.sessionToken)).toMatchObject({ ok: true, toast: "Returned to the routing chain" });
    expect((await open(made.id, m.sessionToken)).landsOn).toMatchObject({ how: "primary" });
    testClock.advance(60_000);
    await act(made.id, { intent: "pin", providerOverrideId: m.connection.id }, m.sessionToken);
    testClock.advance(60_000);
    const refused = failure(await act(made.id, { intent: "pin", providerOverrideId: null }, m.sessionToken));
    expect(refused.init.status).toBe(429);
    expect(refused.data.message).toBe("This pay-link's provider was changed 3 times in the last 10 minutes. Try again after Nov 10, 2026, 12:10.");
    expect((await db().paymentRequest.findUniqueOrThrow({ where: { id: made.id } })).providerOverrideId).toBe(m.connection.id);
    const history = (await open(made.id, m.sessionToken)).history.map((h) => h.title);
    expect(history).toEqual([`Pinned to ${m.connection.label}`, "Returned to the routing chain", `Pinned to ${m.connection.label}`, "Created"]);
    // A connection that isn't this workspace's can't be pinned.
    testClock.advance(10 * 60_000);
    const other = await merchant();
    const wrong = failure(await act(made.id, { intent: "pin", providerOverrideId: other.connection.id }, m.sessionToken));
    expect(wrong.init.status).toBe(422);
    expect(wrong.data.fieldErrors.providerOverrideId).toMatch(/^No provider connection/);
  });

  it("another workspace's pay-link (or a made-up id) is a 404: to open, cancel or pin", async () => {
    const m = await merchant();
    const other = await merchant();
    const theirs = await link(other.workspace.id);
    expect(await thrown(open(theirs.id, m.sessionToken))).toMatchObject({ data: "No payment request with that id in this workspace.", init: { status: 404 } });
    expect(await thrown(open("not-a-uuid", m.sessionToken))).toMatchObject({ init: { status: 404 } });
    expect(await thrown(open("00000000-0000-4000-8000-000000000000", m.sessionToken))).toMatchObject({ init: { status: 404 } });
    for (const body of [{ intent: "cancel" }, { intent: "pin", providerOverrideId: null }]) {
      const refused = failure(await act(theirs.id, body, m.sessionToken));
      expect(refused.init.status).toBe(404);
    }
    expect((await db().paymentRequest.findUniqueOrThrow({ where: { id: theirs.id } })).status).toBe("open");
  });
});

describe("Payments for a member (docs/decisions/0010-team-roles.md)", () => {
  it("reads every page, and is refused creating, cancelling or pinning (403), saying who can", async () => {
    const m = await merchant();
    const made = await link(m.workspace.id);
    const { sessionToken: token } = await makeTeammate(m.workspace.id, "member");
    const page = await listPage(token);
    expect(page.links.map((l) => l.id)).toEqual([made.id]);
    expect(page.readOnly).toMatch(/^Only admins can create, cancel or refund payments/);
    expect((await open(made.id, token)).readOnly).toMatch(/^Only admins can/);

    const refusals = [
      await create(token, { amount: "10", description: "By a member" }),
      await act(made.id, { intent: "cancel" }, token),
      await act(made.id, { intent: "pin", providerOverrideId: m.connection.id }, token),
    ].map(failure);
    for (const refused of refusals) {
      expect(refused.init.status).toBe(403);
      expect(refused.data.message).toMatch(/^Only admins can create, cancel or refund payments, or change payment providers\. Ask .+ \(the owner\) or an admin/);
    }
    expect(await db().paymentRequest.count({ where: { workspaceId: m.workspace.id } })).toBe(1);
    expect(await db().paymentRequest.findUniqueOrThrow({ where: { id: made.id } })).toMatchObject({ status: "open", providerOverrideId: null });

    // An admin may.
    const admin = await makeTeammate(m.workspace.id, "admin");
    expect((await create(admin.sessionToken, { amount: "10", description: "By an admin" })) as Created).toMatchObject({ ok: true });
  });
});
