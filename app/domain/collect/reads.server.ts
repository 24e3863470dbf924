// Reads of pay-links, their payments and refunds for the merchant's dashboard (ADR 0075). The
// dashboard shows live and test data together (ADR 0032), so these read across both modes; every
// query is scoped by the workspace, and another workspace's id is not found.
import { AppError } from "~/domain/errors";
import { paginate, type Page, type PageRequest } from "~/domain/pagination.server";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import type { Prisma } from "../../../generated/prisma/client";
import { connectionsOf, routingOf } from "./connections.server";
import type { PaymentRequestView } from "./payment-requests.server";
import { resolveConnection, statusOf, type PaymentRequestStatus } from "./routing";

/** A pay-link's id and mode, for the domain's mode-scoped commands; another workspace's (or a made-up) id is not found. */
export async function paymentRequestScope(input: { workspaceId: string; id: string }): Promise<{ workspaceId: string; id: string; livemode: boolean }> {
  const row = await db().paymentRequest.findFirst({ where: { id: input.id, workspaceId: input.workspaceId }, select: { id: true, livemode: true } });
  if (!row) throw new AppError("payment_request_not_found", `No payment request ${input.id} is visible to this workspace.`);
  return { workspaceId: input.workspaceId, id: row.id, livemode: row.livemode };
}

/** What a list of the workspace's pay-links is filtered by: a status (with the derived `expired`) and a search. */
export interface PaymentRequestFilter {
  workspaceId: string;
  status?: PaymentRequestStatus;
  search?: string;
}

/** `listPaymentRequests`' filters (status with the derived `expired`, search over description, customer, reference and the exact code), at `at`. */
function paymentRequestWhere(input: PaymentRequestFilter, at: Date): Prisma.PaymentRequestWhereInput {
  const where: Prisma.PaymentRequestWhereInput = { workspaceId: input.workspaceId };
  if (input.status === "expired") Object.assign(where, { status: "open", expiresAt: { lte: at } });
  else if (input.status === "open") Object.assign(where, { status: "open", OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] });
  else if (input.status) where.status = input.status;
  const search = input.search?.trim();
  // A mobile is stored as E.164: "07911 123456" is found by its digits after the leading 0.
  const digits = search?.replace(/[\s()+-]/g, "").replace(/^0+/, "") ?? "";
  const searchWhere: Prisma.PaymentRequestWhereInput = search
    ? {
        OR: [
          { description: { contains: search, mode: "insensitive" } },
          { customerEmail: { contains: search, mode: "insensitive" } },
          { customerName: { contains: search, mode: "insensitive" } },
          { customerReference: { contains: search, mode: "insensitive" } },
          { shortCode: search },
          ...(/^\d{4,}$/.test(digits) ? [{ customerMobile: { contains: digits } }] : []),
        ],
      }
    : {};
  return { AND: [where, searchWhere] };
}

/** The workspace's pay-links of both modes, newest first, filtered as `PaymentRequestFilter` says. */
export async function listWorkspacePaymentRequests(input: PaymentRequestFilter & { page: PageRequest }): Promise<Page<PaymentRequestView>> {
  const at = now();
  const where = paymentRequestWhere(input, at);
  const chain = await connectionsOf(input.workspaceId);
  const page = await paginate(input.page, {
    find: (args) => db().paymentRequest.findMany({ ...args, where: { AND: [where, args.where] } }),
    count: () => db().paymentRequest.count({ where }),
  });
  const routing = routingOf(chain.routing);
  return {
    ...page,
    items: page.items.map((row) => ({ ...row, status: statusOf(row, at), resolvedProviderConnectionId: resolveConnection(row, routing, chain.connections).connectionId })),
  };
}

/** How many pay-links `listWorkspacePaymentRequests` lists with these filters. */
export async function countWorkspacePaymentRequests(input: PaymentRequestFilter): Promise<number> {
  return db().paymentRequest.count({ where: paymentRequestWhere(input, now()) });
}

/** How many payments each of these pay-links has had (checkouts opened), in one grouped read; a link with none is absent. */
export async function paymentCountsOf(input: { workspaceId: string; paymentRequestIds: string[] }): Promise<Map<string, number>> {
  if (input.paymentRequestIds.length === 0) return new Map();
  const groups = await db().transaction.groupBy({
    by: ["paymentRequestId"],
    where: { workspaceId: input.workspaceId, paymentRequestId: { in: input.paymentRequestIds } },
    _count: { _all: true },
  });
  return new Map(groups.map((g) => [g.paymentRequestId!, g._count._all]));
}

/** A pay-link's payments (one per checkout opened), newest first. */
export async function transactionsOfPaymentRequest(input: { workspaceId: string; paymentRequestId: string }) {
  return db().transaction.findMany({
    where: { workspaceId: input.workspaceId, paymentRequestId: input.paymentRequestId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: 100,
  });
}

const transactionsOf = (input: { workspaceId: string; paymentRequestId: string }) => ({ workspaceId: input.workspaceId, paymentRequestId: input.paymentRequestId });

/** A pay-link's payments newest first, a page at a time: the whole list (its export), where the page shows the latest 100. */
export async function pageOfTransactionsOfPaymentRequest(input: { workspaceId: string; paymentRequestId: string; page: PageRequest }) {
  const where = transactionsOf(input);
  return paginate(input.page, {
    find: (args) => db().transaction.findMany({ ...args, where: { ...where, ...args.where } }),
    count: () => db().transaction.count({ where }),
  });
}

/** How many payments a pay-link has had. */
export async function countTransactionsOfPaymentRequest(input: { workspaceId: string; paymentRequestId: string }): Promise<number> {
  return db().transaction.count({ where: transactionsOf(input) });
}

/** Refunds that hold money back from a new one (refunds.server.ts): all but the failed and rejected. */
const HOLDING = ["pending", "processing", "completed"];

/** A payment by its public id (TX…), with its refunds newest first and what is left to refund. */
export async function transactionByPublicId(input: { workspaceId: string; publicId: string }) {
  const transaction = await db().transaction.findFirst({
    where: { publicId: input.publicId, workspaceId: input.workspaceId },
    include: { refunds: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] } },
  });
  if (!transaction) throw new AppError("transaction_not_found", `No payment ${input.publicId} in this workspace.`);
  const held = transaction.refunds.filter((r) => HOLDING.includes(r.status)).reduce((sum, r) => sum + r.amountMinor, 0);
  const paymentRequest = transaction.paymentRequestId
    ? await db().paymentRequest.findFirst({ where: { id: transaction.paymentRequestId, workspaceId: input.workspaceId }, select: { id: true, description: true, shortCode: true } })
    : null;
  return { ...transaction, refundableMinor: Math.max(0, transaction.amountMinor - held), paymentRequest };
}

/** What a pay-link for a recovery is made from: the amount due, its customer; null when not this workspace's. */
export async function recoveryForPayLink(input: { workspaceId: string; recoveryId: string }) {
  return db().recovery.findFirst({
    where: { id: input.recoveryId, workspaceId: input.workspaceId },
    select: {
      id: true,
      status: true,
      amountDueMinor: true,
      currency: true,
      externalId: true,
      livemode: true,
      customer: { select: { email: true, name: true } },
    },
  });
}

/** The newest pay-link still open (not expired) for a recovery, if any. */
export async function openPayLinkOfRecovery(input: { workspaceId: string; recoveryId: string }) {
  const at = now();
  return db().paymentRequest.findFirst({
    where: { workspaceId: input.workspaceId, recoveryId: input.recoveryId, status: "open", OR: [{ expiresAt: null }, { expiresAt: { gt: at } }] },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
  });
}
