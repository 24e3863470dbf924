import { z } from "zod";
import { AppError } from "~/domain/errors";
import { decodeCursor, type PageRequest } from "~/domain/pagination.server";

/**
 * Lists are `{items, next_cursor}`, newest first, with opaque keyset cursors (`limit` 1–100,
 * default 25). LostChurn's `page`/`per_page` are accepted on the same endpoints: then the answer also
 * carries `page, per_page, total, total_pages` and `next_cursor` is null (one paging style per
 * request; mixing `cursor` with `page` is a 400). See ADR 0008. The read models' side (`paginate`,
 * `Page`, the cursor) is app/domain/pagination.server.ts.
 */
export const DEFAULT_LIMIT = 25;
export const MAX_LIMIT = 100;

export const PageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional().describe(`Items per page (1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}).`),
  cursor: z.string().min(1).max(500).optional().describe("`next_cursor` from the previous page."),
  page: z.coerce.number().int().min(1).max(100_000).optional().describe("Offset paging (LostChurn): page number, from 1. Not with `cursor`."),
  per_page: z.coerce.number().int().min(1).max(MAX_LIMIT).optional().describe(`Offset paging: items per page (1–${MAX_LIMIT}, default ${DEFAULT_LIMIT}).`),
});
export type PageQuery = z.infer<typeof PageQuerySchema>;

/** The list response: `pageSchema(PaymentSchema)`. */
export function pageSchema<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    next_cursor: z.string().nullable().describe("Pass as `cursor` for the next page; null on the last page (and in page/per_page mode)."),
    page: z.number().int().optional(),
    per_page: z.number().int().optional(),
    total: z.number().int().optional(),
    total_pages: z.number().int().optional(),
  });
}

export function pageRequest(query: PageQuery): PageRequest {
  if (query.page !== undefined || query.per_page !== undefined) {
    if (query.cursor !== undefined) throw new AppError("validation_failed", "Use either `cursor` or `page`/`per_page`, not both.");
    return { mode: "offset", page: query.page ?? 1, perPage: query.per_page ?? query.limit ?? DEFAULT_LIMIT };
  }
  return { mode: "cursor", limit: query.limit ?? DEFAULT_LIMIT, after: query.cursor ? decodeCursor(query.cursor) : null };
}
