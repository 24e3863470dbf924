// LostChurn's at-risk customers (seed 002, "At-Risk Customers", ADR 0078) and their quick-enroll.
// The list reads AtRiskCustomer (one row per customer with an open recovery, kept by the rollup job:
// rollup.server.ts) plus the customers whose card expires soon (CardExpiry, a handful): cohorts as
// definitions.ts defines them. Enrolling goes through the campaigns domain's own function.
import { enrollRecoveryInCampaign } from "~/domain/campaigns/enrollment.server";
import { AppError } from "~/domain/errors";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { Prisma } from "../../../generated/prisma/client";
import { expiringCardMonths, isRepeatFailure, repeatFailureSince, type AtRiskCohort } from "./definitions";
import { rollupFreshness } from "./rollup.server";

interface AtRiskRow {
  customerId: string;
  openCount: number;
  openMinor: Record<string, number | string> | null;
  lastFailureAt: Date | null;
  secondFailureAt: Date | null;
  expiryDeclined: boolean;
  highValue: boolean;
}

/** Customers of this workspace and mode with a card expiring within the window (ids, oldest first). */
async function expiringCardCustomers(workspaceId: string, livemode: boolean, at: Date): Promise<string[]> {
  const months = expiringCardMonths(at);
  const rows = await db().$queryRaw<Array<{ id: string }>>`
    SELECT DISTINCT c.id FROM "CardExpiry" e
    JOIN "Customer" c ON c."workspaceId" = e."workspaceId" AND c.provider = e.provider AND c."externalId" = e."externalCustomerId" AND c.livemode = ${livemode}
    WHERE e."workspaceId" = ${workspaceId}
      AND (e."expYear", e."expMonth") IN (${Prisma.join(months.map((m) => Prisma.sql`(${m.expYear}, ${m.expMonth})`))})
    ORDER BY c.id`;
  return rows.map((r) => r.id);
}

function cohortCondition(cohort: AtRiskCohort, at: Date, expiring: string[]): Prisma.Sql {
  if (cohort === "high_value") return Prisma.sql`AND "highValue"`;
  if (cohort === "repeat_failure") return Prisma.sql`AND "secondFailureAt" >= ${repeatFailureSince(at)}`;
  if (cohort === "expiring_card") return expiring.length ? Prisma.sql`AND ("expiryDeclined" OR "customerId" = ANY(${expiring}::text[]))` : Prisma.sql`AND "expiryDeclined"`;
  return Prisma.empty;
}

/**
 * The at-risk customers of a cohort, most recent failure first (customers whose only risk is an
 * expiring card last), offset pages: each with the cohorts it is in, its open money per currency,
 * its open recoveries and its latest failure.
 */
export async function listAtRiskCustomers(input: { workspaceId: string; livemode: boolean; cohort: AtRiskCohort; page: number; perPage: number }) {
  const { workspaceId, livemode } = input;
  await rollupFreshness({ workspaceId });
  const at = now();
  const expiring = input.cohort === "all" || input.cohort === "expiring_card" ? await expiringCardCustomers(workspaceId, livemode, at) : [];
  const where = Prisma.sql`"workspaceId" = ${workspaceId} AND livemode = ${livemode} ${cohortCondition(input.cohort, at, expiring)}`;
  const offset = (input.page - 1) * input.perPage;
  const [counted, rows, expiringWithRow] = await Promise.all([
    db().$queryRaw<Array<{ n: number }>>`SELECT count(*)::int AS n FROM "AtRiskCustomer" WHERE ${where}`,
    db().$queryRaw<AtRiskRow[]>`
      SELECT "customerId", "openCount", "openMinor", "lastFailureAt", "secondFailureAt", "expiryDeclined", "highValue"
      FROM "AtRiskCustomer" WHERE ${where}
      ORDER BY "lastFailureAt" DESC, "customerId" DESC LIMIT ${input.perPage} OFFSET ${offset}`,
    expiring.length
      ? db().$queryRaw<Array<{ customerId: string }>>`SELECT "customerId" FROM "AtRiskCustomer" WHERE "workspaceId" = ${workspaceId} AND livemode = ${livemode} AND "customerId" = ANY(${expiring}::text[])`
      : [],
  ]);
  const withRow = new Set(expiringWithRow.map((r) => r.customerId));
  const expiringOnly = expiring.filter((id) => !withRow.has(id));
  const inTable = counted[0]!.n;
  const total = inTable + expiringOnly.length;
  const fill = input.perPage - rows.length;
  const tail = fill > 0 ? expiringOnly.slice(Math.max(0, offset - inTable), Math.max(0, offset - inTable) + fill) : [];
  const page: AtRiskRow[] = [
    ...rows,
    ...tail.map((customerId) => ({ customerId, openCount: 0, openMinor: null, lastFailureAt: null, secondFailureAt: null, expiryDeclined: false, highValue: false })),
  ];
  const expiringSet = new Set(expiring);
  const customers = await db().customer.findMany({ where: { workspaceId, id: { in: page.map((r) => r.customerId) } }, select: { id: true, email: true, name: true } });
  const byId = new Map(customers.map((c) => [c.id, c]));
  // A last failure for those in the list for their card alone, when they had one.
  const lastFailures = tail.length
    ? await db().recovery.groupBy({ by: ["customerId"], where: { workspaceId, livemode, customerId: { in: tail } }, _max: { lastFailureAt: true } })
    : [];
  const lastFailureOf = new Map(lastFailures.map((r) => [r.customerId, r._max.lastFailureAt]));
  return {
    items: page.map((r) => {
      const cohorts: Exclude<AtRiskCohort, "all">[] = [];
      if (r.expiryDeclined || expiringSet.has(r.customerId)) cohorts.push("expiring_card");
      if (isRepeatFailure(r.secondFailureAt, at)) cohorts.push("repeat_failure");
      if (r.highValue) cohorts.push("high_value");
      const open = Object.entries(r.openMinor ?? {})
        .map(([currency, amount]) => ({ currency, amount: Number(amount) }))
        .sort((a, b) => b.amount - a.amount || a.currency.localeCompare(b.currency));
      return {
        customerId: r.customerId,
        email: byId.get(r.customerId)?.email ?? null,
        name: byId.get(r.customerId)?.name ?? null,
        cohorts,
        openAmounts: open,
        openRecoveries: r.openCount,
        lastFailureAt: r.lastFailureAt ?? lastFailureOf.get(r.customerId) ?? null,
        cardExpiring: expiringSet.has(r.customerId),
      };
    }),
    nextCursor: null,
    page: input.page,
    perPage: input.perPage,
    total,
    totalPages: Math.ceil(total / input.perPage),
  };
}

/**
 * Quick-enroll: every open recovery of the customer (Recoup's id or the PSP's, in the key's mode)
 * moves to the chosen active campaign, in one transaction (campaigns domain:
 * enrollRecoveryInCampaign). 404 for a customer or campaign not in this workspace; 409 when the
 * campaign is not active or the customer has nothing open.
 */
export async function enrollAtRiskCustomer(input: { workspaceId: string; livemode: boolean; customerId: string; campaignId: string }) {
  const { workspaceId, livemode } = input;
  const customer =
    (await db().customer.findFirst({ where: { workspaceId, livemode, id: input.customerId } })) ??
    (await db().customer.findFirst({ where: { workspaceId, livemode, externalId: input.customerId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] }));
  if (!customer) throw new AppError("customer_not_found", "No customer with this id in this workspace.");
  const campaign = await db().dunningSequence.findFirst({ where: { id: input.campaignId, workspaceId }, select: { id: true, name: true } });
  if (!campaign) throw new AppError("campaign_not_found", "No campaign with this id in this workspace.");
  const open = await db().recovery.findMany({
    where: { workspaceId, livemode, customerId: customer.id, status: "pending" },
    orderBy: [{ startedAt: "asc" }, { id: "asc" }],
    select: { id: true },
  });
  if (open.length === 0) throw new AppError("conflict", "This customer has no open recovery to enroll: nothing of theirs is being recovered now.");
  const results = await db().$transaction(async (tx) => {
    const out = [];
    for (const r of open) out.push(await enrollRecoveryInCampaign(tx, { workspaceId, recoveryId: r.id, campaignId: campaign.id }));
    return out;
  });
  return {
    customerId: customer.id,
    campaignId: campaign.id,
    campaignName: campaign.name,
    enrolled: results.filter((r) => r.outcome === "enrolled").map((r) => r.recoveryId),
    alreadyEnrolled: results.filter((r) => r.outcome === "already_enrolled").map((r) => r.recoveryId),
    skipped: results.flatMap((r) => (r.outcome === "held_out" || r.outcome === "closed" ? [{ recoveryId: r.recoveryId, reason: r.outcome }] : [])),
  };
}
