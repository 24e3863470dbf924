-- Campaigns (issue 12, ADR 0070): a dunning sequence gains a lifecycle, a trigger, filters and a
-- precedence: its enrollments are rows. Existing sequences keep what they did: an enabled one is
-- active, a switched-off one paused, both claiming every failed payment.
ALTER TABLE "DunningSequence"
  ADD COLUMN "status" TEXT NOT NULL DEFAULT 'active',
  ADD COLUMN "trigger" TEXT NOT NULL DEFAULT 'payment_failed',
  ADD COLUMN "filters" JSONB NOT NULL DEFAULT '{}',
  ADD COLUMN "priority" INTEGER NOT NULL DEFAULT 100,
  ADD COLUMN "templateId" TEXT,
  ADD COLUMN "activatedAt" TIMESTAMP(3),
  ADD COLUMN "endedAt" TIMESTAMP(3);
UPDATE "DunningSequence" SET "status" = CASE WHEN "isEnabled" THEN 'active' ELSE 'paused' END,
  "activatedAt" = CASE WHEN "isEnabled" THEN "updatedAt" ELSE NULL END;
CREATE INDEX "DunningSequence_workspaceId_status_updatedAt_idx" ON "DunningSequence"("workspaceId", "status", "updatedAt");

ALTER TABLE "DunningStep" ADD COLUMN "channel" TEXT NOT NULL DEFAULT 'email';

ALTER TABLE "RecoveryAttempt" ADD COLUMN "planId" TEXT;

CREATE TABLE "CampaignEnrollment" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "recoveryId" TEXT,
    "status" TEXT NOT NULL DEFAULT 'active',
    "currentStep" INTEGER NOT NULL DEFAULT 0,
    "totalSteps" INTEGER NOT NULL,
    "endReason" TEXT,
    "enrolledAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "CampaignEnrollment_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "CampaignEnrollment_recoveryId_campaignId_key" ON "CampaignEnrollment"("recoveryId", "campaignId");
CREATE INDEX "CampaignEnrollment_campaignId_status_idx" ON "CampaignEnrollment"("campaignId", "status");
CREATE INDEX "CampaignEnrollment_workspaceId_enrolledAt_idx" ON "CampaignEnrollment"("workspaceId", "enrolledAt");
ALTER TABLE "CampaignEnrollment" ADD CONSTRAINT "CampaignEnrollment_campaignId_fkey" FOREIGN KEY ("campaignId") REFERENCES "DunningSequence"("id") ON DELETE CASCADE ON UPDATE CASCADE;
