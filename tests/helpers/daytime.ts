// Recoup sends its own emails in the customer's daytime (app/domain/recovery/email-plan.ts). Tests
// that run on the real clock and expect an email to go at once put the customer (or workspace) in a
// zone where it is early afternoon now, so they pass at any hour of the day they run.
import { now } from "~/utils/clock.server";

/** An IANA zone (Etc/GMT±N) in which the local time is now between 12:00 and 13:00. */
export function zoneWhereItIsNoon(at: Date = now()): string {
  let offset = 12 - at.getUTCHours();
  if (offset < -12) offset += 24;
  if (offset > 14) offset -= 24;
  // Etc/GMT zones are named with the sign inverted: Etc/GMT-5 is UTC+5.
  return offset === 0 ? "Etc/UTC" : `Etc/GMT${offset > 0 ? "-" : "+"}${Math.abs(offset)}`;
}
