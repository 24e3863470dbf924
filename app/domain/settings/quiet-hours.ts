// Quiet hours outside the retry policy's own planning: the emails Recoup sends on its own are held
// until they end, read on the same clock as the policy's retries (policy.ts makeContext): the
// customer's timezone when known and valid, else the workspace's, else UTC.
import { DateTime, IANAZone } from "luxon";
import { DEFAULT_RETRY_SETTINGS, type RetrySettings } from "~/domain/recovery/policy";

export type QuietHours = { start: number; end: number } | null;

/** The workspace's quiet hours as the engine reads them (retrySettingsFor), without importing the engine. */
export function workspaceQuietHours(workspace: { retrySettings: unknown }): QuietHours {
  const stored = workspace.retrySettings && typeof workspace.retrySettings === "object" ? (workspace.retrySettings as Partial<RetrySettings>) : {};
  return { ...DEFAULT_RETRY_SETTINGS, ...stored }.quietHours ?? null;
}

export function quietZone(customerTimezone: string | null | undefined, workspaceTimezone: string | null | undefined): string {
  for (const zone of [customerTimezone, workspaceTimezone]) if (zone && IANAZone.isValidZone(zone)) return zone;
  return "UTC";
}

function isQuiet(hour: number, quiet: NonNullable<QuietHours>): boolean {
  return quiet.start < quiet.end ? hour >= quiet.start && hour < quiet.end : hour >= quiet.start || hour < quiet.end;
}

/** When `at` falls inside quiet hours, the instant they end (the top of the first hour that is not quiet); else null. */
export function quietHoursEnd(at: Date, quiet: QuietHours, zone: string): Date | null {
  if (!quiet || quiet.start === quiet.end) return null;
  const local = DateTime.fromJSDate(at, { zone });
  if (!isQuiet(local.hour, quiet)) return null;
  const top = local.startOf("hour");
  // At most 23 quiet hours; a DST change can add one.
  for (let k = 1; k <= 26; k++) {
    const candidate = top.plus({ hours: k });
    if (!isQuiet(candidate.hour, quiet)) return candidate.toJSDate();
  }
  return null;
}
