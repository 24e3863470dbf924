// The dashboard's frame, server side: who is signed in, their workspace, and the bell (unread
// count and latest notifications), read again on every navigation and when the bell polls.
import { redirect } from "@remix-run/node";
import { outboxEnabled } from "~/domain/mail/outbox.server";
import { listNotifications, unreadCount, type Member } from "~/domain/notifications/notifications.server";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { findDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { currentZoneName } from "~/contracts/dashboard/time-zones";
import { signInUrlFor } from "~/http/redirect-to";
import { db } from "~/utils/db.server";

/** How many notifications the bell's popover lists; the notifications page has the rest. */
export const BELL_LATEST = 10;

/** The bell's data: the member's unread count and latest notifications, and when it was read (the newest wins). */
export async function bellOf(member: Member) {
  const [unread, latest] = await Promise.all([unreadCount(member), listNotifications({ ...member, limit: BELL_LATEST })]);
  return { unread, latest: latest.items, fetchedAt: Date.now() };
}
export type Bell = Awaited<ReturnType<typeof bellOf>>;

export async function dashboardFrame(request: Request) {
  const session = await findDashboardSession(request);
  // A browser goes to the sign-in page and comes back here afterwards.
  if (!session) throw redirect(signInUrlFor(request));
  const member = { workspaceId: session.workspaceId, userId: session.userId };
  const [workspace, user, bell] = await Promise.all([
    getWorkspace(session.workspaceId),
    db().user.findUnique({ where: { id: session.userId }, select: { email: true, name: true } }),
    bellOf(member),
  ]);
  return {
    // Shown under today's name even when saved under an old one (Asia/Calcutta → Asia/Kolkata).
    workspace: { id: workspace.id, name: workspace.name, timezone: currentZoneName(workspace.timezone) },
    user: { name: user?.name ?? user?.email ?? "Signed in", email: user?.email ?? "" },
    outbox: outboxEnabled(),
    bell,
  };
}
export type DashboardFrame = Awaited<ReturnType<typeof dashboardFrame>>;
