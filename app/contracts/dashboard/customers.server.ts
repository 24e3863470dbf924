// The merchant's customer pages: the list (searched by any part of a name or email, or the
// platform's id), and one customer with their recoveries, payments, emails and totals per
// currency. Every query is in the caller's workspace: another workspace's customer is a 404.
import { data } from "@remix-run/node";
import { z } from "zod";
import { recoveryAttemptDto } from "~/contracts/dunningdog/dto";
import { recoveryReference } from "~/domain/recovery/queries.server";
import { AppError } from "~/domain/errors";
import { newestFirstAfter } from "~/domain/pagination.server";
import { db, type Prisma } from "~/utils/db.server";
import { customerSearch, failureReasonOf } from "./recoveries.server";

const blankIsAbsent = (value: unknown) => (typeof value === "string" && value.trim() === "" ? undefined : value);

export const CustomerListQuerySchema = z.object({
  q: z.preprocess(blankIsAbsent, z.string().trim().max(200).optional()).catch(undefined),
  cursor: z.preprocess(blankIsAbsent, z.string().max(600).optional()).catch(undefined),
});
export type CustomerListQuery = z.infer<typeof CustomerListQuerySchema>;

// The cursor is the last row's (createdAt, id), opaque to clients.
function encodeCustomerCursor(row: { createdAt: Date; id: string }): string {
  return Buffer.from(`c1:${row.createdAt.getTime()}:${row.id}`, "utf8").toString("base64url");
}

export function decodeCustomerCursor(cursor: string): { createdAt: Date; id: string } {
  const match = /^c1:(\d{1,15}):([\w-]{1,200})$/.exec(Buffer.from(cursor, "base64url").toString("utf8"));
  if (!match) throw new AppError("invalid_cursor", "This cursor is not one we issued. Start again without `cursor`.");
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}

/** The customers the search selects in the workspace: any part of the name or email, or the platform's id exactly. */
export function customerWhere(input: { workspaceId: string; q?: string }): Prisma.CustomerWhereInput {
  if (!input.q) return { workspaceId: input.workspaceId };
  return { workspaceId: input.workspaceId, OR: [...customerSearch(input.q), { externalId: input.q }] };
}

/** Customers after `after`, newest first (createdAt desc, id desc). */
export function findCustomerRows(input: { where: Prisma.CustomerWhereInput; after: { createdAt: Date; id: string } | null; take: number }) {
  return db().customer.findMany({
    where: { AND: [input.where, newestFirstAfter(input.after)] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: input.take,
  });
}

export interface MoneyTotal {
  currency: string;
  amountMinor: number;
}

/** Per customer: recoveries, open ones, and amounts recovered and at risk per currency (never summed across currencies). */
async function totalsFor(workspaceId: string, customerIds: string[]) {
  const groups = customerIds.length
    ? await db().recovery.groupBy({
        by: ["customerId", "status", "currency"],
        where: { workspaceId, customerId: { in: customerIds } },
        _count: { _all: true },
        _sum: { recoveredAmountMinor: true, amountDueMinor: true },
        orderBy: [{ customerId: "asc" }, { currency: "asc" }, { status: "asc" }],
      })
    : [];
  const totals = new Map(customerIds.map((id) => [id, { recoveries: 0, open: 0, recovered: [] as MoneyTotal[], atRisk: [] as MoneyTotal[] }]));
  const add = (list: MoneyTotal[], currency: string, amountMinor: number) => {
    const found = list.find((t) => t.currency === currency);
    if (found) found.amountMinor += amountMinor;
    else list.push({ currency, amountMinor });
  };
  for (const g of groups) {
    const t = totals.get(g.customerId!)!;
    t.recoveries += g._count._all;
    if (g.status === "recovered") add(t.recovered, g.currency, g._sum.recoveredAmountMinor ?? 0);
    if (g.status === "pending") {
      t.open += g._count._all;
      add(t.atRisk, g.currency, g._sum.amountDueMinor ?? 0);
    }
  }
  return totals;
}

/** A page of the workspace's customers, newest first, with their totals. */
export async function listCustomersForPages(input: { workspaceId: string; query: CustomerListQuery; limit?: number }) {
  const limit = input.limit ?? 25;
  const after = input.query.cursor ? decodeCustomerCursor(input.query.cursor) : null;
  const rows = await findCustomerRows({ where: customerWhere({ workspaceId: input.workspaceId, q: input.query.q }), after, take: limit + 1 });
  const page = rows.slice(0, limit);
  const totals = await totalsFor(input.workspaceId, page.map((c) => c.id));
  const last = page[page.length - 1];
  return {
    items: page.map((c) => ({
      id: c.id,
      name: c.name,
      email: c.email,
      externalId: c.externalId,
      provider: c.provider,
      country: c.country,
      createdAt: c.createdAt.toISOString(),
      ...totals.get(c.id)!,
    })),
    nextCursor: rows.length > limit && last ? encodeCustomerCursor(last) : null,
  };
}

const SHOWN = 100;

/** One customer's page; another workspace's (or an unknown) id is a 404. */
export async function loadCustomerPage(input: { workspaceId: string; customerId: string }) {
  const { workspaceId } = input;
  const customer = await db().customer.findFirst({ where: { id: input.customerId, workspaceId } });
  if (!customer) throw data("No customer with that id in this workspace.", { status: 404 });
  const [recoveries, payments, emails, totals] = await Promise.all([
    db().recovery.findMany({
      where: { workspaceId, customerId: customer.id },
      orderBy: [{ startedAt: "desc" }, { id: "desc" }],
      take: SHOWN,
      include: { sequence: { select: { name: true } } },
    }),
    db().customerPayment.findMany({
      where: { workspaceId, provider: customer.provider, externalCustomerId: customer.externalId },
      orderBy: [{ paidAt: "desc" }, { id: "desc" }],
      take: SHOWN,
    }),
    db().dunningMessage.findMany({
      where: { workspaceId, sentAt: { not: null }, recovery: { workspaceId, customerId: customer.id } },
      orderBy: [{ sentAt: "desc" }, { id: "desc" }],
      take: SHOWN,
      select: { id: true, recoveryId: true, subject: true, toEmail: true, sentAt: true, openedAt: true, clickedAt: true, status: true },
    }),
    totalsFor(workspaceId, [customer.id]),
  ]);
  // The card the latest failure was charged to, as the platform described it.
  const lastCard = recoveries.find((r) => r.cardLast4 || r.cardBrand);
  return {
    customer: {
      id: customer.id,
      name: customer.name,
      email: customer.email,
      provider: customer.provider,
      externalId: customer.externalId,
      country: customer.country,
      timezone: customer.timezone,
      livemode: customer.livemode,
      createdAt: customer.createdAt.toISOString(),
      card: {
        onFile: customer.defaultPaymentMethodId !== null,
        updatedAt: customer.paymentMethodUpdatedAt?.toISOString() ?? null,
        lastFailed: lastCard ? { brand: lastCard.cardBrand, last4: lastCard.cardLast4, funding: lastCard.cardFunding } : null,
      },
    },
    totals: totals.get(customer.id)!,
    recoveries: recoveries.map((r) => ({
      attempt: recoveryAttemptDto(r),
      reference: recoveryReference(r),
      failureReason: failureReasonOf(r),
      paused: r.paused,
      campaign: r.sequence?.name ?? null,
    })),
    payments: payments.map((p) => ({ id: p.id, externalId: p.externalId, amountMinor: p.amountMinor, currency: p.currency, paidAt: p.paidAt.toISOString() })),
    emails: emails.map((m) => ({
      id: m.id,
      recoveryId: m.recoveryId,
      subject: m.subject,
      toEmail: m.toEmail,
      sentAt: m.sentAt!.toISOString(),
      opened: m.openedAt !== null,
      clicked: m.clickedAt !== null,
    })),
  };
}

/** What /dashboard/customers hands its page. */
export type CustomerListData = Awaited<ReturnType<typeof listCustomersForPages>> & { query: CustomerListQuery; timeZone: string };
/** What /dashboard/customers/:id hands its page. */
export type CustomerPageData = Awaited<ReturnType<typeof loadCustomerPage>> & { timeZone: string };

/** The customer page a recovery links to: its Customer row in the workspace, when Recoup has one. */
export async function customerIdOfRecovery(input: { workspaceId: string; recoveryId: string }): Promise<string | null> {
  const row = await db().recovery.findFirst({ where: { id: input.recoveryId, workspaceId: input.workspaceId }, select: { customerId: true } });
  return row?.customerId ?? null;
}
