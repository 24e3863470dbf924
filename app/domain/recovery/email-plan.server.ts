// The dunning sequence asks the recovery's brain when a step's email goes (email-plan.ts), with the
// facts the engine's policy sees: the latest failure's classification, the plan, the emails so far.
import type { Tx } from "~/utils/db.server";
import { now } from "~/utils/clock.server";
import type { Recovery } from "../../../generated/prisma/client";
import { planSequenceEmail, type SequenceEmailPlan } from "./email-plan";
import { policyInputFor } from "./engine.server";
import { classifyFailure } from "./policy";
import { zoneOf } from "~/utils/customer-zone";

export async function planStepEmail(
  tx: Tx,
  recovery: Recovery,
  step: { dueAt: Date; lastEmailToCustomerAt: Date | null },
): Promise<SequenceEmailPlan> {
  const input = await policyInputFor(tx, recovery);
  const customerAttempts = input.cardAttempts.filter((a) => a.source === "customer").map((a) => a.at.getTime());
  const acted = Math.max(recovery.paymentMethodUpdatedAt?.getTime() ?? -Infinity, ...customerAttempts);
  return planSequenceEmail({
    classification: classifyFailure(input.failure),
    stepDueAt: step.dueAt,
    sentForRecovery: input.messages.map((m) => m.at),
    lastEmailToCustomerAt: step.lastEmailToCustomerAt,
    customerActedAt: Number.isFinite(acted) ? new Date(acted) : null,
    nextAction: { kind: recovery.nextActionKind, at: recovery.nextActionAt },
    zone: zoneOf(input.failure.customerTimezone, input.settings.fallbackTimezone),
    settings: input.settings,
    now: now(),
  });
}
