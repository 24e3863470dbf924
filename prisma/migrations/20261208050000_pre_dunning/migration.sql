-- Pre-dunning for expiring cards (issue 12, ADR 0074): cards on file with their expiry, and
-- enrollments that are about a card rather than a failed payment.
CREATE TABLE "CardExpiry" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "externalAccountId" TEXT NOT NULL,
    "externalCustomerId" TEXT NOT NULL,
    "paymentMethodId" TEXT NOT NULL,
    "brand" TEXT,
    "last4" TEXT,
    "expMonth" INTEGER NOT NULL,
    "expYear" INTEGER NOT NULL,
    "email" TEXT,
    "name" TEXT,
    "reportedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "CardExpiry_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CardExpiry_workspaceId_paymentMethodId_key" ON "CardExpiry"("workspaceId", "paymentMethodId");
CREATE INDEX "CardExpiry_workspaceId_expYear_expMonth_idx" ON "CardExpiry"("workspaceId", "expYear", "expMonth");

ALTER TABLE "CampaignEnrollment" ADD COLUMN "cardExpiryId" TEXT, ADD COLUMN "expiry" TEXT, ADD COLUMN "lastSentAt" TIMESTAMP(3);
CREATE UNIQUE INDEX "CampaignEnrollment_campaignId_cardExpiryId_expiry_key" ON "CampaignEnrollment"("campaignId", "cardExpiryId", "expiry");
