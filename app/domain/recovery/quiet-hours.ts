// Quiet hours outside the retry policy's own planning, read on the same clock as the policy's
// retries: the zone `zoneOf` (app/utils/customer-zone.ts) gives.
import { DateTime } from "luxon";
import { inQuietHours, type RetrySettings } from "./policy";

/** When `at` falls inside quiet hours, the instant they end (the top of the first hour that is not quiet); else null. */
export function quietHoursEnd(at: Date, quiet: RetrySettings["quietHours"], zone: string): Date | null {
  const local = DateTime.fromJSDate(at, { zone });
  if (!inQuietHours(local.hour, quiet)) return null;
  const top = local.startOf("hour");
  // At most 23 quiet hours; a DST change can add one.
  for (let k = 1; k <= 26; k++) {
    const candidate = top.plus({ hours: k });
    if (!inQuietHours(candidate.hour, quiet)) return candidate.toJSDate();
  }
  return null;
}
