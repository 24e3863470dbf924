// /api/v1 customers (LostChurn 8–15): list and search, lookups, their payments and recoveries,
// pause/resume of all their recovery work, and GDPR erasure. Every query is scoped to the
// caller's workspace: another workspace's customer is a 404, whichever id names it.
import { z } from "zod";
import { eraseCustomer } from "~/domain/privacy/erasure.server";
import { pauseRecovery, resumeRecovery } from "~/domain/recovery/engine.server";
import { paginate, type Page, type PageRequest } from "~/domain/pagination.server";
import { AppError } from "~/domain/errors";
import { db, type Prisma } from "~/utils/db.server";
import { log } from "~/utils/logger.server";
import { inScope, pageOfAttempts, type ApiScope } from "./attempts.server";
import { PaymentSchema } from "./payments";
import { maxRetriesOf, paymentOf, WITH_CUSTOMER } from "./payments.server";
import { RecoverySchema } from "./recoveries";
import { progressOf, recoveryOf } from "./recoveries.server";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

/** `{id}` of a customer: Recoup's id or the PSP's. */
export const CustomerIdParamsSchema = z.object({ id: z.string().min(1).max(200).describe("Recoup's customer id, or the PSP's (`cus_…`).") });

const count = (what: string) => z.number().int().min(0).describe(what);

export const CustomerSchema = z
  .object({
    id: z.string().describe("Recoup's id for the customer."),
    psp_customer_id: z.string().describe("The PSP's id for the customer (Stripe `cus_…`, a Shopify customer id); also accepted wherever `{id}` is."),
    psp: z.string().describe("stripe, shopify, or the PSP an ingested event named."),
    email: z.string().nullable(),
    name: z.string().nullable(),
    timezone: z.string().nullable().describe("The customer's IANA timezone when known: retries and quiet hours follow it."),
    total_payments: count("Payments of this customer that failed and came to Recoup (Recoup does not see payments that never failed)."),
    failed_payments: count("Of those, the ones not paid: still being recovered, paused, or given up."),
    recovered_payments: count("Of those, the ones paid after failing."),
    total_revenue_cents: count("Revenue Recoup recovered from this customer: the sum of recovered amounts in `currency`, minor units."),
    currency: z.string().nullable().describe("The currency of `total_revenue_cents`: that of the customer's latest payment (null before any)."),
    created_at: z.iso.datetime(),
  })
  .register(API_SCHEMA_NAMES, { id: "Customer" });

export const RecoveryStatsSchema = z
  .object({
    total_failed: count("Payments that failed (every payment Recoup worked on)."),
    total_recovered: count("Of those, the ones recovered."),
    recovery_rate: z.number().min(0).max(1).describe("total_recovered / total_failed, 3 decimals; 0 with no failures."),
    total_recovered_cents: count("Recovered amounts in `currency`, minor units."),
    open_recoveries: count("Payments still being recovered (paused ones included)."),
  })
  .register(API_SCHEMA_NAMES, { id: "CustomerRecoveryStats" });

export const CustomerDetailSchema = CustomerSchema.extend({ recovery_stats: RecoveryStatsSchema }).register(API_SCHEMA_NAMES, { id: "CustomerDetail" });

export const BulkActionSchema = z
  .object({
    customer_id: z.string(),
    paused: z.number().int().optional().describe("Recoveries paused by this call (pause-all)."),
    resumed: z.number().int().optional().describe("Recoveries resumed by this call (resume-all)."),
    payment_ids: z.array(z.string()).describe("The payments (and recoveries: same ids) this call changed."),
  })
  .register(API_SCHEMA_NAMES, { id: "CustomerBulkAction" });

export const ErasureSchema = z
  .object({
    deleted: z.literal(true),
    customer_id: z.string(),
    recoveries_anonymised: z.number().int().describe("Payments kept as anonymous amounts, so that the totals do not change."),
    messages_deleted: z.number().int(),
    jobs_deleted: z.number().int().describe("Pending and archived jobs about the customer removed from the queue."),
  })
  .register(API_SCHEMA_NAMES, { id: "CustomerErasure" });

export { PaymentSchema, RecoverySchema };

type CustomerRow = Prisma.CustomerGetPayload<object>;

interface Stats {
  total: number;
  failed: number;
  recovered: number;
  open: number;
  revenueCents: number;
  currency: string | null;
}

/** Per-customer counts from their Recovery rows, one grouped query for a page of customers. */
async function statsFor(scope: ApiScope, customerIds: string[]): Promise<Map<string, Stats>> {
  const stats = new Map<string, Stats>(customerIds.map((id) => [id, { total: 0, failed: 0, recovered: 0, open: 0, revenueCents: 0, currency: null }]));
  if (customerIds.length === 0) return stats;
  const [groups, latest] = await Promise.all([
    db().recovery.groupBy({
      by: ["customerId", "status", "currency"],
      where: { ...inScope(scope), customerId: { in: customerIds } },
      _count: { _all: true },
      _sum: { recoveredAmountMinor: true },
    }),
    db().recovery.findMany({
      where: { ...inScope(scope), customerId: { in: customerIds } },
      distinct: ["customerId"],
      orderBy: [{ customerId: "asc" }, { startedAt: "desc" }, { id: "desc" }],
      select: { customerId: true, currency: true },
    }),
  ]);
  for (const row of latest) stats.get(row.customerId!)!.currency = row.currency;
  for (const g of groups) {
    const s = stats.get(g.customerId!)!;
    const n = g._count._all;
    s.total += n;
    if (g.status === "recovered") {
      s.recovered += n;
      if (g.currency === s.currency) s.revenueCents += g._sum.recoveredAmountMinor ?? 0;
    } else {
      s.failed += n;
      if (g.status === "pending") s.open += n;
    }
  }
  return stats;
}

function customerView(c: CustomerRow, s: Stats) {
  return {
    id: c.id,
    pspCustomerId: c.externalId,
    psp: c.provider,
    email: c.email,
    name: c.name,
    timezone: c.timezone,
    totalPayments: s.total,
    failedPayments: s.failed,
    recoveredPayments: s.recovered,
    totalRevenueCents: s.revenueCents,
    currency: s.currency,
    createdAt: c.createdAt,
  };
}

function detailView(c: CustomerRow, s: Stats) {
  return {
    ...customerView(c, s),
    recoveryStats: {
      totalFailed: s.total,
      totalRecovered: s.recovered,
      recoveryRate: s.total === 0 ? 0 : Math.round((s.recovered / s.total) * 1000) / 1000,
      totalRecoveredCents: s.revenueCents,
      openRecoveries: s.open,
    },
  };
}

function notFound(): AppError {
  return new AppError("customer_not_found", "No such customer in this workspace.");
}

/** Our id, or the PSP's customer id (`cus_…`); when two PSPs share an external id, the newest customer. */
export async function findCustomer(scope: ApiScope, id: string): Promise<CustomerRow> {
  const byId = await db().customer.findFirst({ where: { id, ...inScope(scope) } });
  if (byId) return byId;
  const byExternal = await db().customer.findFirst({ where: { ...inScope(scope), externalId: id }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  if (!byExternal) throw notFound();
  return byExternal;
}

/** Prisma's case-insensitive `contains` and `equals` are ILIKE: match the caller's text literally, wildcards included. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export async function listCustomers(input: ApiScope & { search?: string; page: PageRequest }) {
  const search = input.search?.trim();
  const literal = search === undefined ? undefined : likeLiteral(search);
  const where: Prisma.CustomerWhereInput = {
    ...inScope(input),
    ...(search
      ? {
          OR: [
            { email: { contains: literal, mode: "insensitive" } },
            { name: { contains: literal, mode: "insensitive" } },
            { externalId: search },
          ],
        }
      : {}),
  };
  const page: Page<CustomerRow> = await paginate(input.page, {
    find: (args) => db().customer.findMany({ ...args, where: { AND: [where, args.where] } }),
    count: () => db().customer.count({ where }),
  });
  const stats = await statsFor(input, page.items.map((c) => c.id));
  return { ...page, items: page.items.map((c) => customerView(c, stats.get(c.id)!)) };
}

export async function getCustomer(input: ApiScope & { id: string }) {
  const customer = await findCustomer(input, input.id);
  const stats = await statsFor(input, [customer.id]);
  return detailView(customer, stats.get(customer.id)!);
}

/** Case-insensitive; when several customers share the address (two PSPs), the newest. */
export async function getCustomerByEmail(input: ApiScope & { email: string }) {
  const email = input.email.trim();
  const customer = await db().customer.findFirst({
    where: { ...inScope(input), email: { equals: likeLiteral(email), mode: "insensitive" } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
  if (!customer) throw new AppError("customer_not_found", "No customer with this email address in this workspace.");
  const stats = await statsFor(input, [customer.id]);
  return detailView(customer, stats.get(customer.id)!);
}

/** A customer's rows, newest failure first, in the payments list's keyset (startedAt, id). */
async function customerAttempts(scope: ApiScope, customerId: string, page: PageRequest) {
  return pageOfAttempts({ ...inScope(scope), where: { customerId }, page, include: WITH_CUSTOMER });
}

export async function listCustomerPayments(input: ApiScope & { id: string; page: PageRequest }) {
  const customer = await findCustomer(input, input.id);
  const [page, maxRetries] = await Promise.all([customerAttempts(input, customer.id, input.page), maxRetriesOf(input.workspaceId)]);
  return { ...page, items: page.items.map((r) => paymentOf(r, maxRetries)) };
}

export async function listCustomerRecoveries(input: ApiScope & { id: string; page: PageRequest }) {
  const customer = await findCustomer(input, input.id);
  const page = await customerAttempts(input, customer.id, input.page);
  const progress = await progressOf(page.items);
  return { ...page, items: page.items.map((r) => recoveryOf(r, progress(r))) };
}

/**
 * `change` on each open recovery of the customer whose `paused` is as given, newest first; one
 * closed meanwhile is skipped. Returns the ids it changed.
 */
async function changeOpenRecoveries(
  input: ApiScope & { id: string },
  paused: boolean,
  change: (target: { workspaceId: string; recoveryId: string }) => Promise<unknown>,
) {
  const customer = await findCustomer(input, input.id);
  const open = await db().recovery.findMany({
    where: { ...inScope(input), customerId: customer.id, status: "pending", paused },
    select: { id: true },
    orderBy: [{ startedAt: "desc" }, { id: "desc" }],
  });
  const changed: string[] = [];
  for (const r of open) {
    try {
      await change({ workspaceId: input.workspaceId, recoveryId: r.id });
      changed.push(r.id);
    } catch (error) {
      if (!(error instanceof AppError && (error.code === "recovery_closed" || error.code === "recovery_erased"))) throw error;
    }
  }
  return { customerId: customer.id, changed };
}

/** Pauses every open, running recovery of the customer (retries and emails stop until resumed). */
export async function pauseAllForCustomer(input: ApiScope & { id: string }) {
  const { customerId, changed } = await changeOpenRecoveries(input, false, pauseRecovery);
  return { customerId, paused: changed.length, paymentIds: changed };
}

/** Resumes every paused open recovery of the customer: each is planned again from now. */
export async function resumeAllForCustomer(input: ApiScope & { id: string }) {
  const { customerId, changed } = await changeOpenRecoveries(input, true, resumeRecovery);
  return { customerId, resumed: changed.length, paymentIds: changed };
}

/** GDPR erasure (docs/decisions/0006): the customer's rows and jobs go or are anonymised. */
export async function eraseCustomerById(input: ApiScope & { id: string }) {
  const customer = await findCustomer(input, input.id);
  const result = await eraseCustomer({ ...inScope(input), externalId: customer.externalId, email: customer.email, name: customer.name });
  log.info("customer erased over the API", { workspaceId: input.workspaceId, customerId: customer.id });
  return {
    deleted: true as const,
    customerId: customer.id,
    recoveriesAnonymised: result.recoveriesAnonymised,
    messagesDeleted: result.messagesDeleted,
    jobsDeleted: result.jobsDeleted,
  };
}
