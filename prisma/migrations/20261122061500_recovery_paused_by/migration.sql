-- AlterTable
ALTER TABLE "RecoveryAttempt" ADD COLUMN     "pausedBy" TEXT;

-- Backfill: open recoveries paused before this column existed, named by the reason the pause wrote.
-- What cannot be told apart counts as the merchant's pause: a reconnection never resumes it.
UPDATE "RecoveryAttempt" SET "pausedBy" = CASE
    WHEN "nextActionReason" = 'Paused: the Stripe account was disconnected from Recoup.' THEN 'account_disconnected'
    WHEN "nextActionReason" = 'Paused: Recoup was uninstalled from the Shopify store.' THEN 'shop_uninstalled'
    WHEN "nextActionReason" LIKE 'Paused: the subscription contract is paused in Shopify%' THEN 'subscription_paused'
    ELSE 'merchant'
  END
WHERE "paused" = true AND "status" = 'pending' AND "customerId" IS NOT NULL;
