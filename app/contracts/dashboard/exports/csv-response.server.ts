// The dashboard's CSV exports (docs/decisions/0079), as HTTP downloads: each list's export beside
// it in this folder, all answered the same way.
import { getWorkspace } from "~/domain/workspaces/workspaces.server";

/** An export as an HTTP download: an attachment, never cached, with the rows it expects to send. */
export function csvResponse(input: { filename: string; total: number; body: ReadableStream<Uint8Array> }): Response {
  return new Response(input.body, {
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
