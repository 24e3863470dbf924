-- Live and test data (ADR 0032): every payment, customer and ingested event knows its mode, and the
-- /api/v1 lists read it from their indexes.

-- AlterTable
ALTER TABLE "Customer" ADD COLUMN     "livemode" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "IngestedPaymentEvent" ADD COLUMN     "livemode" BOOLEAN NOT NULL DEFAULT true;

-- AlterTable
ALTER TABLE "RecoveryAttempt" ADD COLUMN     "livemode" BOOLEAN NOT NULL DEFAULT true;

-- Backfill: a Stripe recovery has its connected account's mode, an ingested one the mode of the key
-- that sent its events (all live so far: keys were not told apart), a customer the mode of its recoveries.
UPDATE "RecoveryAttempt" r SET "livemode" = a."livemode"
FROM "ConnectedStripeAccount" a
WHERE r."provider" = 'stripe' AND r."stripeAccountId" = a."stripeAccountId" AND a."livemode" = false;

UPDATE "Customer" c SET "livemode" = false
WHERE EXISTS (SELECT 1 FROM "RecoveryAttempt" r WHERE r."customerId" = c."id" AND r."livemode" = false)
  AND NOT EXISTS (SELECT 1 FROM "RecoveryAttempt" r WHERE r."customerId" = c."id" AND r."livemode" = true);

-- DropIndex
DROP INDEX "Customer_workspaceId_createdAt_id_idx";

-- DropIndex
DROP INDEX "RecoveryAttempt_workspaceId_declineCategory_startedAt_id_idx";

-- DropIndex
DROP INDEX "RecoveryAttempt_workspaceId_sequenceId_startedAt_id_idx";

-- DropIndex
DROP INDEX "RecoveryAttempt_workspaceId_status_declineCategory_startedA_idx";

-- DropIndex
DROP INDEX "RecoveryAttempt_workspaceId_status_paused_startedAt_id_idx";

-- CreateIndex
CREATE INDEX "Customer_v1_mode_createdAt_idx" ON "Customer"("workspaceId", "livemode", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_v1_mode_idx" ON "RecoveryAttempt"("workspaceId", "livemode", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_v1_mode_status_idx" ON "RecoveryAttempt"("workspaceId", "livemode", "status", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_v1_mode_status_paused_idx" ON "RecoveryAttempt"("workspaceId", "livemode", "status", "paused", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_v1_mode_category_idx" ON "RecoveryAttempt"("workspaceId", "livemode", "declineCategory", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_v1_mode_status_category_idx" ON "RecoveryAttempt"("workspaceId", "livemode", "status", "declineCategory", "startedAt" DESC, "id" DESC);

-- CreateIndex
CREATE INDEX "RecoveryAttempt_v1_mode_sequence_idx" ON "RecoveryAttempt"("workspaceId", "livemode", "sequenceId", "startedAt" DESC, "id" DESC);
