import type { SummaryWindow } from "~/domain/analytics/summary.server";

// What a page's server helper and its component both read. Kept here, beside the helpers, so
// components import the adapter and never the other way round (app/http ↔ app/components was a
// cycle); no server code, so the browser bundle can take it.

/** The period an overview shows when its URL names none. */
export const DEFAULT_WINDOW: SummaryWindow = "month";

/** The buttons of a recovery's page, as its form posts them in `intent`. */
export const RECOVERY_INTENTS = ["retry", "pause", "resume", "send_link"] as const;

export const RECOVERY_NOT_FOUND = "This recovery doesn't exist in this workspace. It may belong to another workspace, or the link is wrong.";

/**
 * A dashboard page's `<title>` ("Settings · Recoup", "Recovery in_123 · Recoup") and the frame's
 * robots rule, which a child route's `meta` would otherwise drop. Every dashboard route:
 * `export const meta: MetaFunction = () => dashboardMeta("Settings");` (most specific part first).
 */
export function dashboardMeta(...parts: string[]) {
  return [{ title: [...parts.filter(Boolean), "Recoup"].join(" · ") }, { name: "robots", content: "noindex, nofollow" }];
}
