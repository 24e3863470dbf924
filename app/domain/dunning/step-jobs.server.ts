// The dunning-step job of one step for one recovery: its key, when it is due, and where waiting jobs
// go when their sequence is deleted. Its own module because both the sending side (messages.server.ts)
// and the sequence editor (sequences.server.ts, deleteSequence) need it, and neither owns the other.
import { setRecoverySequence } from "~/domain/recovery/commands.server";
import type { Tx } from "~/utils/db.server";
import { enqueue } from "~/utils/queue.server";
import { queues } from "../../../jobs/queues";
import { stepDueAt } from "./schedule";

/** The one dunning-step job of a step for a recovery: enqueueing it again is a no-op. */
export function stepJobKey(recoveryId: string, stepId: string): string {
  return `${recoveryId}:${stepId}`;
}

/**
 * A sequence is being deleted (inside `tx`): every recovery whose next email is a waiting
 * dunning-step job for one of its steps continues on `active`, at the first of its steps due no
 * earlier than the deleted step was (docs/decisions/0009-deleting-a-dunning-sequence.md). The old
 * job stays and ends as step_gone when it runs. Returns the recoveries handed over.
 */
export async function handOverWaitingSteps(input: {
  tx: Tx;
  deletedSteps: Array<{ id: string; delayHours: number }>;
  active: { id: string; steps: Array<{ id: string; delayHours: number }> };
}): Promise<string[]> {
  const { tx, deletedSteps, active } = input;
  if (deletedSteps.length === 0) return [];
  const waiting = await tx.$queryRawUnsafe<Array<{ recoveryId: string; stepId: string }>>(
    `SELECT DISTINCT data->>'recoveryId' AS "recoveryId", data->>'stepId' AS "stepId" FROM pgboss.job
      WHERE name = $1 AND state IN ('created', 'retry') AND data->>'stepId' = ANY($2::text[])`,
    queues.dunningStep.name,
    deletedSteps.map((s) => s.id),
  );
  const delayOf = new Map(deletedSteps.map((s) => [s.id, s.delayHours]));
  const open = await tx.recovery.findMany({
    where: { id: { in: [...new Set(waiting.map((w) => w.recoveryId))] }, status: "pending" },
    select: { id: true, startedAt: true, experimentParams: true },
  });
  const startedAt = new Map(open.map((r) => [r.id, r]));
  const handedOver: string[] = [];
  for (const { recoveryId, stepId } of waiting) {
    const started = startedAt.get(recoveryId);
    if (!started) continue;
    const next = active.steps.find((s) => s.delayHours >= (delayOf.get(stepId) ?? 0));
    if (!next) continue;
    await enqueue(
      queues.dunningStep,
      { recoveryId, stepId: next.id },
      { key: stepJobKey(recoveryId, next.id), startAfter: stepDueAt(started, next.delayHours), tx },
    );
    await setRecoverySequence(tx, { recoveryId, sequenceId: active.id });
    handedOver.push(recoveryId);
  }
  return handedOver;
}

