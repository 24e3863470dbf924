import { db, type Prisma } from "~/utils/db.server";

let counter = 0;

/** A RecoveryAttempt row written directly (for list, filter and tenancy tests), with a customer. */
export async function insertAttempt(workspaceId: string, overrides: Partial<Prisma.RecoveryUncheckedCreateInput>) {
  counter += 1;
  const n = `${Date.now().toString(36)}${counter}`;
  const startedAt = overrides.startedAt ? new Date(overrides.startedAt) : new Date("2026-03-01T10:00:00Z");
  const customer = await db().customer.create({
    data: { workspaceId, provider: overrides.provider ?? "stripe", externalId: `cus_${n}`, email: `c${n}@example.com`, name: "Ada", livemode: overrides.livemode ?? true },
  });
  return db().recovery.create({
    data: {
      workspaceId,
      externalId: `in_${n}`,
      externalCustomerId: customer.externalId,
      customerId: customer.id,
      declineType: "soft",
      declineCode: "insufficient_funds",
      amountDueMinor: 2500,
      currency: "usd",
      lastFailureAt: startedAt,
      ...overrides,
      startedAt,
      endedAt: overrides.status && overrides.status !== "pending" ? new Date(startedAt.getTime() + 86_400_000) : null,
    },
  });
}
