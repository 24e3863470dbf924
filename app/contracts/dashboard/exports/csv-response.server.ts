// The dashboard's CSV exports (docs/decisions/0079), as HTTP downloads: each list's export beside
// it in this folder, all answered the same way.
import type { CsvCell } from "~/domain/exports/csv";
import { csvStream, keysetBatches } from "~/domain/exports/stream.server";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";

/**
 * A list as a CSV download: an attachment, never cached, saying the rows it expects to send, its
 * records read a keyset batch at a time (`fetch(after, size)`, the list's order) as the client reads.
 */
export function csvDownload<Row>(input: {
  filename: string;
  header: readonly string[];
  total: number;
  fetch: (after: Row | null, size: number) => Promise<Row[]>;
  toCells: (row: Row) => readonly CsvCell[];
}): Response {
  const body = csvStream({ header: input.header, batches: keysetBatches({ fetch: input.fetch, toCells: input.toCells }) });
  return new Response(body, {
    headers: {
      "Content-Type": "text/csv; charset=utf-8",
      "Content-Disposition": `attachment; filename="${input.filename}"`,
      "Cache-Control": "no-store",
      "X-Total-Rows": String(input.total),
      "X-Content-Type-Options": "nosniff",
    },
  });
}

/** The workspace's zone, and the file's name for a list: `<list>-<today there, YYYY-MM-DD>.csv`. */
export async function exportZone(workspaceId: string, list: string): Promise<{ zone: string; filename: string }> {
  const zone = (await getWorkspace(workspaceId)).timezone;
  const today = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
  return { zone, filename: `${list}-${today}.csv` };
}

/** Not this workspace's (or no such) thing to export from: the page's 404, in words. */
export function exportNotFound(message: string): Response {
  return new Response(message, { status: 404, headers: { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}
