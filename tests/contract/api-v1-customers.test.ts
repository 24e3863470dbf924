import { describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { useV1Caller } from "../helpers/openapi";
import { CUSTOMER_ROUTES } from "./customer-routes";

type Ws = Awaited<ReturnType<typeof makeWorkspace>>;
type Item = Record<string, unknown>;
const v1 = useV1Caller(CUSTOMER_ROUTES);

let seq = 0;
async function customer(ws: Ws, over: { email?: string | null; name?: string | null; createdAt?: Date; externalId?: string } = {}) {
  seq += 1;
  return db().customer.create({
    data: {
      workspaceId: ws.workspace.id,
      externalId: over.externalId ?? `cus_t${seq}${Math.random().toString(36).slice(2, 8)}`,
      email: over.email === undefined ? `c${seq}@example.com` : over.email,
      name: over.name === undefined ? `Customer ${seq}` : over.name,
      ...(over.createdAt ? { createdAt: over.createdAt } : {}),
    },
  });
}

async function payment(
  ws: Ws,
  c: { id: string; externalId: string },
  over: { status?: "pending" | "recovered" | "failed" | "abandoned"; amount?: number; recovered?: number; currency?: string; startedAt?: Date; paused?: boolean } = {},
) {
  seq += 1;
  const startedAt = over.startedAt ?? new Date(Date.now() - seq * 60_000);
  return db().recovery.create({
    data: {
      workspaceId: ws.workspace.id,
      customerId: c.id,
      externalCustomerId: c.externalId,
      externalId: `in_t${seq}${Math.random().toString(36).slice(2, 8)}`,
      declineType: "soft",
      declineCode: "insufficient_funds",
      declineCategory: "soft_retry",
      amountDueMinor: over.amount ?? 1000,
      currency: over.currency ?? "usd",
      status: over.status ?? "pending",
      recoveredAmountMinor: over.status === "recovered" ? (over.recovered ?? over.amount ?? 1000) : null,
      paused: over.paused ?? false,
      startedAt,
      lastFailureAt: startedAt,
      endedAt: over.status && over.status !== "pending" ? new Date() : null,
    },
  });
}

const LIST = "/api/v1/customers";
const ONE = "/api/v1/customers/{id}";

describe("GET /api/v1/customers", () => {
  it("lists the workspace's customers newest first, with their payment counts and recovered revenue", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const older = await customer(ws, { name: "Old Timer", createdAt: new Date("2026-01-01T00:00:00Z") });
    const jane = await customer(ws, { name: "Jane Doe", email: "Jane.Doe@Example.com", createdAt: new Date("2026-02-01T00:00:00Z") });
    await payment(ws, jane, { status: "recovered", amount: 4999, startedAt: new Date("2026-02-02T00:00:00Z") });
    await payment(ws, jane, { status: "recovered", amount: 5000, startedAt: new Date("2026-02-03T00:00:00Z") });
    await payment(ws, jane, { status: "abandoned", amount: 700, startedAt: new Date("2026-02-04T00:00:00Z") });
    await payment(ws, jane, { status: "pending", amount: 1200, startedAt: new Date("2026-02-05T00:00:00Z") });
    await customer(other, { name: "Jane Elsewhere" });

    const res = await v1.call("GET", LIST, LIST, { token: ws.apiKey, expect: 200 });
    const items = res.data as Item[];
    expect(items.map((c) => c.id)).toEqual([jane.id, older.id]);
    expect(items[0]).toMatchObject({
      psp_customer_id: jane.externalId,
      email: "Jane.Doe@Example.com",
      name: "Jane Doe",
      total_payments: 4,
      failed_payments: 2,
      recovered_payments: 2,
      total_revenue_cents: 9999,
      currency: "usd",
    });
    expect(items[1]).toMatchObject({ total_payments: 0, failed_payments: 0, recovered_payments: 0, total_revenue_cents: 0, currency: null });
    // LostChurn's offset pages by default: one page of the default 25, nothing after it.
    expect(res.body.pagination).toEqual({ page: 1, per_page: 25, total: 2, total_pages: 1 });
    expect(res.body.cursor).toBeUndefined();
    expect(res.body.meta?.merchant_id).toBe(ws.workspace.id);
  });

  it("searches by part of the name or email in any case, or the PSP id exactly; never across workspaces", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const jane = await customer(ws, { name: "Jane Doe", email: "jane.doe@example.com" });
    const bob = await customer(ws, { name: "Bob Stone", email: "BOB@SHOP.TEST" });
    await customer(ws, { name: null, email: null });
    await customer(other, { name: "Jane Doe", email: "jane.doe@example.com" });
    const search = async (q: string) =>
      ((await v1.call("GET", LIST, `${LIST}?search=${encodeURIComponent(q)}`, { token: ws.apiKey, expect: 200 })).data as Item[]).map((c) => c.id);
    expect(await search("JANE")).toEqual([jane.id]);
    expect(await search("doe@EXAMPLE")).toEqual([jane.id]);
    expect(await search("bob@shop")).toEqual([bob.id]);
    expect(await search("stone")).toEqual([bob.id]);
    expect(await search(bob.externalId)).toEqual([bob.id]);
    expect(await search("nobody")).toEqual([]);
    // LIKE wildcards are matched as text.
    expect(await search("%")).toEqual([]);
    expect(await search("_")).toEqual([]);
  });

  it("pages with cursors and with page/per_page; refuses bad cursors, unknown fields, a missing key and a narrower scope", async () => {
    const ws = await makeWorkspace();
    const made = [];
    for (let i = 0; i < 5; i++) made.push(await customer(ws, { createdAt: new Date(Date.UTC(2026, 0, 1 + i)) }));
    const seen: string[] = [];
    let url = `${LIST}?limit=2`;
    for (let n = 0; n < 5; n++) {
      const page = await v1.call("GET", LIST, url, { token: ws.apiKey, expect: 200 });
      seen.push(...(page.data as Item[]).map((c) => c.id as string));
      expect(page.body.pagination).toBeUndefined();
      if (!page.body.cursor?.next) break;
      url = `${LIST}?limit=2&cursor=${page.body.cursor.next}`;
    }
    expect(seen).toEqual(made.map((c) => c.id).reverse());
    const offset = await v1.call("GET", LIST, `${LIST}?page=2&per_page=2`, { token: ws.apiKey, expect: 200 });
    expect(offset.body.pagination).toEqual({ page: 2, per_page: 2, total: 5, total_pages: 3 });
    expect(offset.body.cursor).toBeUndefined();
    expect((offset.data as Item[]).map((c) => c.id)).toEqual([made[2]!.id, made[1]!.id]);
    const mixed = await v1.call("GET", LIST, `${LIST}?page=1&limit=2`, { token: ws.apiKey, expect: 400 });
    expect(mixed.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });

    expect((await v1.call("GET", LIST, `${LIST}?cursor=bogus!`, { token: ws.apiKey, expect: 400 })).error).toMatchObject({ code: "INVALID_CURSOR", type: "invalid_cursor" });
    const unknown = await v1.call("GET", LIST, `${LIST}?sort=name`, { token: ws.apiKey, expect: 400 });
    expect(unknown.error).toMatchObject({ code: "VALIDATION_ERROR", errors: [{ path: "query.sort", message: "Unknown field." }] });
    await v1.call("GET", LIST, `${LIST}?search=${"x".repeat(201)}`, { token: ws.apiKey, expect: 400 });
    await v1.call("GET", LIST, `${LIST}?limit=abc`, { token: ws.apiKey, expect: 400 });
    await v1.call("GET", LIST, LIST, { expect: 401 });
    const payments = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:payments"] });
    const refused = await v1.call("GET", LIST, LIST, { token: payments.key, expect: 403 });
    expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "read:customers" });
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:customers"] });
    await v1.call("GET", LIST, LIST, { token: reader.key, expect: 200 });
  });
});

describe("GET /api/v1/customers/{id} and /by-email/{email}", () => {
  it("finds a customer by our id or the PSP's id, with recovery stats; another workspace's ids are 404", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const c = await customer(ws, { name: "Ada Stats", email: "ada.stats@example.com" });
    await payment(ws, c, { status: "recovered", amount: 4999 });
    await payment(ws, c, { status: "recovered", amount: 4999 });
    await payment(ws, c, { status: "failed", amount: 4999 });
    await payment(ws, c, { status: "recovered", amount: 9000, currency: "eur", startedAt: new Date(Date.now() - 10 * 86_400_000) });

    for (const id of [c.id, c.externalId]) {
      const res = await v1.call("GET", ONE, `${LIST}/${id}`, { token: ws.apiKey, params: { id }, expect: 200 });
      expect(res.data).toMatchObject({
        id: c.id,
        psp_customer_id: c.externalId,
        recovery_stats: { total_failed: 4, total_recovered: 3, recovery_rate: 0.75, total_recovered_cents: 9998, open_recoveries: 0 },
        currency: "usd",
      });
    }
    for (const id of [c.id, c.externalId, "cus_nope"]) {
      const res = await v1.call("GET", ONE, `${LIST}/${id}`, { token: other.apiKey, params: { id }, expect: 404 });
      expect(res.error).toMatchObject({ code: "NOT_FOUND", type: "customer_not_found" });
    }
  });

  it("looks a customer up by email in any case; 404 for unknown or another workspace's; 400 for a non-address", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const c = await customer(ws, { email: "Mixed.Case@Example.com" });
    await payment(ws, c, { status: "recovered", amount: 2500 });
    await payment(ws, c, { status: "pending", amount: 2500 });
    const path = "/api/v1/customers/by-email/{email}";
    const found = await v1.call("GET", path, `${LIST}/by-email/mixed.case%40example.com`, { token: ws.apiKey, params: { email: "mixed.case@example.com" }, expect: 200 });
    expect(found.data).toMatchObject({ id: c.id, recovery_stats: { total_failed: 2, total_recovered: 1, recovery_rate: 0.5, total_recovered_cents: 2500, open_recoveries: 1 } });
    await v1.call("GET", path, `${LIST}/by-email/x`, { token: other.apiKey, params: { email: "mixed.case@example.com" }, expect: 404 });
    await v1.call("GET", path, `${LIST}/by-email/x`, { token: ws.apiKey, params: { email: "someone@else.test" }, expect: 404 });
    await customer(ws, { email: "axb@example.com" });
    await v1.call("GET", path, `${LIST}/by-email/x`, { token: ws.apiKey, params: { email: "a_b@example.com" }, expect: 404 });
    const bad = await v1.call("GET", path, `${LIST}/by-email/x`, { token: ws.apiKey, params: { email: "not-an-email" }, expect: 400 });
    expect(bad.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed", errors: [{ path: "params.email" }] });
  });
});

describe("a customer's payments and recoveries", () => {
  it("lists only that customer's rows, newest first, as the payments and recoveries lists show them", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const c = await customer(ws);
    const someoneElse = await customer(ws);
    const p1 = await payment(ws, c, { status: "recovered", amount: 1500, startedAt: new Date("2026-03-01T00:00:00Z") });
    const p2 = await payment(ws, c, { status: "pending", paused: true, amount: 2500, startedAt: new Date("2026-03-02T00:00:00Z") });
    const p3 = await payment(ws, c, { status: "abandoned", amount: 3500, startedAt: new Date("2026-03-03T00:00:00Z") });
    await payment(ws, someoneElse, {});

    const payments = await v1.call("GET", `${ONE}/payments`, `${LIST}/${c.id}/payments`, { token: ws.apiKey, params: { id: c.id }, expect: 200 });
    expect(payments.body.pagination).toEqual({ page: 1, per_page: 25, total: 3, total_pages: 1 });
    expect((payments.data as Item[]).map((p) => [p.id, p.status, p.paused, p.amount_cents])).toEqual([
      [p3.id, "terminal", false, 3500],
      [p2.id, "failed", true, 2500],
      [p1.id, "recovered", false, 1500],
    ]);
    expect((payments.data as Item[])[0]).toMatchObject({ customer_id: c.id, customer_email: c.email, psp_customer_id: c.externalId, external_id: p3.externalId });

    const recoveries = await v1.call("GET", `${ONE}/recoveries`, `${LIST}/${c.externalId}/recoveries?limit=2`, { token: ws.apiKey, params: { id: c.externalId }, expect: 200 });
    expect((recoveries.data as Item[]).map((r) => [r.id, r.payment_id, r.status])).toEqual([
      [p3.id, p3.id, "terminal"],
      [p2.id, p2.id, "paused"],
    ]);
    const next = await v1.call("GET", `${ONE}/recoveries`, `${LIST}/${c.id}/recoveries?limit=2&cursor=${recoveries.body.cursor!.next!}`, {
      token: ws.apiKey,
      params: { id: c.id },
      expect: 200,
    });
    expect((next.data as Item[]).map((r) => [r.id, r.status])).toEqual([[p1.id, "recovered"]]);
    expect(next.body.cursor).toEqual({ next: null });

    await v1.call("GET", `${ONE}/payments`, `${LIST}/${c.id}/payments`, { token: other.apiKey, params: { id: c.id }, expect: 404 });
    await v1.call("GET", `${ONE}/recoveries`, `${LIST}/${c.id}/recoveries`, { token: other.apiKey, params: { id: c.id }, expect: 404 });
    await v1.call("GET", `${ONE}/payments`, `${LIST}/${c.id}/payments?cursor=nope`, { token: ws.apiKey, params: { id: c.id }, expect: 400 });
  });
});

describe("POST /api/v1/customers/{id}/pause-all and resume-all", () => {
  it("pauses every open recovery of the customer and resumes them, with counts; closed ones and other customers untouched", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const c = await customer(ws);
    const bystander = await customer(ws);
    const open1 = await payment(ws, c, {});
    const open2 = await payment(ws, c, {});
    const done = await payment(ws, c, { status: "recovered" });
    const theirs = await payment(ws, bystander, {});

    const pause = `${ONE}/pause-all`;
    const foreign = await v1.call("POST", pause, `${LIST}/${c.id}/pause-all`, { token: other.apiKey, params: { id: c.id }, expect: 404 });
    expect(foreign.error).toMatchObject({ code: "NOT_FOUND", type: "customer_not_found" });
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    await v1.call("POST", pause, `${LIST}/${c.id}/pause-all`, { token: reader.key, params: { id: c.id }, expect: 403 });
    await v1.call("POST", pause, `${LIST}/${c.id}/pause-all`, { token: ws.apiKey, params: { id: c.id }, body: { now: true }, expect: 400 });
    expect(await db().recovery.count({ where: { customerId: c.id, paused: true } })).toBe(0);

    const writer = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["write:customers"] });
    const paused = await v1.call("POST", pause, `${LIST}/${c.externalId}/pause-all`, { token: writer.key, params: { id: c.externalId }, expect: 200 });
    expect(paused.data).toMatchObject({ customer_id: c.id, paused: 2 });
    expect((paused.data.payment_ids as string[]).sort()).toEqual([open1.id, open2.id].sort());
    const rows = await db().recovery.findMany({ where: { id: { in: [open1.id, open2.id, done.id, theirs.id] } } });
    const byId = new Map(rows.map((r) => [r.id, r]));
    expect([byId.get(open1.id)!.paused, byId.get(open2.id)!.paused, byId.get(done.id)!.paused, byId.get(theirs.id)!.paused]).toEqual([true, true, false, false]);
    const again = await v1.call("POST", pause, `${LIST}/${c.id}/pause-all`, { token: ws.apiKey, params: { id: c.id }, expect: 200 });
    expect(again.data).toMatchObject({ paused: 0, payment_ids: [] });

    const resume = `${ONE}/resume-all`;
    await v1.call("POST", resume, `${LIST}/${c.id}/resume-all`, { token: other.apiKey, params: { id: c.id }, expect: 404 });
    const resumed = await v1.call("POST", resume, `${LIST}/${c.id}/resume-all`, { token: ws.apiKey, params: { id: c.id }, expect: 200 });
    expect(resumed.data).toMatchObject({ customer_id: c.id, resumed: 2 });
    expect(await db().recovery.count({ where: { customerId: c.id, paused: true } })).toBe(0);
    // Resumed recoveries are planned again: each has a next step.
    const replanned = await db().recovery.findMany({ where: { id: { in: [open1.id, open2.id] } } });
    for (const r of replanned) expect(r.nextActionKind).not.toBeNull();
  });
});

describe("DELETE /api/v1/customers/{id}", () => {
  it("needs admin or admin:customers; another workspace's customer is 404; a second erasure is 404", async () => {
    const ws = await makeWorkspace();
    const other = await makeWorkspace();
    const c = await customer(ws, { email: "gone@example.com", name: "Gone Soon" });
    await payment(ws, c, { amount: 3100 });
    for (const scopes of [["read", "write"], ["write:customers"], ["admin:payments"]]) {
      const key = await createApiKey({ workspaceId: ws.workspace.id, scopes });
      const refused = await v1.call("DELETE", ONE, `${LIST}/${c.id}`, { token: key.key, params: { id: c.id }, expect: 403 });
      expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", required_scope: "admin:customers" });
    }
    await v1.call("DELETE", ONE, `${LIST}/${c.id}`, { token: other.apiKey, params: { id: c.id }, expect: 404 });
    await v1.call("DELETE", ONE, `${LIST}/${c.externalId}`, { token: other.apiKey, params: { id: c.externalId }, expect: 404 });
    expect(await db().customer.count({ where: { id: c.id } })).toBe(1);

    const admin = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["admin:customers"] });
    const erased = await v1.call("DELETE", ONE, `${LIST}/${c.externalId}`, { token: admin.key, params: { id: c.externalId }, expect: 200 });
    expect(erased.data).toMatchObject({ deleted: true, customer_id: c.id, recoveries_anonymised: 1 });
    expect(await db().customer.count({ where: { id: c.id } })).toBe(0);
    // The merchant's totals keep the amount, anonymously.
    expect(await db().recovery.count({ where: { workspaceId: ws.workspace.id, amountDueMinor: 3100, customerId: null } })).toBe(1);
    await v1.call("DELETE", ONE, `${LIST}/${c.id}`, { token: admin.key, params: { id: c.id }, expect: 404 });
    await v1.call("GET", ONE, `${LIST}/${c.id}`, { token: ws.apiKey, params: { id: c.id }, expect: 404 });
  });
});
