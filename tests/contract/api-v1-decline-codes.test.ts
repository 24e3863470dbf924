import { beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "~/domain/auth/api-keys.server";
import { DECLINE_CODES } from "~/domain/recovery/decline-codes";
import * as codeRoute from "~/routes/api.v1.decline-codes.$code";
import * as categoriesRoute from "~/routes/api.v1.decline-codes.categories";
import * as listRoute from "~/routes/api.v1.decline-codes";
import { db } from "~/utils/db.server";
import { makeWorkspace } from "../factories";
import { liftRateLimits, v1Caller } from "../helpers/openapi";

type Caller = Awaited<ReturnType<typeof v1Caller>>;
type Item = { code: string; psp: string; category: string; subcategory: string; recovery_rate: number };
type Category = {
  category: string;
  expected_recovery_rate: number;
  observed_recovery_rate: number | null;
  recoveries_total: number;
  recoveries_open: number;
  recoveries_recovered: number;
  recoveries_lost: number;
  subcategories: string[];
  code_count: number;
};

const LIST = "/api/v1/decline-codes";
const CATEGORIES = "/api/v1/decline-codes/categories";
const ONE = "/api/v1/decline-codes/{code}";

let v1: Caller;
let ws: Awaited<ReturnType<typeof makeWorkspace>>;

liftRateLimits();
beforeAll(async () => {
  v1 = await v1Caller({ [LIST]: listRoute, [CATEGORIES]: categoriesRoute, [ONE]: codeRoute });
  ws = await makeWorkspace();
});

let n = 0;
async function recovery(workspaceId: string, declineCategory: string | null, status: "pending" | "recovered" | "failed" | "abandoned") {
  n += 1;
  return db().recovery.create({
    data: {
      workspaceId,
      externalId: `in_dc_${n}`,
      externalCustomerId: `cus_dc_${n}`,
      declineType: declineCategory === "hard_customer" || declineCategory === "terminal" ? "hard" : "soft",
      declineCategory,
      status,
      amountDueMinor: 1000,
      currency: "usd",
      startedAt: new Date(),
      lastFailureAt: new Date(),
      endedAt: status === "pending" ? null : new Date(),
    },
  });
}

describe("GET /api/v1/decline-codes", () => {
  it("pages through the whole catalogue with cursors, each code once, in a stable order", async () => {
    const seen: string[] = [];
    let url = `${LIST}?limit=100`;
    for (let pages = 0; pages < 20; pages++) {
      const page = await v1.call("GET", LIST, url, { token: ws.apiKey, expect: 200 });
      seen.push(...(page.data as Item[]).map((i) => `${i.psp}:${i.code}`));
      expect(page.body.pagination).toBeUndefined();
      if (!page.body.cursor?.next) break;
      url = `${LIST}?limit=100&cursor=${page.body.cursor.next}`;
    }
    // Each PSP's code once: Shopify's two spellings of a code are one entry (LostChurn's 268).
    expect(seen).toHaveLength(new Set(DECLINE_CODES.map((e) => `${e.psp}:${e.code.toLowerCase()}`)).size);
    expect(seen).toHaveLength(268);
    expect(new Set(seen).size).toBe(268);
    for (const psp of ["stripe", "adyen", "braintree", "checkout", "shopify"]) expect(seen.some((s) => s.startsWith(`${psp}:`))).toBe(true);
  });

  it("pages by cursor by default, LostChurn's `limit` 50 (at most 200)", async () => {
    expect(DECLINE_CODES.length).toBeGreaterThan(50);
    const first = await v1.call("GET", LIST, LIST, { token: ws.apiKey, expect: 200 });
    expect(first.data as Item[]).toHaveLength(50);
    expect(first.body.cursor?.next).toEqual(expect.any(String));
    expect(first.body.pagination).toBeUndefined();
    expect(first.body.meta?.merchant_id).toBe(ws.workspace.id);
    const next = await v1.call("GET", LIST, `${LIST}?cursor=${first.body.cursor!.next!}`, { token: ws.apiKey, expect: 200 });
    expect((next.data as Item[]).length).toBe(Math.min(50, DECLINE_CODES.length - 50));
    expect((next.data as Item[])[0]).not.toEqual((first.data as Item[])[0]);

    const most = await v1.call("GET", LIST, `${LIST}?limit=200`, { token: ws.apiKey, expect: 200 });
    expect(most.data as Item[]).toHaveLength(Math.min(200, DECLINE_CODES.length));
    const tooMany = await v1.call("GET", LIST, `${LIST}?limit=201`, { token: ws.apiKey, expect: 400 });
    expect(tooMany.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed", errors: [expect.objectContaining({ path: "query.limit" })] });
  });

  it("filters by psp (LostChurn's checkout_com too), category, subcategory and text", async () => {
    const stripeSoft = await v1.call("GET", LIST, `${LIST}?psp=stripe&category=soft_retry&limit=100`, { token: ws.apiKey, expect: 200 });
    const items = stripeSoft.data as Item[];
    expect(items.length).toBe(DECLINE_CODES.filter((e) => e.psp === "stripe" && e.category === "soft_retry").length);
    expect(items.every((i) => i.psp === "stripe" && i.category === "soft_retry")).toBe(true);
    expect(items.find((i) => i.code === "insufficient_funds")).toMatchObject({
      subcategory: "balance", // LostChurn's word for it
      recovery_rate: 0.75,
      recommended_action: expect.stringContaining("Retry"),
      customer_message: expect.any(String),
    });

    const cko = await v1.call("GET", LIST, `${LIST}?psp=checkout_com&limit=100`, { token: ws.apiKey, expect: 200 });
    expect((cko.data as Item[]).every((i) => i.psp === "checkout")).toBe(true);
    expect((cko.data as Item[]).map((i) => i.code)).toContain("20051");

    const sub = await v1.call("GET", LIST, `${LIST}?subcategory=expired&limit=100`, { token: ws.apiKey, expect: 200 });
    expect(new Set((sub.data as Item[]).map((i) => i.psp))).toEqual(
      new Set(["stripe", "adyen", "braintree", "checkout", "shopify", "authorize_net", "paypal", "worldpay", "mollie", "square", "razorpay", "paddle"]),
    );

    const q = await v1.call("GET", LIST, `${LIST}?q=STOLEN&psp=braintree`, { token: ws.apiKey, expect: 200 });
    expect((q.data as Item[]).map((i) => i.code)).toEqual(["2013", "2053"]);

    const none = await v1.call("GET", LIST, `${LIST}?q=no-such-words-here`, { token: ws.apiKey, expect: 200 });
    expect(none.body).toMatchObject({ data: [], cursor: { next: null } });
  });

  it("takes LostChurn's page/per_page with totals", async () => {
    const total = DECLINE_CODES.filter((e) => e.psp === "adyen").length;
    const page = await v1.call("GET", LIST, `${LIST}?psp=adyen&page=2&per_page=10`, { token: ws.apiKey, expect: 200 });
    expect(page.body.pagination).toEqual({ page: 2, per_page: 10, total, total_pages: Math.ceil(total / 10) });
    expect(page.body.cursor).toBeUndefined();
    expect(page.data as Item[]).toHaveLength(10);
  });

  it("refuses bad input with 400 problems, never a 500", async () => {
    for (const [query, path] of [
      ["psp=visa", "query.psp"],
      ["category=hard", "query.category"],
      // The engine's own word is not LostChurn's: the wire takes LostChurn's (`balance`).
      ["subcategory=insufficient_funds", "query.subcategory"],
      ["limit=0", "query.limit"],
      ["limit=abc", "query.limit"],
      ["sort=code", "query.sort"],
      [`q=${"x".repeat(101)}`, "query.q"],
    ] as const) {
      const res = await v1.call("GET", LIST, `${LIST}?${query}`, { token: ws.apiKey, expect: 400 });
      expect(res.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed", errors: [expect.objectContaining({ path })] });
    }
    for (const cursor of ["not-a-cursor", Buffer.from('{"p":"visa","c":"x"}').toString("base64url"), "%%%", Buffer.from('{"t":"2026-01-01T00:00:00.000Z","i":"x"}').toString("base64url")]) {
      const res = await v1.call("GET", LIST, `${LIST}?cursor=${encodeURIComponent(cursor)}`, { token: ws.apiKey, expect: 400 });
      expect(res.error).toMatchObject({ code: "INVALID_CURSOR", type: "invalid_cursor" });
    }
    const both = await v1.call("GET", LIST, `${LIST}?page=1&cursor=abc`, { token: ws.apiKey, expect: 400 });
    expect(both.error).toMatchObject({ code: "VALIDATION_ERROR", type: "validation_failed" });
  });

  it("needs a key with read or read:decline_codes", async () => {
    await v1.call("GET", LIST, LIST, { expect: 401 });
    const reader = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read"] });
    await v1.call("GET", LIST, LIST, { token: reader.key, expect: 200 });
    const narrow = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:decline_codes"] });
    await v1.call("GET", CATEGORIES, CATEGORIES, { token: narrow.key, expect: 200 });
    const other = await createApiKey({ workspaceId: ws.workspace.id, scopes: ["read:payments", "write"] });
    for (const [path, url] of [[LIST, LIST], [CATEGORIES, CATEGORIES], [ONE, `${LIST}/insufficient_funds`]] as const) {
      const refused = await v1.call("GET", path, url, { token: other.key, params: { code: "insufficient_funds" }, expect: 403 });
      expect(refused.error).toMatchObject({ code: "INSUFFICIENT_SCOPE", type: "insufficient_scope", required_scope: "read:decline_codes" });
    }
  });
});

describe("GET /api/v1/decline-codes/{code}", () => {
  it("returns every PSP's variation, case-insensitively, with the agreed category", async () => {
    const res = await v1.call("GET", ONE, `${LIST}/insufficient_funds`, { token: ws.apiKey, params: { code: "insufficient_funds" }, expect: 200 });
    expect(res.data).toMatchObject({ code: "insufficient_funds", category: "soft_retry" });
    expect((res.data.variations as Item[]).map((v) => v.psp)).toEqual(["stripe", "shopify", "gocardless", "mollie", "square", "razorpay"]);

    const adyen = await v1.call("GET", ONE, `${LIST}/not%20enough%20BALANCE`, { token: ws.apiKey, params: { code: "not enough BALANCE" }, expect: 200 });
    expect(adyen.data.variations).toEqual([expect.objectContaining({ psp: "adyen", code: "Not enough balance", category: "soft_retry", subcategory: "balance" })]);
  });

  it("narrows to one PSP with ?psp=, and 404s a code that PSP (or every PSP) lacks", async () => {
    const one = await v1.call("GET", ONE, `${LIST}/expired_card?psp=shopify`, { token: ws.apiKey, params: { code: "expired_card" }, expect: 200 });
    expect(one.data.variations).toEqual([expect.objectContaining({ psp: "shopify", code: "expired_card", category: "hard_customer" })]);
    const missing = await v1.call("GET", ONE, `${LIST}/insufficient_funds?psp=adyen`, { token: ws.apiKey, params: { code: "insufficient_funds" }, expect: 404 });
    expect(missing.error).toMatchObject({ code: "NOT_FOUND", type: "decline_code_not_found" });
    const unknown = await v1.call("GET", ONE, `${LIST}/no_such_code`, { token: ws.apiKey, params: { code: "no_such_code" }, expect: 404 });
    expect(unknown.error).toMatchObject({ code: "NOT_FOUND", type: "decline_code_not_found" });
    expect(unknown.status).toBe(404);
    await v1.call("GET", ONE, `${LIST}/x?psp=visa`, { token: ws.apiKey, params: { code: "x" }, expect: 400 });
    await v1.call("GET", ONE, `${LIST}/x`, { token: ws.apiKey, params: { code: "x".repeat(201) }, expect: 400 });
  });
});

describe("GET /api/v1/decline-codes/categories", () => {
  it("says honestly that an empty workspace has no record yet", async () => {
    const empty = await makeWorkspace();
    const res = await v1.call("GET", CATEGORIES, CATEGORIES, { token: empty.apiKey, expect: 200 });
    const items = res.data as Category[];
    expect(items.map((c) => c.category)).toEqual(["soft_retry", "hard_customer", "terminal", "unknown"]);
    for (const c of items) {
      expect(c).toMatchObject({ observed_recovery_rate: null, recoveries_total: 0, recoveries_open: 0, recoveries_recovered: 0, recoveries_lost: 0 });
      expect(c.expected_recovery_rate).toBeGreaterThan(0);
      expect(c.code_count).toBe(DECLINE_CODES.filter((e) => e.category === c.category).length);
    }
    expect(items[0]!.subcategories).toEqual(expect.arrayContaining(["balance", "limit", "processing_error"]));
  });

  it("computes the workspace's own rate from its recoveries: recovered / closed, open ones apart, other workspaces ignored", async () => {
    const mine = await makeWorkspace();
    const other = await makeWorkspace();
    await recovery(mine.workspace.id, "soft_retry", "recovered");
    await recovery(mine.workspace.id, "soft_retry", "recovered");
    await recovery(mine.workspace.id, "soft_retry", "failed");
    await recovery(mine.workspace.id, "soft_retry", "pending");
    await recovery(mine.workspace.id, "hard_customer", "abandoned");
    await recovery(mine.workspace.id, null, "recovered"); // never classified: counted as unknown
    for (let i = 0; i < 3; i++) await recovery(other.workspace.id, "soft_retry", "failed");

    const res = await v1.call("GET", CATEGORIES, CATEGORIES, { token: mine.apiKey, expect: 200 });
    expect(Array.isArray(res.data), "LostChurn: data is the array of categories").toBe(true);
    const by = Object.fromEntries((res.data as Category[]).map((c) => [c.category, c]));
    expect(by.soft_retry).toMatchObject({
      expected_recovery_rate: 0.75,
      observed_recovery_rate: 0.667,
      recoveries_total: 4,
      recoveries_open: 1,
      recoveries_recovered: 2,
      recoveries_lost: 1,
    });
    expect(by.hard_customer).toMatchObject({ observed_recovery_rate: 0, recoveries_total: 1, recoveries_lost: 1 });
    expect(by.terminal).toMatchObject({ observed_recovery_rate: null, recoveries_total: 0 });
    expect(by.unknown).toMatchObject({ observed_recovery_rate: 1, recoveries_recovered: 1 });
    await v1.call("GET", CATEGORIES, `${CATEGORIES}?window=30d`, { token: mine.apiKey, expect: 400 });
  });
});

describe("coverage", () => {
  it("called every decline-code operation", () => {
    expect([...v1.seen].sort()).toEqual([`GET ${LIST}`, `GET ${ONE}`, `GET ${CATEGORIES}`].sort());
  });
});
