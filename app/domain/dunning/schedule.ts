// The sequence's rhythm: when a step falls due. The spacing between emails and the rest of when an
// email goes is the recovery's brain's (app/domain/recovery/email-plan.ts). Pure, so the dunning
// jobs and anything replaying them on a virtual clock (the demo data, bench/recovery) agree.

import { emailDelayScale } from "~/domain/recovery/experiments";

const HOUR_MS = 3600_000;

/**
 * When a step falls due: delayHours after its recovery started (spacing and pauses may push it
 * later), scaled by the recovery's email-cadence experiment variant if it has one (ADR 0072).
 */
export function stepDueAt(recovery: { startedAt: Date; experimentParams?: unknown }, delayHours: number): Date {
  return new Date(recovery.startedAt.getTime() + Math.round(delayHours * emailDelayScale(recovery.experimentParams)) * HOUR_MS);
}
