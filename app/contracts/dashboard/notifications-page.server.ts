// The notifications page and the bell, server side: the signed-in member's notifications, a page
// at a time, and marking them as read. Only the member's own rows: the domain scopes every query.
import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { listNotifications, markAllRead, markRead } from "~/domain/notifications/notifications.server";
import { getWorkspace } from "~/domain/workspaces/workspaces.server";
import { actionFailure, requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { bellOf } from "~/contracts/dashboard/frame.server";
import { currentZoneName } from "~/contracts/dashboard/time-zones";
import { readJson } from "~/http/body.server";

export const NOTIFICATIONS_PER_PAGE = 20;

// A hand-edited page number falls back to the first page rather than failing.
const PageQuerySchema = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1) });

export async function notificationsPageLoader({ request }: LoaderFunctionArgs) {
  const member = await requireDashboardSession(request);
  const { page } = PageQuerySchema.parse(Object.fromEntries(new URL(request.url).searchParams));
  const [workspace, list] = await Promise.all([getWorkspace(member.workspaceId), listNotifications({ ...member, page, limit: NOTIFICATIONS_PER_PAGE })]);
  return { ...list, timeZone: currentZoneName(workspace.timezone) };
}
export type NotificationsPageData = Awaited<ReturnType<typeof notificationsPageLoader>>;

/** The bell's poll: GET /dashboard/notifications/bell. */
export async function bellLoader({ request }: LoaderFunctionArgs) {
  const member = await requireDashboardSession(request);
  return bellOf(member);
}

const ReadSchema = z.discriminatedUnion(
  "intent",
  [z.object({ intent: z.literal("mark-read"), ids: z.unknown() }), z.object({ intent: z.literal("mark-all-read") })],
  { error: "Say what to mark as read: intent mark-read with ids, or mark-all-read." },
);

/** POST { intent: "mark-read", ids } or { intent: "mark-all-read" }: the member's own notifications only. */
export async function markReadAction({ request }: ActionFunctionArgs) {
  const member = await requireDashboardSession(request);
  try {
    const body = await readJson(request, ReadSchema);
    const marked = body.intent === "mark-all-read" ? await markAllRead(member) : await markRead({ ...member, ids: body.ids as string[] });
    return { ok: true as const, marked, toast: marked === 1 ? "1 notification marked as read" : `${marked} notifications marked as read` };
  } catch (error) {
    return actionFailure(error);
  }
}
export type MarkReadAction = typeof markReadAction;
