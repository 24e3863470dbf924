-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_status_declineCategory_startedA_idx" ON "RecoveryAttempt"("workspaceId", "status", "declineCategory", "startedAt" DESC, "id" DESC);
