-- The customer's place (ADR 0048) and payment history (ADR 0049), for the retry policy.

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN "country" TEXT;

-- AlterTable
ALTER TABLE "RecoveryAttempt" ADD COLUMN "cardFunding" TEXT;

-- CreateTable
CREATE TABLE "CustomerPayment" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "externalCustomerId" TEXT NOT NULL,
    "paidAt" TIMESTAMP(3) NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "externalId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CustomerPayment_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "CustomerPayment_workspaceId_externalId_key" ON "CustomerPayment"("workspaceId", "externalId");

-- CreateIndex
CREATE INDEX "CustomerPayment_customer_paidAt_idx" ON "CustomerPayment"("workspaceId", "provider", "externalCustomerId", "paidAt");

-- AddForeignKey
ALTER TABLE "CustomerPayment" ADD CONSTRAINT "CustomerPayment_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
