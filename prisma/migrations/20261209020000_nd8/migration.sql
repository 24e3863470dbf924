-- ND8 (issue 13, ADR 0076): the organization profile, checkout tokens on transactions, payment links with their
-- product snapshot, and short-lived access tokens for the dashboard endpoints.
ALTER TABLE "Workspace" ADD COLUMN     "contactEmail" TEXT,
ADD COLUMN     "priceMode" TEXT NOT NULL DEFAULT 'TAX_EXCLUSIVE',
ADD COLUMN     "telegram" TEXT,
ADD COLUMN     "website" TEXT;

ALTER TABLE "Transaction" ADD COLUMN     "checkoutToken" TEXT,
ADD COLUMN     "paymentLinkId" TEXT,
ADD COLUMN     "sandboxSimulate" TEXT,
ADD COLUMN     "isSetupTest" BOOLEAN NOT NULL DEFAULT false;

CREATE TABLE "PaymentLink" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "currency" TEXT NOT NULL,
    "pricingMode" TEXT,
    "products" JSONB NOT NULL,
    "amountMinor" INTEGER NOT NULL,
    "expiresAt" TIMESTAMP(3),
    "maxUses" INTEGER,
    "isActive" BOOLEAN NOT NULL DEFAULT true,
    "metadata" JSONB,
    "deletedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "PaymentLink_pkey" PRIMARY KEY ("id")
);

CREATE TABLE "AccessToken" (
    "id" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "hashedToken" TEXT NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "AccessToken_pkey" PRIMARY KEY ("id")
);

CREATE INDEX "PaymentLink_workspaceId_createdAt_id_idx" ON "PaymentLink"("workspaceId", "createdAt" DESC, "id" DESC);

CREATE UNIQUE INDEX "AccessToken_hashedToken_key" ON "AccessToken"("hashedToken");

CREATE INDEX "AccessToken_workspaceId_userId_idx" ON "AccessToken"("workspaceId", "userId");

CREATE UNIQUE INDEX "Transaction_checkoutToken_key" ON "Transaction"("checkoutToken");

CREATE INDEX "Transaction_paymentLinkId_createdAt_idx" ON "Transaction"("paymentLinkId", "createdAt");

ALTER TABLE "PaymentLink" ADD CONSTRAINT "PaymentLink_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "AccessToken" ADD CONSTRAINT "AccessToken_workspaceId_fkey" FOREIGN KEY ("workspaceId") REFERENCES "Workspace"("id") ON DELETE CASCADE ON UPDATE CASCADE;

