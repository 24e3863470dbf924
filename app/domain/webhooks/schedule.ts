// Pure: when a failing delivery is tried again, and when an endpoint has failed long enough to be
// disabled (ADR 0080). Stripe's shape: exponential backoff over about three days.
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** After attempt n fails, attempt n+1 comes this much later: 1 min, 5 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h, 24 h. */
export const RETRY_DELAYS_MS: readonly number[] = [1 * MINUTE, 5 * MINUTE, 30 * MINUTE, 1 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, 24 * HOUR, 24 * HOUR];
/** Attempts of one delivery by the schedule (replays come on top): the first and nine retries, 70 h 36 min apart at the ends. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;
/** An endpoint none of whose attempts has succeeded for this long is disabled when one more delivery is given up. */
export const DISABLE_AFTER_MS = 72 * HOUR;

/** When attempt `attempt + 1` is due after attempt `attempt` failed at `at`; null when `attempt` was the last. */
export function nextAttemptAt(attempt: number, at: Date): Date | null {
  const delay = RETRY_DELAYS_MS[attempt - 1];
  return delay === undefined ? null : new Date(at.getTime() + delay);
}

/**
 * Whether an endpoint is disabled now that a delivery to it failed for good: every attempt to it has
 * failed since `failingSince` (a success clears it), for at least three days.
 */
export function shouldDisable(input: { failingSince: Date | null; at: Date }): boolean {
  return input.failingSince !== null && input.at.getTime() - input.failingSince.getTime() >= DISABLE_AFTER_MS;
}
