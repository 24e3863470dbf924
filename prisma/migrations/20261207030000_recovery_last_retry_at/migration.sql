-- When Recoup last made or asked for a retry (ADR 0052): the next retry is spaced from it, also
-- when the merchant makes the retry and no decline comes back.

-- AlterTable
ALTER TABLE "RecoveryAttempt" ADD COLUMN "lastRetryAt" TIMESTAMP(3);
