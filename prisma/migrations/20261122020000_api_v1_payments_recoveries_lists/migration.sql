-- AlterTable
ALTER TABLE "RecoveryAttempt" ADD COLUMN     "sequenceId" TEXT;

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_status_paused_startedAt_id_idx" ON "RecoveryAttempt"("workspaceId", "status", "paused", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_declineCategory_startedAt_id_idx" ON "RecoveryAttempt"("workspaceId", "declineCategory", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_sequenceId_startedAt_id_idx" ON "RecoveryAttempt"("workspaceId", "sequenceId", "startedAt" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "RecoveryAttempt" ADD CONSTRAINT "RecoveryAttempt_sequenceId_fkey" FOREIGN KEY ("sequenceId") REFERENCES "DunningSequence"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Backfill: a recovery follows the sequence of its latest sequence email.
UPDATE "RecoveryAttempt" r SET "sequenceId" = latest."sequenceId"
FROM (
  SELECT DISTINCT ON (m."recoveryAttemptId") m."recoveryAttemptId", s."sequenceId"
  FROM "DunningMessage" m JOIN "DunningStep" s ON s."id" = m."stepId"
  ORDER BY m."recoveryAttemptId", m."createdAt" DESC
) latest
WHERE latest."recoveryAttemptId" = r."id";
