import { AppError } from "~/domain/errors";
import { db } from "~/utils/db.server";
import { retryNow } from "./engine.server";

/** Revive's manual retry, by invoice id, answered in Revive's `payment` shape. */
export async function retryInvoiceNow(input: { workspaceId: string; invoiceId: string }) {
  const recovery = await db().recovery.findUnique({
    where: { workspaceId_externalId: { workspaceId: input.workspaceId, externalId: input.invoiceId } },
  });
  if (!recovery) throw new AppError("recovery_not_found", `No recovery for invoice ${input.invoiceId} in this workspace.`);
  const updated = await retryNow({ workspaceId: input.workspaceId, recoveryId: recovery.id });
  const retryCount = await db().chargeAttempt.count({ where: { recoveryId: recovery.id, source: "recoup" } });
  return {
    id: updated.id,
    status: "retrying",
    retryCount,
    nextRetryAt: updated.nextActionAt?.getTime() ?? null,
  };
}
