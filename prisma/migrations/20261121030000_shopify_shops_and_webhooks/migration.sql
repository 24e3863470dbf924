-- CreateTable
CREATE TABLE "ShopifyShop" (
    "id" TEXT NOT NULL,
    "shopDomain" TEXT NOT NULL,
    "workspaceId" TEXT NOT NULL,
    "installedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "uninstalledAt" TIMESTAMP(3),
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ShopifyShop_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ShopifyWebhook" (
    "id" TEXT NOT NULL,
    "webhookId" TEXT NOT NULL,
    "topic" TEXT NOT NULL,
    "shopDomain" TEXT NOT NULL,
    "workspaceId" TEXT,
    "apiVersion" TEXT,
    "payload" JSONB NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'pending',
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "lastError" TEXT,
    "receivedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "processedAt" TIMESTAMP(3),

    CONSTRAINT "ShopifyWebhook_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ShopifyShop_shopDomain_key" ON "ShopifyShop"("shopDomain");

-- CreateIndex
CREATE INDEX "ShopifyShop_workspaceId_idx" ON "ShopifyShop"("workspaceId");

-- CreateIndex
CREATE UNIQUE INDEX "ShopifyWebhook_webhookId_key" ON "ShopifyWebhook"("webhookId");

-- CreateIndex
CREATE INDEX "ShopifyWebhook_shopDomain_receivedAt_idx" ON "ShopifyWebhook"("shopDomain", "receivedAt");

