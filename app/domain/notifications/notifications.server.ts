// A member's in-app notifications (sent by the alerts' in-app channel through `notifyMembers`):
// what the bell counts and lists, and what the member marks as read. Every read and write is scoped to the
// signed-in member in their workspace: another member's row, or another workspace's, is never
// listed nor touched.
import { z } from "zod";
import { decodeCursor, newestFirstAfter, paginate, type PageRequest } from "~/domain/pagination.server";
import { now } from "~/utils/clock.server";
import { db, type Tx } from "~/utils/db.server";

/**
 * One notification to each of `userIds`, inside the caller's transaction; once per member and
 * `dedupeKey`, however often it is sent.
 */
export async function notifyMembers(input: { tx: Tx; workspaceId: string; userIds: readonly string[]; dedupeKey: string; title: string; body: string; link: string | null }) {
  await input.tx.notification.createMany({
    data: input.userIds.map((userId) => ({ workspaceId: input.workspaceId, userId, dedupeKey: input.dedupeKey, title: input.title, body: input.body, link: input.link, createdAt: now() })),
    skipDuplicates: true,
  });
}

/** Whose notifications: one member of one workspace. */
export interface Member {
  workspaceId: string;
  userId: string;
}

/** The most a page lists; the bell shows the first few of the first page. */
export const NOTIFICATION_PAGE_MAX = 50;

/** Ids the member marks as read in one go: a page's worth, cuids only. */
export const NotificationIdsSchema = z
  .array(z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "That isn't a notification of yours." }), { error: "Choose the notifications to mark as read." })
  .min(1, { error: "Choose the notifications to mark as read." })
  .max(NOTIFICATION_PAGE_MAX, { error: `Mark at most ${NOTIFICATION_PAGE_MAX} notifications at a time.` });

function notificationView(row: { id: string; title: string; body: string; link: string | null; createdAt: Date; readAt: Date | null }) {
  // A link leads inside the dashboard only: a stored absolute URL is not followed.
  const link = row.link && row.link.startsWith("/") && !row.link.startsWith("//") ? row.link : null;
  return { id: row.id, title: row.title, body: row.body, link, createdAt: row.createdAt.toISOString(), readAt: row.readAt ? row.readAt.toISOString() : null };
}
export type NotificationView = ReturnType<typeof notificationView>;

/**
 * Newest first, `limit` a page (1 to 50): after `cursor` (the previous answer's `nextCursor`), or
 * page `page` (from 1) with the total, as the notifications page numbers them.
 */
export async function listNotifications(input: Member & { cursor?: string | null; page?: number; limit?: number }) {
  const limit = Math.min(NOTIFICATION_PAGE_MAX, Math.max(1, Math.trunc(input.limit ?? 20)));
  const mine = { workspaceId: input.workspaceId, userId: input.userId };
  const request: PageRequest =
    input.page !== undefined
      ? { mode: "offset", page: Math.max(1, Math.trunc(input.page)), perPage: limit }
      : { mode: "cursor", limit, after: input.cursor ? decodeCursor(input.cursor) : null };
  const page = await paginate(request, {
    find: (args) => db().notification.findMany({ ...args, where: { ...args.where, ...mine } }),
    count: () => db().notification.count({ where: mine }),
  });
  return { items: page.items.map(notificationView), nextCursor: page.nextCursor, page: page.page ?? null, totalPages: page.totalPages ?? null, total: page.total ?? null };
}

/**
 * The member's notifications newest first, `limit` after `after` (the previous batch's last; null
 * for the newest), as stored: the whole list a batch at a time, for its export.
 */
export async function notificationsAfter(input: Member & { after: { createdAt: Date; id: string } | null; limit: number }) {
  return db().notification.findMany({
    where: {
      workspaceId: input.workspaceId,
      userId: input.userId,
      ...newestFirstAfter(input.after),
    },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.limit,
  });
}

/** How many notifications the member has, read or not. */
export async function countNotifications(input: Member): Promise<number> {
  return db().notification.count({ where: { workspaceId: input.workspaceId, userId: input.userId } });
}

/** How many of the member's notifications are unread: the bell's badge. */
export async function unreadCount(input: Member): Promise<number> {
  return db().notification.count({ where: { workspaceId: input.workspaceId, userId: input.userId, readAt: null } });
}

/** Marks the member's own unread notifications among `ids` as read; others' ids change nothing. Returns how many changed. */
export async function markRead(input: Member & { ids: readonly string[] }): Promise<number> {
  const { ids } = z.object({ ids: NotificationIdsSchema }).parse({ ids: input.ids });
  const { count } = await db().notification.updateMany({
    where: { id: { in: ids }, workspaceId: input.workspaceId, userId: input.userId, readAt: null },
    data: { readAt: now() },
  });
  return count;
}

/** Marks every unread notification of the member as read. Returns how many changed. */
export async function markAllRead(input: Member): Promise<number> {
  const { count } = await db().notification.updateMany({
    where: { workspaceId: input.workspaceId, userId: input.userId, readAt: null },
    data: { readAt: now() },
  });
  return count;
}
