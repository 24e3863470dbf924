// LostChurn's response format (seed 002, "Response Format"; ADR 0067): on LostChurn's paths every
// answer is `{data, meta: {merchant_id, timestamp}}`; a list adds `pagination` (offset pages) or
// `cursor` (keyset pages); an error is `{error: {code, message}}` with a stable upper-case code.
// Flow Arc's paths under /api/v1 keep Flow Arc's bare objects and `{error, message}`. Which paths
// speak LostChurn (`speaksLostChurn`), and its error body, are the HTTP layer's
// (~/http/lostchurn-errors.ts): every error answer under /api/v1 is shaped there, whoever raises it.

export interface Meta {
  /** The caller's workspace (LostChurn's merchant); null when no key was sent. */
  merchant_id: string | null;
  timestamp: string;
}

export function metaFor(merchantId: string | null, at = new Date()): Meta {
  return { merchant_id: merchantId, timestamp: at.toISOString().replace(/\.\d{3}Z$/, "Z") };
}

/** A list as the read models page it, on the wire (snake_case): `pageSchema(Item)`'s output. */
export interface WirePage {
  items: unknown[];
  next_cursor: string | null;
  page?: number;
  per_page?: number;
  total?: number;
  total_pages?: number;
}

/** `{data, meta}`; a page is `{data: [...], meta, pagination}` (offset) or `{data: [...], meta, cursor: {next}}`. */
export function envelope(data: unknown, meta: Meta, isPage: boolean): Record<string, unknown> {
  if (!isPage) return { data, meta };
  const page = data as WirePage;
  if (page.page !== undefined) {
    return {
      data: page.items,
      meta,
      pagination: { page: page.page, per_page: page.per_page, total: page.total, total_pages: page.total_pages },
    };
  }
  return { data: page.items, meta, cursor: { next: page.next_cursor } };
}
