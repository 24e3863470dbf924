-- AlterTable
ALTER TABLE "WebhookEndpoint" ADD COLUMN     "consecutiveFailures" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "disabledAt" TIMESTAMP(3),
ADD COLUMN     "disabledReason" TEXT,
ADD COLUMN     "failingSince" TIMESTAMP(3),
ADD COLUMN     "previousSecretEncrypted" TEXT,
ADD COLUMN     "previousSecretExpiresAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "WebhookEvent" ADD COLUMN     "alertEventType" TEXT,
ADD COLUMN     "amountMinor" INTEGER,
ADD COLUMN     "currency" TEXT,
ADD COLUMN     "failureCode" TEXT,
ADD COLUMN     "paymentMethod" TEXT,
ADD COLUMN     "provider" TEXT,
ADD COLUMN     "summary" TEXT;

-- AlterTable
ALTER TABLE "WebhookDelivery" ADD COLUMN     "lastAttemptAt" TIMESTAMP(3),
ADD COLUMN     "lastResponseBody" TEXT,
ADD COLUMN     "lastResponseTimeMs" INTEGER,
ADD COLUMN     "nextAttemptAt" TIMESTAMP(3),
ADD COLUMN     "replays" INTEGER NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "WebhookDeliveryAttempt" (
    "id" TEXT NOT NULL,
    "deliveryId" TEXT NOT NULL,
    "attemptNumber" INTEGER NOT NULL,
    "replay" BOOLEAN NOT NULL DEFAULT false,
    "statusCode" INTEGER,
    "responseTimeMs" INTEGER,
    "responseBody" TEXT,
    "error" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "WebhookDeliveryAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertRule" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "eventType" TEXT NOT NULL,
    "channel" TEXT NOT NULL,
    "cadence" TEXT NOT NULL DEFAULT 'realtime',
    "filter" JSONB NOT NULL DEFAULT '{}',
    "recipientEmails" TEXT[],
    "recipientPhones" TEXT[],
    "recipientRoles" TEXT[],
    "webhookEndpointId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AlertRule_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AlertDispatch" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "ruleId" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "eventId" TEXT,
    "channel" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "eventCount" INTEGER NOT NULL DEFAULT 1,
    "periodStart" TIMESTAMP(3),
    "periodEnd" TIMESTAMP(3),
    "results" JSONB,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sentAt" TIMESTAMP(3),

    CONSTRAINT "AlertDispatch_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Notification" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "title" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "link" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "readAt" TIMESTAMP(3),

    CONSTRAINT "Notification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryRollup" (
    "workspaceId" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "localHour" TIMESTAMP(3) NOT NULL,
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

    CONSTRAINT "RecoveryRollup_pkey" PRIMARY KEY ("workspaceId","livemode","localHour","currency","declineCategory","declineCode","psp","campaignId")
);

-- CreateTable
CREATE TABLE "EmailRollup" (
    "workspaceId" TEXT NOT NULL,
    "localHour" TIMESTAMP(3) NOT NULL,
    "campaignId" TEXT NOT NULL DEFAULT '',
    "recipientDomain" TEXT NOT NULL DEFAULT '',
    "sent" INTEGER NOT NULL,
    "delivered" INTEGER NOT NULL,
    "bounced" INTEGER NOT NULL,
    "complained" INTEGER NOT NULL,
    "opened" INTEGER NOT NULL,
    "clicked" INTEGER NOT NULL,
    "unsubscribed" INTEGER NOT NULL,

    CONSTRAINT "EmailRollup_pkey" PRIMARY KEY ("workspaceId","localHour","campaignId","recipientDomain")
);

-- CreateTable
CREATE TABLE "AnalyticsState" (
    "workspaceId" TEXT NOT NULL,
    "timezone" TEXT NOT NULL,
    "recoveriesThrough" TIMESTAMP(3) NOT NULL,
    "emailsThrough" TIMESTAMP(3) NOT NULL,
    "rebuiltAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AnalyticsState_pkey" PRIMARY KEY ("workspaceId")
);

-- CreateIndex
CREATE UNIQUE INDEX "WebhookDeliveryAttempt_deliveryId_attemptNumber_key" ON "WebhookDeliveryAttempt"("deliveryId", "attemptNumber");

-- CreateIndex
CREATE INDEX "AlertRule_workspaceId_createdAt_id_idx" ON "AlertRule"("workspaceId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "AlertRule_workspaceId_eventType_enabled_idx" ON "AlertRule"("workspaceId", "eventType", "enabled");

-- CreateIndex
CREATE INDEX "AlertDispatch_workspaceId_createdAt_idx" ON "AlertDispatch"("workspaceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "AlertDispatch_ruleId_dedupeKey_key" ON "AlertDispatch"("ruleId", "dedupeKey");

-- CreateIndex
CREATE INDEX "Notification_workspaceId_userId_createdAt_id_idx" ON "Notification"("workspaceId", "userId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "Notification_workspaceId_userId_readAt_idx" ON "Notification"("workspaceId", "userId", "readAt");

-- CreateIndex
CREATE UNIQUE INDEX "Notification_userId_dedupeKey_key" ON "Notification"("userId", "dedupeKey");

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspace_updatedAt_idx" ON "RecoveryAttempt"("workspaceId", "updatedAt");

-- CreateIndex
CREATE INDEX "DunningMessage_workspaceId_updatedAt_idx" ON "DunningMessage"("workspaceId", "updatedAt");

-- CreateIndex
CREATE INDEX "WebhookEvent_workspaceId_alertEventType_createdAt_idx" ON "WebhookEvent"("workspaceId", "alertEventType", "createdAt");

-- CreateIndex
CREATE INDEX "WebhookDelivery_log_idx" ON "WebhookDelivery"("workspaceId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "WebhookDelivery_log_endpoint_idx" ON "WebhookDelivery"("workspaceId", "endpointId", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "WebhookDelivery_log_status_idx" ON "WebhookDelivery"("workspaceId", "status", "createdAt" DESC, "id" DESC);

-- AddForeignKey
ALTER TABLE "WebhookDeliveryAttempt" ADD CONSTRAINT "WebhookDeliveryAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertRule" ADD CONSTRAINT "AlertRule_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertRule" ADD CONSTRAINT "AlertRule_webhookEndpointId_fkey" FOREIGN KEY ("webhookEndpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AlertDispatch" ADD CONSTRAINT "AlertDispatch_ruleId_fkey" FOREIGN KEY ("ruleId") REFERENCES "AlertRule"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- Dashboard search (ADR 0079): customer name and email by any part, through trigram indexes.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX IF NOT EXISTS "Customer_email_trgm_idx" ON "Customer" USING GIN ("email" gin_trgm_ops);
CREATE INDEX IF NOT EXISTS "Customer_name_trgm_idx" ON "Customer" USING GIN ("name" gin_trgm_ops);
