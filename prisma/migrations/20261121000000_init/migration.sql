-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "BillingPlan" AS ENUM ('starter', 'pro', 'growth');

-- CreateEnum
CREATE TYPE "RecoveryStatus" AS ENUM ('pending', 'recovered', 'failed', 'abandoned');

-- CreateEnum
CREATE TYPE "DeclineType" AS ENUM ('soft', 'hard');

-- CreateEnum
CREATE TYPE "OutcomeKind" AS ENUM ('recovered', 'failed', 'abandoned');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('scheduled', 'sending', 'sent', 'opened', 'clicked', 'converted', 'failed', 'skipped');

-- CreateTable
CREATE TABLE "Workspace" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "ownerUserId" TEXT NOT NULL,
    "timezone" TEXT NOT NULL DEFAULT 'UTC',
    "billingPlan" "BillingPlan" NOT NULL DEFAULT 'starter',
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "isDemo" BOOLEAN NOT NULL DEFAULT false,
    "currency" TEXT NOT NULL DEFAULT 'usd',
    "retrySettings" JSONB,
    "senderName" TEXT,
    "replyTo" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Workspace_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT,
    "name" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Membership" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" TEXT NOT NULL DEFAULT 'owner',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Membership_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignInToken" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SignInToken_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DashboardSession" (
    "id" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DashboardSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiKey" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "prefix" TEXT NOT NULL,
    "hashedKey" TEXT NOT NULL,
    "scopes" TEXT[],
    "livemode" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "expiresAt" TIMESTAMP(3),

    CONSTRAINT "ApiKey_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "OAuthState" (
    "id" TEXT NOT NULL,
    "stateHash" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "provider" TEXT NOT NULL DEFAULT 'stripe',
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "usedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "OAuthState_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ConnectedStripeAccount" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "stripeAccountId" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "scopes" TEXT[],
    "accessTokenEncrypted" TEXT NOT NULL,
    "refreshTokenEncrypted" TEXT,
    "publishableKey" TEXT,
    "connectedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "disconnectedAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ConnectedStripeAccount_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "StripeEvent" (
    "id" TEXT NOT NULL,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "stripeAccountId" TEXT,
    "workspaceId" TEXT,
    "livemode" BOOLEAN NOT NULL,
    "eventCreatedAt" TIMESTAMP(3) NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "StripeEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Customer" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "provider" TEXT NOT NULL DEFAULT 'stripe',
    "externalId" TEXT NOT NULL,
    "email" TEXT,
    "name" TEXT,
    "timezone" TEXT,
    "defaultPaymentMethodId" TEXT,
    "paymentMethodUpdatedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Customer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryAttempt" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "provider" TEXT NOT NULL DEFAULT 'stripe',
    "stripeAccountId" TEXT,
    "stripeInvoiceId" TEXT NOT NULL,
    "stripeCustomerId" TEXT NOT NULL,
    "stripeSubscriptionId" TEXT,
    "customerId" TEXT,
    "declineType" "DeclineType" NOT NULL,
    "declineCategory" TEXT,
    "errorCode" TEXT,
    "declineCode" TEXT,
    "adviceCode" TEXT,
    "networkDeclineCode" TEXT,
    "networkAdviceCode" TEXT,
    "failureMessage" TEXT,
    "status" "RecoveryStatus" NOT NULL DEFAULT 'pending',
    "amountDueCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "recoveredAmountCents" INTEGER,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "endedAt" TIMESTAMP(3),
    "cardFingerprint" TEXT,
    "cardBrand" TEXT,
    "cardLast4" TEXT,
    "hostedInvoiceUrl" TEXT,
    "nextActionKind" TEXT,
    "nextActionAt" TIMESTAMP(3),
    "nextActionReason" TEXT,
    "paused" BOOLEAN NOT NULL DEFAULT false,
    "pausedAt" TIMESTAMP(3),
    "platformAttemptCount" INTEGER NOT NULL DEFAULT 0,
    "platformNextAttemptAt" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3) NOT NULL,
    "paymentMethodUpdatedAt" TIMESTAMP(3),
    "recoupRetryCount" INTEGER NOT NULL DEFAULT 0,
    "linkUsedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecoveryAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RetryAttempt" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "recoveryAttemptId" TEXT NOT NULL,
    "attemptNumber" INTEGER NOT NULL,
    "source" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "declineCode" TEXT,
    "errorCode" TEXT,
    "adviceCode" TEXT,
    "networkDeclineCode" TEXT,
    "networkAdviceCode" TEXT,
    "errorMessage" TEXT,
    "cardFingerprint" TEXT,
    "amountCents" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "attemptedAt" TIMESTAMP(3) NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RetryAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RecoveryOutcome" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "recoveryAttemptId" TEXT NOT NULL,
    "outcome" "OutcomeKind" NOT NULL,
    "reasonCode" TEXT,
    "occurredAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RecoveryOutcome_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DunningSequence" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "isEnabled" BOOLEAN NOT NULL DEFAULT true,
    "isDefault" BOOLEAN NOT NULL DEFAULT false,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DunningSequence_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DunningStep" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "sequenceId" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    "delayHours" INTEGER NOT NULL,
    "subjectTemplate" TEXT NOT NULL,
    "bodyTemplate" TEXT NOT NULL,

    CONSTRAINT "DunningStep_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "DunningMessage" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "recoveryAttemptId" TEXT NOT NULL,
    "stepId" TEXT,
    "kind" TEXT NOT NULL,
    "dedupeKey" TEXT NOT NULL,
    "toEmail" TEXT,
    "subject" TEXT NOT NULL,
    "bodyText" TEXT NOT NULL,
    "bodyHtml" TEXT NOT NULL,
    "status" "MessageStatus" NOT NULL DEFAULT 'scheduled',
    "scheduledFor" TIMESTAMP(3) NOT NULL,
    "sentAt" TIMESTAMP(3),
    "openedAt" TIMESTAMP(3),
    "clickedAt" TIMESTAMP(3),
    "convertedAt" TIMESTAMP(3),
    "transport" TEXT,
    "providerMessageId" TEXT,
    "trackingId" TEXT NOT NULL,
    "error" TEXT,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DunningMessage_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SubscriptionAtRisk" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "stripeCustomerId" TEXT NOT NULL,
    "stripeSubscriptionId" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "riskDetectedAt" TIMESTAMP(3) NOT NULL,
    "expirationDate" TIMESTAMP(3),
    "activeRecoveryAttemptId" TEXT,
    "resolvedAt" TIMESTAMP(3),

    CONSTRAINT "SubscriptionAtRisk_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "MetricSnapshot" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "periodStart" TIMESTAMP(3) NOT NULL,
    "periodEnd" TIMESTAMP(3) NOT NULL,
    "currency" TEXT NOT NULL,
    "failedRevenueCents" INTEGER NOT NULL,
    "recoveredRevenueCents" INTEGER NOT NULL,
    "recoveryRate" DOUBLE PRECISION NOT NULL,
    "atRiskCount" INTEGER NOT NULL,
    "generatedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "MetricSnapshot_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE UNIQUE INDEX "Membership_workspaceId_userId_key" ON "Membership"("workspaceId", "userId");

-- CreateIndex
CREATE UNIQUE INDEX "SignInToken_tokenHash_key" ON "SignInToken"("tokenHash");

-- CreateIndex
CREATE UNIQUE INDEX "DashboardSession_tokenHash_key" ON "DashboardSession"("tokenHash");

-- CreateIndex
CREATE INDEX "DashboardSession_workspaceId_idx" ON "DashboardSession"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "ApiKey_hashedKey_key" ON "ApiKey"("hashedKey");

-- CreateIndex
CREATE INDEX "ApiKey_workspaceId_idx" ON "ApiKey"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "OAuthState_stateHash_key" ON "OAuthState"("stateHash");

-- CreateIndex
CREATE INDEX "OAuthState_workspaceId_idx" ON "OAuthState"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "ConnectedStripeAccount_stripeAccountId_key" ON "ConnectedStripeAccount"("stripeAccountId");

-- CreateIndex
CREATE INDEX "ConnectedStripeAccount_workspaceId_idx" ON "ConnectedStripeAccount"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "StripeEvent_eventId_key" ON "StripeEvent"("eventId");

-- CreateIndex
CREATE INDEX "StripeEvent_workspaceId_receivedAt_idx" ON "StripeEvent"("workspaceId", "receivedAt");

-- CreateIndex
CREATE INDEX "StripeEvent_status_receivedAt_idx" ON "StripeEvent"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "Customer_workspaceId_provider_externalId_key" ON "Customer"("workspaceId", "provider", "externalId");

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_startedAt_id_idx" ON "RecoveryAttempt"("workspaceId", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_status_startedAt_id_idx" ON "RecoveryAttempt"("workspaceId", "status", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_endedAt_idx" ON "RecoveryAttempt"("workspaceId", "endedAt");

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_cardFingerprint_idx" ON "RecoveryAttempt"("workspaceId", "cardFingerprint");

-- CreateIndex
CREATE INDEX "RecoveryAttempt_workspaceId_stripeCustomerId_idx" ON "RecoveryAttempt"("workspaceId", "stripeCustomerId");

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryAttempt_workspaceId_stripeInvoiceId_key" ON "RecoveryAttempt"("workspaceId", "stripeInvoiceId");

-- CreateIndex
CREATE UNIQUE INDEX "RetryAttempt_idempotencyKey_key" ON "RetryAttempt"("idempotencyKey");

-- CreateIndex
CREATE INDEX "RetryAttempt_workspaceId_cardFingerprint_attemptedAt_idx" ON "RetryAttempt"("workspaceId", "cardFingerprint", "attemptedAt");

-- CreateIndex
CREATE INDEX "RetryAttempt_recoveryAttemptId_attemptedAt_idx" ON "RetryAttempt"("recoveryAttemptId", "attemptedAt");

-- CreateIndex
CREATE UNIQUE INDEX "RecoveryOutcome_recoveryAttemptId_key" ON "RecoveryOutcome"("recoveryAttemptId");

-- CreateIndex
CREATE INDEX "RecoveryOutcome_workspaceId_occurredAt_idx" ON "RecoveryOutcome"("workspaceId", "occurredAt");

-- CreateIndex
CREATE INDEX "DunningSequence_workspaceId_isEnabled_updatedAt_idx" ON "DunningSequence"("workspaceId", "isEnabled", "updatedAt");

-- CreateIndex
CREATE INDEX "DunningStep_sequenceId_position_idx" ON "DunningStep"("sequenceId", "position");

-- CreateIndex
CREATE UNIQUE INDEX "DunningMessage_trackingId_key" ON "DunningMessage"("trackingId");

-- CreateIndex
CREATE INDEX "DunningMessage_workspaceId_createdAt_idx" ON "DunningMessage"("workspaceId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "DunningMessage_recoveryAttemptId_dedupeKey_key" ON "DunningMessage"("recoveryAttemptId", "dedupeKey");

-- CreateIndex
CREATE INDEX "SubscriptionAtRisk_workspaceId_resolvedAt_idx" ON "SubscriptionAtRisk"("workspaceId", "resolvedAt");

-- CreateIndex
CREATE UNIQUE INDEX "SubscriptionAtRisk_workspaceId_stripeSubscriptionId_reason_key" ON "SubscriptionAtRisk"("workspaceId", "stripeSubscriptionId", "reason");

-- CreateIndex
CREATE UNIQUE INDEX "MetricSnapshot_workspaceId_periodStart_periodEnd_key" ON "MetricSnapshot"("workspaceId", "periodStart", "periodEnd");

-- AddForeignKey
ALTER TABLE "Workspace" ADD CONSTRAINT "Workspace_ownerUserId_fkey" FOREIGN KEY ("ownerUserId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Membership" ADD CONSTRAINT "Membership_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SignInToken" ADD CONSTRAINT "SignInToken_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DashboardSession" ADD CONSTRAINT "DashboardSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ApiKey" ADD CONSTRAINT "ApiKey_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ConnectedStripeAccount" ADD CONSTRAINT "ConnectedStripeAccount_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Customer" ADD CONSTRAINT "Customer_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryAttempt" ADD CONSTRAINT "RecoveryAttempt_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryAttempt" ADD CONSTRAINT "RecoveryAttempt_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RetryAttempt" ADD CONSTRAINT "RetryAttempt_recoveryAttemptId_fkey" FOREIGN KEY ("recoveryAttemptId") REFERENCES "RecoveryAttempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "RecoveryOutcome" ADD CONSTRAINT "RecoveryOutcome_recoveryAttemptId_fkey" FOREIGN KEY ("recoveryAttemptId") REFERENCES "RecoveryAttempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DunningSequence" ADD CONSTRAINT "DunningSequence_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DunningStep" ADD CONSTRAINT "DunningStep_sequenceId_fkey" FOREIGN KEY ("sequenceId") REFERENCES "DunningSequence"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "DunningMessage" ADD CONSTRAINT "DunningMessage_recoveryAttemptId_fkey" FOREIGN KEY ("recoveryAttemptId") REFERENCES "RecoveryAttempt"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SubscriptionAtRisk" ADD CONSTRAINT "SubscriptionAtRisk_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "MetricSnapshot" ADD CONSTRAINT "MetricSnapshot_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

