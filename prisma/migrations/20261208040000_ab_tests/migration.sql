-- Email A/B tests inside a campaign (issue 12, ADR 0073).
CREATE TABLE "AbTest" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL,
    "stepPosition" INTEGER NOT NULL DEFAULT 1,
    "trafficSplit" DOUBLE PRECISION NOT NULL DEFAULT 0.5,
    "variants" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "winner" TEXT,
    "evaluatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    CONSTRAINT "AbTest_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "AbTest_campaignId_status_idx" ON "AbTest"("campaignId", "status");
CREATE INDEX "AbTest_workspaceId_createdAt_idx" ON "AbTest"("workspaceId", "createdAt");

ALTER TABLE "DunningMessage" ADD COLUMN "abTestId" TEXT, ADD COLUMN "abVariant" TEXT;
CREATE INDEX "DunningMessage_abTestId_abVariant_idx" ON "DunningMessage"("abTestId", "abVariant");
