import { z } from "zod";
import { AppError } from "~/http/errors";

/**
 * Lists are `{items, next_cursor}`, newest first, with opaque keyset cursors (`limit` 1–100,
 * default 25). LostChurn's `page`/`per_page` are accepted on the same endpoints: then the answer also
 * carries `page, per_page, total, total_pages` and `next_cursor` is null (one paging style per
 * request; mixing `cursor` with `page` is a 400). See ADR 0008.
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

export type PageRequest =
  | { mode: "cursor"; limit: number; after: { createdAt: Date; id: string } | null }
  | { mode: "offset"; page: number; perPage: number };

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
  page?: number;
  perPage?: number;
  total?: number;
  totalPages?: number;
}

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

const CursorSchema = z.object({ t: z.iso.datetime(), i: z.string().min(1) });

export function encodeCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(JSON.stringify({ t: row.createdAt.toISOString(), i: row.id })).toString("base64url");
}

export function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    if (!/^[A-Za-z0-9_-]+$/.test(cursor)) throw new Error("not base64url");
    const parsed = CursorSchema.parse(JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")));
    return { createdAt: new Date(parsed.t), id: parsed.i };
  } catch {
    throw new AppError("invalid_cursor", "The cursor is not one this API gave out. Start again without `cursor`.");
  }
}

export function pageRequest(query: PageQuery): PageRequest {
  if (query.page !== undefined || query.per_page !== undefined) {
    if (query.cursor !== undefined) throw new AppError("validation_failed", "Use either `cursor` or `page`/`per_page`, not both.");
    return { mode: "offset", page: query.page ?? 1, perPage: query.per_page ?? query.limit ?? DEFAULT_LIMIT };
  }
  return { mode: "cursor", limit: query.limit ?? DEFAULT_LIMIT, after: query.cursor ? decodeCursor(query.cursor) : null };
}

type FindArgs = {
  where: Record<string, unknown>;
  orderBy: Array<Record<string, "asc" | "desc">>;
  take: number;
  skip?: number;
};

/**
 * Runs a newest-first list over rows with `createdAt` and `id` (index them with the tenant column:
 * `@@index([workspaceId, createdAt, id])`). `find` adds its own filters to `where`.
 */
export async function paginate<T extends { createdAt: Date; id: string }>(
  request: PageRequest,
  query: { find(args: FindArgs): Promise<T[]>; count(): Promise<number> },
): Promise<Page<T>> {
  const orderBy: FindArgs["orderBy"] = [{ createdAt: "desc" }, { id: "desc" }];
  if (request.mode === "offset") {
    const [items, total] = await Promise.all([
      query.find({ where: {}, orderBy, take: request.perPage, skip: (request.page - 1) * request.perPage }),
      query.count(),
    ]);
    return { items, nextCursor: null, page: request.page, perPage: request.perPage, total, totalPages: Math.ceil(total / request.perPage) };
  }
  const after = request.after;
  const where = after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {};
  const rows = await query.find({ where, orderBy, take: request.limit + 1 });
  const items = rows.slice(0, request.limit);
  return { items, nextCursor: rows.length > request.limit ? encodeCursor(items[items.length - 1]!) : null };
}
