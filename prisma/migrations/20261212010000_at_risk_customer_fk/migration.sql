-- An erased customer's at-risk row goes with the customer (ADR 0081): their recoveries lose the
-- customer (ON DELETE SET NULL) without the rollup seeing which customer it was.
DELETE FROM "AtRiskCustomer" a WHERE NOT EXISTS (SELECT 1 FROM "Customer" c WHERE c."id" = a."customerId");

-- CreateIndex
CREATE INDEX "AtRiskCustomer_customerId_idx" ON "AtRiskCustomer"("customerId");

-- AddForeignKey
ALTER TABLE "AtRiskCustomer" ADD CONSTRAINT "AtRiskCustomer_customerId_fkey" FOREIGN KEY ("customerId") REFERENCES "Customer"("id") ON DELETE CASCADE ON UPDATE CASCADE;
