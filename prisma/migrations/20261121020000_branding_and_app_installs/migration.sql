-- AlterTable
ALTER TABLE "ConnectedStripeAccount" ADD COLUMN     "source" TEXT NOT NULL DEFAULT 'oauth',
ALTER COLUMN "accessTokenEncrypted" DROP NOT NULL;

-- AlterTable
ALTER TABLE "Workspace" ADD COLUMN     "brandColor" TEXT,
ADD COLUMN     "logoUrl" TEXT;

