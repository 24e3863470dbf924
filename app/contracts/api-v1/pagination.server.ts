import { z } from "zod";
import { AppError } from "~/domain/errors";
import { decodeCursor, type PageRequest } from "~/domain/pagination.server";

/**
 * Lists page the way LostChurn documents each one (ADR 0067, which replaces this part of ADR 0008):
 * - **offset** (payments, customers, recoveries, …: `page` from 1, `per_page` default 25, max 100),
 *   answered `{data, meta, pagination: {page, per_page, total, total_pages}}`;
 * - **cursor** (decline codes, webhook endpoints and deliveries: `cursor`, `limit` default 50, max
 *   200), answered `{data, meta, cursor: {next}}`.
 * Either list also takes the other style when asked by name (`cursor`/`limit` on an offset list, for
 * deep pages without a count; `page`/`per_page` on a cursor list); mixing them is a 400. The read
 * models' side (`paginate`, `Page`, the cursor) is app/domain/pagination.server.ts; the envelope is
 * ./envelope.ts.
 */
export type PageStyle = "offset" | "cursor";

export const DEFAULT_PER_PAGE = 25;
export const MAX_PER_PAGE = 100;
/** LostChurn's cursor lists: "limit … 50 … Items per page (max 200)". */
export const DEFAULT_CURSOR_LIMIT = 50;
export const MAX_CURSOR_LIMIT = 200;

const LIMITS: Record<PageStyle, { limit: number; max: number }> = {
  offset: { limit: DEFAULT_PER_PAGE, max: MAX_PER_PAGE },
  cursor: { limit: DEFAULT_CURSOR_LIMIT, max: MAX_CURSOR_LIMIT },
};

function pageQuerySchema(style: PageStyle) {
  const { limit, max } = LIMITS[style];
  const byDefault = (what: PageStyle) => (what === style ? " (the default)" : "");
  return z.object({
    page: z.coerce.number().int().min(1).max(100_000).optional().describe(`Offset paging${byDefault("offset")}: page number, from 1 (default 1).`),
    per_page: z.coerce.number().int().min(1).max(MAX_PER_PAGE).optional().describe(`Offset paging: items per page (1–${MAX_PER_PAGE}, default ${DEFAULT_PER_PAGE}).`),
    cursor: z.string().min(1).max(500).optional().describe(`Cursor paging${byDefault("cursor")}: \`cursor.next\` from the previous page. Not with \`page\`.`),
    limit: z.coerce.number().int().min(1).max(max).optional().describe(`Cursor paging: items per page (1–${max}, default ${limit}).`),
  });
}

/** The query of an offset-paged list (LostChurn's `page`/`per_page`); `cursor`/`limit` switch to keyset pages. */
export const PageQuerySchema = pageQuerySchema("offset");
/** The query of a cursor-paged list (LostChurn's `cursor`/`limit`, 50 by default, at most 200). */
export const CursorPageQuerySchema = pageQuerySchema("cursor");
export type PageQuery = z.infer<typeof PageQuerySchema>;

const PAGE_SCHEMAS = new WeakSet<z.ZodType>();

/** The list response, `pageSchema(PaymentSchema)`: the envelope turns it into `data` and `pagination` or `cursor`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  const schema = z.object({
    items: z.array(item),
    next_cursor: z.string().nullable(),
    page: z.number().int().optional(),
    per_page: z.number().int().optional(),
    total: z.number().int().optional(),
    total_pages: z.number().int().optional(),
  });
  PAGE_SCHEMAS.add(schema);
  return schema;
}

export function isPageSchema(schema: z.ZodType): boolean {
  return PAGE_SCHEMAS.has(schema);
}

/** Which page the query asks for, by the list's own style unless it names the other; the cursor still opaque. */
export function pageWanted(query: PageQuery, style: PageStyle): { mode: "offset"; page: number; perPage: number } | { mode: "cursor"; limit: number; cursor: string | null } {
  const offset = query.page !== undefined || query.per_page !== undefined;
  const keyset = query.cursor !== undefined || query.limit !== undefined;
  if (offset && keyset) throw new AppError("validation_failed", "Use either `cursor`/`limit` or `page`/`per_page`, not both.");
  if (offset || (!keyset && style === "offset")) return { mode: "offset", page: query.page ?? 1, perPage: query.per_page ?? DEFAULT_PER_PAGE };
  return { mode: "cursor", limit: query.limit ?? LIMITS[style].limit, cursor: query.cursor ?? null };
}

/** The read models' page request, for lists keyed by `(createdAt, id)`. */
export function pageRequest(query: PageQuery, style: PageStyle = "offset"): PageRequest {
  const wanted = pageWanted(query, style);
  if (wanted.mode === "offset") return wanted;
  return { mode: "cursor", limit: wanted.limit, after: wanted.cursor ? decodeCursor(wanted.cursor) : null };
}
