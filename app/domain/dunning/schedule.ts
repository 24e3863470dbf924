// When a customer's emails may go: the sequence's rhythm and the spacing between any two emails.
// Pure (no clock, no database), so the dunning jobs and anything replaying them on a virtual clock
// (the demo data, bench/recovery) plan emails with the same rules.

const HOUR_MS = 3600_000;

/**
 * No two emails to one customer closer than this, whichever recoveries they are about, unless the
 * customer asked for the second (a reminder, a resumed sequence, the merchant's "send update link"
 * wait; a confirmation the customer requested does not). docs/decisions/0035-resume-replans-and-email-spacing.md
 */
export const MIN_EMAIL_SPACING_HOURS = 20;

/** When a step falls due: delayHours after its recovery started (spacing and pauses may push it later). */
export function stepDueAt(startedAt: Date, delayHours: number): Date {
  return new Date(startedAt.getTime() + delayHours * HOUR_MS);
}

/** The earliest moment another email may go to the customer: `at`, or the spacing after their last one. */
export function emailAllowedAt(at: Date, lastEmailAt: Date | null): Date {
  const spaced = lastEmailAt ? lastEmailAt.getTime() + MIN_EMAIL_SPACING_HOURS * HOUR_MS : 0;
  return new Date(Math.max(at.getTime(), spaced));
}
