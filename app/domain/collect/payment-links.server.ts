// ND8's payment links (seed 003): a shareable checkout over a snapshot of catalogue products, made
// and managed on the dashboard (never with an API key), opened by customers by its id. Every
// dashboard read is scoped by the workspace (another workspace's id is not found); a deleted link
// is gone from the dashboard (404) and from its public page (410).
import { AppError } from "~/domain/errors";
import { paginate, type Page } from "~/domain/pagination.server";
import { now } from "~/utils/clock.server";
import { db } from "~/utils/db.server";
import { Prisma, type PaymentLink, type Transaction } from "../../../generated/prisma/client";
import { catalogLines, createHostedCheckout } from "./checkout.server";
// Payments that went through count as uses: a refund does not give the link its use back.
import { PAID_STATUSES } from "./transactions.server";

export const PAYMENT_LINK_CURRENCIES = ["USD", "EUR"] as const;
export const PRICING_MODES = ["TAX_EXCLUSIVE", "TAX_INCLUSIVE"] as const;
export type PricingMode = (typeof PRICING_MODES)[number];


/** One line of a link's snapshot, as it was priced when the link was made. */
export interface PaymentLinkLine {
  product_id: string;
  name: string;
  unit_amount_minor: number;
  quantity: number;
}

const MAX_TOTAL_MINOR = 99_999_999_99;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function linesOfLink(link: Pick<PaymentLink, "products">): PaymentLinkLine[] {
  return link.products as unknown as PaymentLinkLine[];
}

export interface PaymentLinkStats {
  paymentsCount: number;
  paidCount: number;
  paidVolumeMinor: number;
}

export interface NewPaymentLink {
  workspaceId: string;
  name: string;
  products: Array<{ productId: string; quantity: number }>;
  currency: (typeof PAYMENT_LINK_CURRENCIES)[number];
  pricingMode?: PricingMode | null;
  expiresAt?: Date | null;
  maxUses?: number | null;
  metadata?: Record<string, unknown> | null;
}

/**
 * A new link: its products are looked up in the workspace's catalogue now (an unknown id, or one
 * priced in another currency, is a validation error naming it) and kept as they are priced today.
 * Without `pricingMode` the organization's price mode applies.
 */
export async function createPaymentLink(input: NewPaymentLink): Promise<PaymentLink> {
  if (input.products.length === 0) throw new AppError("validation_failed", "products: give at least one catalogue product.");
  if (input.expiresAt && input.expiresAt <= now()) throw new AppError("validation_failed", "expires_at: must be in the future.");
  const catalog = await catalogLines({ workspaceId: input.workspaceId, ids: input.products.map((p) => p.productId), currency: input.currency });
  const lines: PaymentLinkLine[] = input.products.map((p) => {
    const item = catalog.get(p.productId)!;
    return { product_id: p.productId, name: item.name, unit_amount_minor: item.unitAmountMinor, quantity: p.quantity };
  });
  const amountMinor = lines.reduce((sum, l) => sum + l.unit_amount_minor * l.quantity, 0);
  if (amountMinor <= 0) throw new AppError("validation_failed", "products: the total must be more than zero.");
  if (!Number.isSafeInteger(amountMinor) || amountMinor > MAX_TOTAL_MINOR) throw new AppError("validation_failed", "products: the total is too large for one payment.");
  const pricingMode = input.pricingMode ?? (await db().workspace.findUniqueOrThrow({ where: { id: input.workspaceId }, select: { priceMode: true } })).priceMode;
  return db().paymentLink.create({
    data: {
      workspaceId: input.workspaceId,
      name: input.name,
      currency: input.currency,
      pricingMode,
      products: lines as unknown as Prisma.InputJsonValue,
      amountMinor,
      expiresAt: input.expiresAt ?? null,
      maxUses: input.maxUses ?? null,
      metadata: input.metadata ? (input.metadata as Prisma.InputJsonValue) : Prisma.DbNull,
    },
  });
}

/** The workspace's links that are not deleted, newest first. */
export async function listPaymentLinks(input: { workspaceId: string; page: number; pageSize: number }): Promise<Page<PaymentLink>> {
  const where = { workspaceId: input.workspaceId, deletedAt: null };
  return paginate(
    { mode: "offset", page: input.page, perPage: input.pageSize },
    {
      find: (args) => db().paymentLink.findMany({ ...args, where: { ...where, ...args.where } }),
      count: () => db().paymentLink.count({ where }),
    },
  );
}

/** The workspace's link by id; another workspace's, a deleted one or a made-up id is not found. */
async function linkOf(workspaceId: string, id: string): Promise<PaymentLink> {
  const row = UUID.test(id) ? await db().paymentLink.findFirst({ where: { id, workspaceId, deletedAt: null } }) : null;
  if (!row) throw new AppError("not_found", "No payment link with that id in this organization.");
  return row;
}

async function statsOf(link: PaymentLink): Promise<PaymentLinkStats> {
  const where = { workspaceId: link.workspaceId, paymentLinkId: link.id };
  const [paymentsCount, paid] = await Promise.all([
    db().transaction.count({ where }),
    db().transaction.aggregate({ where: { ...where, status: { in: PAID_STATUSES } }, _count: { _all: true }, _sum: { amountMinor: true } }),
  ]);
  return { paymentsCount, paidCount: paid._count._all, paidVolumeMinor: paid._sum.amountMinor ?? 0 };
}

export async function getPaymentLink(input: { workspaceId: string; id: string }): Promise<{ link: PaymentLink; stats: PaymentLinkStats }> {
  const link = await linkOf(input.workspaceId, input.id);
  return { link, stats: await statsOf(link) };
}

/** What the dashboard may change on a link: its products, amount and currency are fixed once made. */
export interface PaymentLinkPatch {
  name?: string;
  isActive?: boolean;
  expiresAt?: Date | null;
  maxUses?: number | null;
  metadata?: Record<string, unknown> | null;
}

export async function updatePaymentLink(input: { workspaceId: string; id: string; patch: PaymentLinkPatch }): Promise<{ link: PaymentLink; stats: PaymentLinkStats }> {
  const link = await linkOf(input.workspaceId, input.id);
  const { patch } = input;
  const updated = await db().paymentLink.update({
    where: { id: link.id },
    data: {
      name: patch.name,
      isActive: patch.isActive,
      expiresAt: patch.expiresAt,
      maxUses: patch.maxUses,
      metadata: patch.metadata === undefined ? undefined : patch.metadata === null ? Prisma.DbNull : (patch.metadata as Prisma.InputJsonValue),
    },
  });
  return { link: updated, stats: await statsOf(updated) };
}

/** Soft delete: the row stays (its payments still name it), inactive and marked deleted. */
export async function deletePaymentLink(input: { workspaceId: string; id: string }): Promise<void> {
  const link = await linkOf(input.workspaceId, input.id);
  await db().paymentLink.update({ where: { id: link.id }, data: { isActive: false, deletedAt: now() } });
}

/** The link's payments (every checkout started from it, whatever became of it), newest first. */
export async function paymentLinkPayments(input: { workspaceId: string; id: string; page: number; pageSize: number }): Promise<Page<Transaction>> {
  const link = await linkOf(input.workspaceId, input.id);
  const where = { workspaceId: input.workspaceId, paymentLinkId: link.id };
  return paginate(
    { mode: "offset", page: input.page, perPage: input.pageSize },
    {
      find: (args) => db().transaction.findMany({ ...args, where: { ...where, ...args.where } }),
      count: () => db().transaction.count({ where }),
    },
  );
}

export type PublicPaymentLink = { available: true; link: PaymentLink } | { available: false; link: PaymentLink; reason: string };

/**
 * The link a customer opened, by its id: not found when no link has that id (or it is not a UUID);
 * otherwise available, or gone with the reason in words (deleted, switched off, expired, used up).
 */
export async function publicPaymentLink(token: string): Promise<PublicPaymentLink> {
  const link = UUID.test(token) ? await db().paymentLink.findUnique({ where: { id: token } }) : null;
  if (!link) throw new AppError("not_found", "No payment link with that id.");
  const gone = (reason: string): PublicPaymentLink => ({ available: false, link, reason });
  if (link.deletedAt) return gone("This payment link has been deleted.");
  if (!link.isActive) return gone("This payment link is no longer active.");
  if (link.expiresAt && link.expiresAt <= now()) return gone(`This payment link expired at ${link.expiresAt.toISOString()}.`);
  if (link.maxUses !== null) {
    const paid = await db().transaction.count({ where: { workspaceId: link.workspaceId, paymentLinkId: link.id, status: { in: PAID_STATUSES } } });
    if (paid >= link.maxUses) return gone(`This payment link has been used its maximum of ${link.maxUses} time${link.maxUses === 1 ? "" : "s"}.`);
  }
  return { available: true, link };
}

export type StartedPaymentLink = { started: true; transaction: Transaction; checkoutUrl: string } | { started: false; reason: string };

/**
 * A customer's hosted checkout from the link's snapshot: the same catalogue products and quantities.
 * The catalogue is read again first: a product no longer sold, or priced differently from the
 * snapshot the customer was shown, makes the link unavailable rather than charging another amount.
 */
export async function startPaymentLink(input: {
  token: string;
  currency?: string | null;
  payer: { email: string; name: string };
  successUrl: string | null;
  failedUrl: string | null;
  cancelUrl: string | null;
}): Promise<StartedPaymentLink> {
  const found = await publicPaymentLink(input.token);
  if (!found.available) return { started: false, reason: found.reason };
  const { link } = found;
  if (input.currency && input.currency !== link.currency) {
    throw new AppError("validation_failed", `currency: this payment link charges in ${link.currency}, not ${input.currency}.`);
  }
  const lines = linesOfLink(link);
  let catalog: Awaited<ReturnType<typeof catalogLines>>;
  try {
    catalog = await catalogLines({ workspaceId: link.workspaceId, ids: lines.map((l) => l.product_id), currency: link.currency });
  } catch (error) {
    if (error instanceof AppError && error.code === "validation_failed") return { started: false, reason: `This payment link's products can no longer be sold (${error.message}).` };
    throw error;
  }
  const changed = lines.find((l) => catalog.get(l.product_id)?.unitAmountMinor !== l.unit_amount_minor);
  if (changed) return { started: false, reason: `The price of "${changed.name}" has changed since this payment link was made: ask the merchant for a new link.` };
  const { transaction, checkoutUrl } = await createHostedCheckout({
    workspaceId: link.workspaceId,
    source: "payment_link",
    paymentLinkId: link.id,
    currency: link.currency,
    // Checked against the catalogue just now: the snapshot's lines go as they are, not looked up again.
    items: lines.map((l) => ({ productId: l.product_id, name: l.name, unitAmountMinor: l.unit_amount_minor, quantity: l.quantity })),
    payer: { email: input.payer.email, name: input.payer.name },
    successUrl: input.successUrl,
    failedUrl: input.failedUrl,
    cancelUrl: input.cancelUrl,
  });
  return { started: true, transaction, checkoutUrl };
}
