-- CreateTable
CREATE TABLE "RecoveryGoal" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "targetRate" DOUBLE PRECISION NOT NULL,
    "targetAmountCents" INTEGER,
    "period" TEXT NOT NULL DEFAULT 'monthly',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecoveryGoal_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryGoal_workspaceId_key" ON "RecoveryGoal"("workspaceId");

-- CreateIndex
CREATE INDEX "Customer_workspaceId_createdAt_id_idx" ON "Customer"("workspaceId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Customer_workspaceId_email_idx" ON "Customer"("workspaceId", "email");

-- CreateIndex
CREATE INDEX "RecoveryAttempt_customerId_createdAt_id_idx" ON "RecoveryAttempt"("customerId", "createdAt" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "RecoveryGoal" ADD CONSTRAINT "RecoveryGoal_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

