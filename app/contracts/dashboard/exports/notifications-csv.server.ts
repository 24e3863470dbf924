// The notifications page: the signed-in member's own notifications, read and unread.
import { csvDate } from "~/domain/exports/csv";
import { countNotifications, notificationsAfter, type Member } from "~/domain/notifications/notifications.server";
import { csvDownload, exportZone } from "./csv-response.server";

const NOTIFICATION_HEADER = ["notification_id", "title", "body", "read", "created_at", "read_at"];

/** The member's notifications, newest first: another member's are never in it. */
export async function exportNotificationsCsv(input: Member): Promise<Response> {
  const member = { workspaceId: input.workspaceId, userId: input.userId };
  const { zone, filename } = await exportZone(member.workspaceId, "notifications");
  const total = await countNotifications(member);
  return csvDownload({
    filename,
    header: NOTIFICATION_HEADER,
    total,
    fetch: (after: Awaited<ReturnType<typeof notificationsAfter>>[number] | null, size) => notificationsAfter({ ...member, after, limit: size }),
    toCells: (n) => [n.id, n.title, n.body, n.readAt !== null, csvDate(n.createdAt, zone), csvDate(n.readAt, zone)],
  });
}
