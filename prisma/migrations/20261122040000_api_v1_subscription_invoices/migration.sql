-- CreateIndex
CREATE INDEX "RecoveryAttempt_subscription_createdAt_id_idx" ON "RecoveryAttempt"("workspaceId", "stripeSubscriptionId", "createdAt" DESC, "id" DESC);
