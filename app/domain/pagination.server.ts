import { z } from "zod";
import { AppError } from "~/domain/errors";

/**
 * A page of a newest-first list, keyset (`after` the last row seen) or offset. Read models take a
 * `PageRequest` and return a `Page`; how a contract spells it on the wire (`limit`/`cursor`,
 * LostChurn's `page`/`per_page`) lives with that contract (ADR 0008, ADR 0043).
 */
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

type FindArgs = {
  where: Record<string, unknown>;
  orderBy: Array<Record<string, "asc" | "desc">>;
  take: number;
  skip?: number;
};

/** The rows after `after` (the last row given) in newest-first order, ties broken by id; every row when null. */
export function newestFirstAfter(after: { createdAt: Date; id: string } | null | undefined) {
  return after ? { OR: [{ createdAt: { lt: after.createdAt } }, { createdAt: after.createdAt, id: { lt: after.id } }] } : {};
}

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
  const where = newestFirstAfter(request.after);
  const rows = await query.find({ where, orderBy, take: request.limit + 1 });
  const items = rows.slice(0, request.limit);
  return { items, nextCursor: rows.length > request.limit ? encodeCursor(items[items.length - 1]!) : null };
}
