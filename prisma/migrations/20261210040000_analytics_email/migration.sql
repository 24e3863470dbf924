-- Analytics, second pass (ADR 0078): email figures per mode, a daily recovery rollup, all-time
-- totals per campaign and category, and the at-risk customers list, all kept by the rollup job.

-- EmailRollup counts per mode (the recovery's livemode): live and test emails never mix.
DELETE FROM "EmailRollup";
ALTER TABLE "EmailRollup" ADD COLUMN "livemode" BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE "EmailRollup" DROP CONSTRAINT "EmailRollup_pkey";
ALTER TABLE "EmailRollup" ADD CONSTRAINT "EmailRollup_pkey" PRIMARY KEY ("workspaceId", "livemode", "localHour", "campaignId", "recipientDomain");

-- EmailRollup summed per local day: every email read that is not by the hour.
CREATE TABLE "EmailDailyRollup" (
    "workspaceId" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "localDay" TIMESTAMP(3) NOT NULL,
    "campaignId" TEXT NOT NULL DEFAULT '',
    "recipientDomain" TEXT NOT NULL DEFAULT '',
    "sent" INTEGER NOT NULL,
    "delivered" INTEGER NOT NULL,
    "bounced" INTEGER NOT NULL,
    "complained" INTEGER NOT NULL,
    "opened" INTEGER NOT NULL,
    "clicked" INTEGER NOT NULL,
    "unsubscribed" INTEGER NOT NULL,
    CONSTRAINT "EmailDailyRollup_pkey" PRIMARY KEY ("workspaceId", "livemode", "localDay", "campaignId", "recipientDomain")
);

-- RecoveryRollup summed per local day: every read that is not by the hour.
CREATE TABLE "RecoveryDailyRollup" (
    "workspaceId" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "localDay" TIMESTAMP(3) NOT NULL,
    "currency" TEXT NOT NULL,
    "declineCategory" TEXT NOT NULL,
    "declineCode" TEXT NOT NULL DEFAULT '',
    "psp" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL DEFAULT '',
    "failedCount" INTEGER NOT NULL,
    "recoveredCount" INTEGER NOT NULL,
    "terminalCount" INTEGER NOT NULL,
    "activeCount" INTEGER NOT NULL,
    "failedMinor" BIGINT NOT NULL,
    "recoveredMinor" BIGINT NOT NULL,
    "activeMinor" BIGINT NOT NULL,
    CONSTRAINT "RecoveryDailyRollup_pkey" PRIMARY KEY ("workspaceId", "livemode", "localDay", "currency", "declineCategory", "declineCode", "psp", "campaignId")
);

-- Every day's rollup summed (whenever the recoveries failed): at-risk money and campaign results.
CREATE TABLE "RecoveryTotal" (
    "workspaceId" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "currency" TEXT NOT NULL,
    "declineCategory" TEXT NOT NULL,
    "campaignId" TEXT NOT NULL DEFAULT '',
    "failedCount" INTEGER NOT NULL,
    "recoveredCount" INTEGER NOT NULL,
    "terminalCount" INTEGER NOT NULL,
    "activeCount" INTEGER NOT NULL,
    "failedMinor" BIGINT NOT NULL,
    "recoveredMinor" BIGINT NOT NULL,
    "activeMinor" BIGINT NOT NULL,
    CONSTRAINT "RecoveryTotal_pkey" PRIMARY KEY ("workspaceId", "livemode", "currency", "declineCategory", "campaignId")
);

-- One row per customer with an open recovery, per mode: LostChurn's at-risk customers.
CREATE TABLE "AtRiskCustomer" (
    "workspaceId" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "customerId" TEXT NOT NULL,
    "openCount" INTEGER NOT NULL,
    "openMinor" JSONB NOT NULL,
    "lastFailureAt" TIMESTAMP(3) NOT NULL,
    "secondFailureAt" TIMESTAMP(3),
    "expiryDeclined" BOOLEAN NOT NULL,
    "highValue" BOOLEAN NOT NULL,
    CONSTRAINT "AtRiskCustomer_pkey" PRIMARY KEY ("workspaceId", "livemode", "customerId")
);
CREATE INDEX "AtRiskCustomer_recent_idx" ON "AtRiskCustomer" ("workspaceId", "livemode", "lastFailureAt" DESC, "customerId" DESC);
CREATE INDEX "AtRiskCustomer_repeat_idx" ON "AtRiskCustomer" ("workspaceId", "livemode", "secondFailureAt");
CREATE INDEX "AtRiskCustomer_high_value_idx" ON "AtRiskCustomer" ("workspaceId", "livemode", "lastFailureAt" DESC, "customerId" DESC) WHERE "highValue";
CREATE INDEX "AtRiskCustomer_expiry_idx" ON "AtRiskCustomer" ("workspaceId", "livemode", "lastFailureAt" DESC, "customerId" DESC) WHERE "expiryDeclined";

-- Build everything again on the next run (the new tables start empty, EmailRollup was emptied).
UPDATE "AnalyticsState" SET timezone = '';
