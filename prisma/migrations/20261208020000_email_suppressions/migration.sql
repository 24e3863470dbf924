-- Email suppressions (issue 12, ADR 0071): addresses a workspace no longer emails, each provider's
-- webhook secret (encrypted), and the verified bounces and complaints waiting in the inbox.
CREATE TABLE "EmailSuppression" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "detail" TEXT,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "liftedAt" TIMESTAMP(3),
    "liftedBy" TEXT,
    CONSTRAINT "EmailSuppression_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "EmailSuppression_workspaceId_email_idx" ON "EmailSuppression"("workspaceId", "email");
CREATE INDEX "EmailSuppression_workspaceId_createdAt_id_idx" ON "EmailSuppression"("workspaceId", "createdAt" DESC, "id" DESC);
-- One active suppression per address and workspace: a second insert is ON CONFLICT DO NOTHING.
-- Partial, so lifted rows stay as history. Prisma 6 cannot declare it, so it lives here only.
CREATE UNIQUE INDEX "EmailSuppression_active_workspaceId_email_key" ON "EmailSuppression"("workspaceId", "email") WHERE "active";
ALTER TABLE "EmailSuppression" ADD CONSTRAINT "EmailSuppression_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "EmailProviderWebhook" (
    "workspaceId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "secretEnc" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "EmailProviderWebhook_pkey" PRIMARY KEY ("workspaceId","provider")
);
ALTER TABLE "EmailProviderWebhook" ADD CONSTRAINT "EmailProviderWebhook_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

CREATE TABLE "EmailProviderEvent" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "provider" TEXT NOT NULL,
    "eventKey" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),
    CONSTRAINT "EmailProviderEvent_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "EmailProviderEvent_workspaceId_receivedAt_idx" ON "EmailProviderEvent"("workspaceId", "receivedAt");
CREATE UNIQUE INDEX "EmailProviderEvent_workspaceId_provider_eventKey_key" ON "EmailProviderEvent"("workspaceId", "provider", "eventKey");
ALTER TABLE "EmailProviderEvent" ADD CONSTRAINT "EmailProviderEvent_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;
