import { bellLoader, markReadAction } from "~/contracts/dashboard/notifications-page.server";

// GET /dashboard/notifications/bell: the bell's unread count and latest notifications (it polls).
// POST: mark the member's notifications as read ({ intent: "mark-read", ids } or "mark-all-read").
export const loader = bellLoader;
export const action = markReadAction;
