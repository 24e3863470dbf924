import { z } from "zod";
import {
  DECLINE_CATEGORIES,
  DECLINE_CATEGORY_DESCRIPTIONS,
  DECLINE_CODES,
  DECLINE_PSPS,
  DECLINE_SUBCATEGORIES,
  EXPECTED_RECOVERY_RATES,
  declineCodeVariations,
  declinePspOf,
  findDeclineCode,
  subcategoriesOf,
  type DeclineCategory,
  type DeclineCode,
  type DeclineSubcategory,
} from "~/domain/recovery/decline-codes";
import type { Page } from "~/domain/pagination.server";
import { CursorPageQuerySchema, pageWanted } from "./pagination.server";
import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";
import { inScope, type ApiScope } from "./attempts.server";

// The decline-code catalogue over /api/v1 (LostChurn 50–52): the same data the engine classifies with.

/**
 * LostChurn's names for the engine's subcategories where its reference shows one (`balance`,
 * `limit`, `processing_error`, `expired`, `stolen`, `closed`); the others keep the engine's name.
 * The wire's words only: the engine and the dashboard keep theirs (ADR 0069).
 */
const LOSTCHURN_SUBCATEGORY: Partial<Record<DeclineSubcategory, string>> = {
  insufficient_funds: "balance",
  limits: "limit",
  processing: "processing_error",
  expired_card: "expired",
  lost_or_stolen: "stolen",
  closed_account: "closed",
};
const wireSubcategory = (sub: DeclineSubcategory): string => LOSTCHURN_SUBCATEGORY[sub] ?? sub;
const WIRE_SUBCATEGORIES = DECLINE_SUBCATEGORIES.map(wireSubcategory) as [string, ...string[]];
const ENGINE_SUBCATEGORY = new Map<string, DeclineSubcategory>(DECLINE_SUBCATEGORIES.map((sub) => [wireSubcategory(sub), sub]));

const PSP_NAMES = [...DECLINE_PSPS, "checkout_com"] as const;

export const DeclineCodeSchema = z
  .object({
    code: z.string().describe("The code as the PSP sends it (Stripe `decline_code`, Adyen refusal reason, Braintree/Checkout.com response code, Shopify `error_code`)."),
    psp: z.enum(DECLINE_PSPS),
    category: z.enum(DECLINE_CATEGORIES),
    subcategory: z.enum(WIRE_SUBCATEGORIES).describe("LostChurn's name (`balance`, `limit`, `processing_error`, `expired`, `stolen`, `closed`, …)."),
    description: z.string().describe("What it means, for the merchant."),
    recommended_action: z.string(),
    customer_message: z.string().describe("The words Recoup's emails and payment page use for the customer."),
    recovery_rate: z.number().describe("Expected recovery rate of this code's category (the catalogue's expectation, not your own: see /decline-codes/categories)."),
  })
  .register(API_SCHEMA_NAMES, { id: "DeclineCode" });

export const DeclineCodeListQuerySchema = CursorPageQuerySchema.extend({
  psp: z.enum(PSP_NAMES).optional().describe(`${DECLINE_PSPS.join(", ")} (checkout_com for checkout).`),
  category: z.enum(DECLINE_CATEGORIES).optional(),
  subcategory: z.enum(WIRE_SUBCATEGORIES).optional().describe("LostChurn's subcategory name, as the items show it."),
  q: z.string().trim().min(1).max(100).optional().describe("Case-insensitive text in the code or its description."),
});

export const DeclineCodeDetailQuerySchema = z.object({
  psp: z.enum(PSP_NAMES).optional().describe("Only this PSP's entry (404 when that PSP has no such code)."),
});

export const DeclineCodeDetailSchema = z
  .object({
    code: z.string().describe("The code asked for."),
    category: z.enum(DECLINE_CATEGORIES).nullable().describe("The category when every PSP that knows the code agrees; null when they differ (read `variations`)."),
    variations: z.array(DeclineCodeSchema).min(1).describe("Each PSP's entry for this code (case-insensitive match), one per PSP."),
  })
  .register(API_SCHEMA_NAMES, { id: "DeclineCodeDetail" });

export const DeclineCategorySchema = z
  .object({
    category: z.enum(DECLINE_CATEGORIES),
    description: z.string(),
    expected_recovery_rate: z.number().describe("What a dunning programme usually wins back in this category (0–1)."),
    subcategories: z.array(z.enum(WIRE_SUBCATEGORIES)),
    code_count: z.number().int().describe("Catalogue entries in this category, all PSPs."),
    observed_recovery_rate: z
      .number()
      .nullable()
      .describe("Your own: recovered / closed recoveries in this category (recovered, failed or abandoned), all time. Null until one has closed."),
    recoveries_total: z.number().int().describe("Your recoveries filed under this category (unclassified ones count as unknown)."),
    recoveries_open: z.number().int().describe("Still in progress: neither won nor lost yet, so not in the rate."),
    recoveries_recovered: z.number().int(),
    recoveries_lost: z.number().int().describe("Closed without payment (failed or abandoned)."),
  })
  .register(API_SCHEMA_NAMES, { id: "DeclineCategory" });

export type DeclineCodeListQuery = z.infer<typeof DeclineCodeListQuerySchema>;

function toItem(entry: DeclineCode) {
  return {
    code: entry.code,
    psp: entry.psp,
    category: entry.category,
    subcategory: wireSubcategory(entry.subcategory),
    description: entry.description,
    recommendedAction: entry.recommendedAction,
    customerMessage: entry.customerMessage,
    recoveryRate: EXPECTED_RECOVERY_RATES[entry.category],
  };
}

// A stable order for keyset paging: PSP (catalogue order), then code (binary order).
const PSP_RANK = new Map<string, number>(DECLINE_PSPS.map((psp, i) => [psp, i]));
const compareKey = (a: { psp: string; code: string }, b: { psp: string; code: string }) =>
  PSP_RANK.get(a.psp)! - PSP_RANK.get(b.psp)! || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0);
// One entry per PSP and code: the catalogue also keeps other spellings of a code (Shopify sends
// both cases) so that the engine finds either; the list shows the first.
const SORTED: readonly DeclineCode[] = [
  ...new Map(DECLINE_CODES.map((e) => [`${e.psp}\u0000${e.code.toLowerCase()}`, e] as const).reverse()).values(),
].sort(compareKey);

const CursorSchema = z.object({ p: z.enum(DECLINE_PSPS), c: z.string().min(1).max(200) }).strict();

function encodeCursor(entry: DeclineCode): string {
  return Buffer.from(JSON.stringify({ p: entry.psp, c: entry.code })).toString("base64url");
}

function decodeCursor(cursor: string): { psp: string; code: string } {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("not base64url");
    const parsed = CursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { psp: parsed.p, code: parsed.c };
  } catch {
    throw new AppError("invalid_cursor", "The cursor is not one this API gave out. Start again without `cursor`.");
  }
}

/** The catalogue, filtered, in pages: LostChurn's `cursor`/`limit` (50, at most 200), or `page`/`per_page` when asked. */
export function listDeclineCodes(query: DeclineCodeListQuery): Page<ReturnType<typeof toItem>> {
  const psp = query.psp ? declinePspOf(query.psp) : null;
  const q = query.q?.toLowerCase();
  const subcategory = query.subcategory ? ENGINE_SUBCATEGORY.get(query.subcategory) : undefined;
  const matching = SORTED.filter(
    (e) =>
      (!psp || e.psp === psp) &&
      (!query.category || e.category === query.category) &&
      (!subcategory || e.subcategory === subcategory) &&
      (!q || e.code.toLowerCase().includes(q) || e.description.toLowerCase().includes(q)),
  );
  const wanted = pageWanted(query, "cursor");
  if (wanted.mode === "offset") {
    const { page, perPage } = wanted;
    const items = matching.slice((page - 1) * perPage, page * perPage).map(toItem);
    return { items, nextCursor: null, page, perPage, total: matching.length, totalPages: Math.ceil(matching.length / perPage) };
  }
  const limit = wanted.limit;
  const after = wanted.cursor ? decodeCursor(wanted.cursor) : null;
  const rest = after ? matching.filter((e) => compareKey(e, after) > 0) : matching;
  const page = rest.slice(0, limit);
  return { items: page.map(toItem), nextCursor: rest.length > limit ? encodeCursor(page[page.length - 1]!) : null };
}

/**
 * One code: every PSP's entry for it (LostChurn: "including PSP-specific variations"), or with `psp`
 * only that PSP's. A code no PSP knows (or not the one asked for) is 404.
 */
export function getDeclineCode(input: { code: string; psp?: string }) {
  const psp = input.psp ? declinePspOf(input.psp) : null;
  const variations = psp ? [findDeclineCode(psp, input.code)].filter((e): e is DeclineCode => e !== undefined) : declineCodeVariations(input.code);
  if (variations.length === 0) {
    throw new AppError("decline_code_not_found", psp ? `No decline code "${input.code}" for ${psp} in the catalogue.` : `No decline code "${input.code}" in the catalogue.`);
  }
  const categories = new Set(variations.map((e) => e.category));
  return {
    code: input.code,
    category: categories.size === 1 ? variations[0]!.category : null,
    variations: variations.map(toItem),
  };
}

/**
 * The four categories with the catalogue's expectation next to the workspace's own record:
 * recovered / closed recoveries per `declineCategory` (the engine's classification), all time.
 */
export async function listDeclineCategories(input: ApiScope) {
  const rows = await db().recovery.groupBy({
    by: ["declineCategory", "status"],
    where: inScope(input),
    _count: { _all: true },
  });
  const tally = new Map<DeclineCategory, { total: number; open: number; recovered: number; lost: number }>(
    DECLINE_CATEGORIES.map((c) => [c, { total: 0, open: 0, recovered: 0, lost: 0 }]),
  );
  for (const row of rows) {
    const category = (DECLINE_CATEGORIES as readonly string[]).includes(row.declineCategory ?? "") ? (row.declineCategory as DeclineCategory) : "unknown";
    const t = tally.get(category)!;
    const n = row._count._all;
    t.total += n;
    if (row.status === "pending") t.open += n;
    else if (row.status === "recovered") t.recovered += n;
    else t.lost += n;
  }
  const items = DECLINE_CATEGORIES.map((category) => {
    const t = tally.get(category)!;
    const closed = t.recovered + t.lost;
    return {
      category,
      description: DECLINE_CATEGORY_DESCRIPTIONS[category],
      expectedRecoveryRate: EXPECTED_RECOVERY_RATES[category],
      subcategories: subcategoriesOf(category).map(wireSubcategory),
      codeCount: DECLINE_CODES.filter((e) => e.category === category).length,
      observedRecoveryRate: closed === 0 ? null : Math.round((t.recovered / closed) * 1000) / 1000,
      recoveriesTotal: t.total,
      recoveriesOpen: t.open,
      recoveriesRecovered: t.recovered,
      recoveriesLost: t.lost,
    };
  });
  return items;
}
