-- Collect (issue 13, ADR 0075): provider connections and routing, pay-links (Flow Arc's payment requests)
-- with their history, transactions through hosted checkout, refunds, and processors' webhook inbox.
CREATE TABLE "ProviderConnection" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'setup_incomplete',
    "livemode" BOOLEAN NOT NULL DEFAULT false,
    "stripeAccountId" TEXT,
    "apiKeyEncrypted" TEXT,
    "apiKeyLast4" TEXT,
    "webhookSecretEncrypted" TEXT,
    "verifiedAt" TIMESTAMP(3),
    "lastFailureAt" TIMESTAMP(3),
    "lastFailure" TEXT,
    "disconnectedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ProviderConnection_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "RoutingConfig" (
    "workspaceId" TEXT NOT NULL,
    "primaryConnectionId" TEXT,
    "secondaryConnectionId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "RoutingConfig_pkey" PRIMARY KEY ("workspaceId")
);

CREATE TABLE "PaymentRequest" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "shortCode" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "description" TEXT NOT NULL,
    "customerEmail" TEXT,
    "customerName" TEXT,
    "customerMobile" TEXT,
    "customerReference" TEXT,
    "expiresAt" TIMESTAMP(3),
    "providerOverrideId" TEXT,
    "fallbackTriggeredAt" TIMESTAMP(3),
    "status" TEXT NOT NULL DEFAULT 'open',
    "createdVia" TEXT NOT NULL,
    "createdByUserId" TEXT,
    "createdByApiKeyId" TEXT,
    "isSetupTest" BOOLEAN NOT NULL DEFAULT false,
    "livemode" BOOLEAN NOT NULL DEFAULT true,
    "recoveryId" TEXT,
    "paidTransactionId" TEXT,
    "succeededAt" TIMESTAMP(3),
    "cancelledAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaymentRequest_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "PaymentRequestEvent" (
    "id" TEXT NOT NULL,
    "paymentRequestId" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "connectionId" TEXT,
    "detail" TEXT,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PaymentRequestEvent_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Transaction" (
    "id" TEXT NOT NULL,
    "publicId" TEXT NOT NULL,
    "numericId" SERIAL NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "livemode" BOOLEAN NOT NULL,
    "source" TEXT NOT NULL,
    "paymentRequestId" TEXT,
    "providerPaymentId" TEXT,
    "checkoutUrl" TEXT,
    "checkoutExpiresAt" TIMESTAMP(3),
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'processing',
    "refundedMinor" INTEGER NOT NULL DEFAULT 0,
    "chargeRef" TEXT,
    "payerEmail" TEXT,
    "payerName" TEXT,
    "products" JSONB NOT NULL DEFAULT '[]',
    "attempts" JSONB NOT NULL DEFAULT '[]',
    "successUrl" TEXT,
    "failedUrl" TEXT,
    "cancelUrl" TEXT,
    "failure" TEXT,
    "paidAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Transaction_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "Refund" (
    "id" TEXT NOT NULL,
    "publicId" TEXT NOT NULL,
    "numericId" SERIAL NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "transactionId" TEXT NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "currency" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "providerRefundId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "Refund_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "ProviderEvent" (
    "id" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "connectionId" TEXT NOT NULL,
    "workspaceId" TEXT,
    "eventId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "ProviderEvent_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "ProviderConnection_workspaceId_createdAt_idx" ON "ProviderConnection"("workspaceId", "createdAt");

CREATE UNIQUE INDEX "ProviderConnection_workspaceId_stripeAccountId_key" ON "ProviderConnection"("workspaceId", "stripeAccountId");

CREATE UNIQUE INDEX "PaymentRequest_shortCode_key" ON "PaymentRequest"("shortCode");

CREATE INDEX "PaymentRequest_workspaceId_createdAt_id_idx" ON "PaymentRequest"("workspaceId", "createdAt" DESC, "id" DESC);

CREATE INDEX "PaymentRequest_workspaceId_status_createdAt_id_idx" ON "PaymentRequest"("workspaceId", "status", "createdAt" DESC, "id" DESC);

CREATE INDEX "PaymentRequest_recoveryId_idx" ON "PaymentRequest"("recoveryId");

CREATE INDEX "PaymentRequestEvent_paymentRequestId_at_idx" ON "PaymentRequestEvent"("paymentRequestId", "at");

CREATE UNIQUE INDEX "Transaction_publicId_key" ON "Transaction"("publicId");

CREATE UNIQUE INDEX "Transaction_numericId_key" ON "Transaction"("numericId");

CREATE INDEX "Transaction_workspaceId_createdAt_id_idx" ON "Transaction"("workspaceId", "createdAt" DESC, "id" DESC);

CREATE INDEX "Transaction_paymentRequestId_idx" ON "Transaction"("paymentRequestId");

CREATE UNIQUE INDEX "Transaction_connectionId_providerPaymentId_key" ON "Transaction"("connectionId", "providerPaymentId");

CREATE UNIQUE INDEX "Refund_publicId_key" ON "Refund"("publicId");

CREATE UNIQUE INDEX "Refund_numericId_key" ON "Refund"("numericId");

CREATE INDEX "Refund_workspaceId_createdAt_id_idx" ON "Refund"("workspaceId", "createdAt" DESC, "id" DESC);

CREATE INDEX "Refund_transactionId_idx" ON "Refund"("transactionId");

CREATE INDEX "ProviderEvent_status_receivedAt_idx" ON "ProviderEvent"("status", "receivedAt");

CREATE UNIQUE INDEX "ProviderEvent_connectionId_eventId_key" ON "ProviderEvent"("connectionId", "eventId");

ALTER TABLE "ProviderConnection" ADD CONSTRAINT "ProviderConnection_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "RoutingConfig" ADD CONSTRAINT "RoutingConfig_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "PaymentRequest" ADD CONSTRAINT "PaymentRequest_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "PaymentRequestEvent" ADD CONSTRAINT "PaymentRequestEvent_paymentRequestId_fkey" FOREIGN KEY ("paymentRequestId") REFERENCES "PaymentRequest"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Transaction" ADD CONSTRAINT "Transaction_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "Refund" ADD CONSTRAINT "Refund_transactionId_fkey" FOREIGN KEY ("transactionId") REFERENCES "Transaction"("id") ON DELETE CASCADE ON UPDATE CASCADE;

