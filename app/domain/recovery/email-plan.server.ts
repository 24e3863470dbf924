// The dunning sequence asks the recovery's brain when a step's email goes (email-plan.ts), with the
// facts the engine's policy sees: the latest failure's classification, the plan, the emails so far.
import type { Tx } from "~/utils/db.server";
import { now } from "~/utils/clock.server";
import { zoneOf } from "~/utils/customer-zone";
import type { Customer, Recovery, Workspace } from "../../../generated/prisma/client";
import { planSequenceEmail, type SequenceEmailPlan } from "./email-plan";
import { customerEmailsOf, failureInputOf } from "./engine.server";
import { classifyFailure, retrySettingsFor } from "./policy";

/** The recovery as the dunning jobs load it: with its customer and workspace. */
type RecoveryWithParties = Recovery & { customer: Customer | null; workspace: Workspace };

export async function planStepEmail(
  tx: Tx,
  recovery: RecoveryWithParties,
  step: { dueAt: Date; lastEmailToCustomerAt: Date | null },
): Promise<SequenceEmailPlan> {
  const sent = await customerEmailsOf(tx, recovery.id);
  // The customer's own latest attempt on this debt (a payment they tried), or a new card.
  const tried = await tx.chargeAttempt.findFirst({
    where: { recoveryId: recovery.id, source: "customer" },
    orderBy: { attemptedAt: "desc" },
    select: { attemptedAt: true },
  });
  const acted = Math.max(recovery.paymentMethodUpdatedAt?.getTime() ?? -Infinity, tried?.attemptedAt.getTime() ?? -Infinity);
  const settings = retrySettingsFor(recovery.workspace);
  return planSequenceEmail({
    classification: classifyFailure(failureInputOf(recovery, recovery.customer)),
    stepDueAt: step.dueAt,
    sentForRecovery: sent.map((m) => m.at),
    lastEmailToCustomerAt: step.lastEmailToCustomerAt,
    customerActedAt: Number.isFinite(acted) ? new Date(acted) : null,
    nextAction: { kind: recovery.nextActionKind, at: recovery.nextActionAt },
    zone: zoneOf(recovery.customer?.timezone, recovery.workspace.timezone),
    settings,
    now: now(),
  });
}
