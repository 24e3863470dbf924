-- AlterTable
ALTER TABLE "RecoveryAttempt" ADD COLUMN     "failedPaymentMethodId" TEXT;
