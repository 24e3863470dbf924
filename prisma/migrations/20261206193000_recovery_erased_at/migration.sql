-- AlterTable
ALTER TABLE "RecoveryAttempt" ADD COLUMN     "erasedAt" TIMESTAMP(3);

-- Backfill (ADR 0006, amended): recoveries anonymised by an erasure before this column existed, recognised by
-- what the erasure wrote. Each is marked erased, and one still open is closed as abandoned, for good.
UPDATE "RecoveryAttempt" SET "erasedAt" = "updatedAt"
WHERE "customerId" IS NULL AND "stripeInvoiceId" LIKE 'erased\_%' AND "nextActionReason" = 'Customer data erased on request.';

INSERT INTO "RecoveryOutcome" ("id", "workspaceId", "recoveryAttemptId", "outcome", "reasonCode", "occurredAt")
SELECT 'erased_' || md5(r."id"), r."workspaceId", r."id", 'abandoned', 'customer_erased', r."erasedAt"
FROM "RecoveryAttempt" r
WHERE r."erasedAt" IS NOT NULL AND r."status" = 'pending'
ON CONFLICT ("recoveryAttemptId") DO UPDATE SET "outcome" = 'abandoned', "reasonCode" = 'customer_erased', "occurredAt" = EXCLUDED."occurredAt";

UPDATE "RecoveryAttempt" SET "status" = 'abandoned', "endedAt" = "erasedAt", "paused" = false, "pausedAt" = NULL, "pausedBy" = NULL
WHERE "erasedAt" IS NOT NULL AND "status" = 'pending';
