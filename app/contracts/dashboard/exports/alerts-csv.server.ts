// The alerts page's "Recently sent": every dispatch of the workspace's rules.
import { countDispatches, listDispatches, type DispatchView } from "~/domain/alerts/history.server";
import { csvDate } from "~/domain/exports/csv";
import { csvDownload, exportZone } from "./csv-response.server";

const DISPATCH_HEADER = ["dispatch_id", "rule_id", "rule_name", "event_type", "channel", "status", "about", "events", "attempts", "error", "created_at", "sent_at"];

/** What the workspace's alert rules sent (or failed to), newest first. */
export async function exportAlertDispatchesCsv(input: { workspaceId: string }): Promise<Response> {
  const { workspaceId } = input;
  const { zone, filename } = await exportZone(workspaceId, "alerts");
  const total = await countDispatches({ workspaceId });
  return csvDownload({
    filename,
    header: DISPATCH_HEADER,
    total,
    fetch: (after: DispatchView | null, size) => listDispatches({ workspaceId, limit: size, after }),
    toCells: (d) => [
      d.id,
      d.ruleId,
      d.ruleName,
      d.eventType,
      d.channel,
      d.status,
      d.about,
      d.eventCount,
      d.attempts,
      d.error,
      csvDate(d.createdAt, zone),
      csvDate(d.sentAt, zone),
    ],
  });
}
