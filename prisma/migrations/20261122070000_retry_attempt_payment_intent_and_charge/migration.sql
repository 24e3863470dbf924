-- AlterTable
ALTER TABLE "RetryAttempt" ADD COLUMN     "chargeId" TEXT,
ADD COLUMN     "paymentIntentId" TEXT;

-- CreateIndex
CREATE INDEX "RetryAttempt_workspaceId_paymentIntentId_idx" ON "RetryAttempt"("workspaceId", "paymentIntentId");

-- CreateIndex
CREATE INDEX "RetryAttempt_workspaceId_chargeId_idx" ON "RetryAttempt"("workspaceId", "chargeId");

