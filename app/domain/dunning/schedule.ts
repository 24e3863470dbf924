// The sequence's rhythm: when a step falls due. The spacing between emails and the rest of when an
// email goes is the recovery's brain's (app/domain/recovery/email-plan.ts). Pure, so the dunning
// jobs and anything replaying them on a virtual clock (the demo data, bench/recovery) agree.

const HOUR_MS = 3600_000;

/** When a step falls due: delayHours after its recovery started (spacing and pauses may push it later). */
export function stepDueAt(startedAt: Date, delayHours: number): Date {
  return new Date(startedAt.getTime() + delayHours * HOUR_MS);
}
