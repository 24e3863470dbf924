// ND8's payments (seed 003): hosted checkout, a payment by id with its deposit attempts, refunds.
// Money is integer minor units inside and ND8's decimal strings on its wire, converted exactly.
import { z } from "zod";
import { createHostedCheckout } from "~/domain/collect/checkout.server";
import { createRefund, findRefund, listRefunds, REFUND_ORDERINGS } from "~/domain/collect/refunds.server";
import { currentTransaction } from "~/domain/collect/transactions.server";
import { AppError } from "~/domain/errors";
import type { Caller } from "~/http/auth.server";
import { decimalToMinor, minorToDecimal } from "~/utils/money";
import type { Refund, Transaction } from "../../../generated/prisma/client";
import { publicOrNumeric } from "./http.server";

export const SANDBOX_OUTCOMES = ["payment_failed", "checkout_canceled", "canceled", "success_pending_deposit", "checkout_pending"] as const;

const Quantity = z.number().int().min(1).max(10_000).default(1);

/** ND8's ProductItem: a catalogue id, or an ad-hoc name and unit price (a JSON number, read exactly). */
const ProductItemSchema = z.union([
  z.object({ id: z.string().min(1).max(255), quantity: Quantity }).strict(),
  z.object({ name: z.string().min(1).max(255), unit_price: z.number().positive(), quantity: Quantity }).strict(),
]);

const Billing = {
  billing_country: z.string().length(2, "a two-letter country code"),
  billing_postal_code: z.string().max(20).optional(),
  billing_first_name: z.string().min(1).max(100),
  billing_last_name: z.string().min(1).max(100),
  billing_email: z.email().max(254),
  billing_phone: z.string().max(40).optional(),
  successUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  failedUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
  cancelUrl: z.url({ protocol: /^https?$/ }).max(2048).optional(),
};

export const CheckoutCreateSchema = z.object({
  ...Billing,
  currency: z.enum(["USD", "EUR"]).default("USD"),
  products: z.array(ProductItemSchema).min(1).max(100),
  sandbox_simulate: z.enum(SANDBOX_OUTCOMES).optional(),
});

export const BillingSchema = z.object({ ...Billing, currency: z.enum(["USD", "EUR"]).optional() });

/** ND8's answer to a new checkout: `checkout_id` is `order_id`, `expires_at` a Unix time. */
export function checkoutCreated(transaction: Transaction, checkoutUrl: string) {
  return {
    checkout_id: transaction.publicId,
    order_id: transaction.publicId,
    checkout_url: checkoutUrl,
    token: transaction.checkoutToken!,
    expires_at: Math.floor((transaction.checkoutExpiresAt ?? new Date(Date.now() + 24 * 3600_000)).getTime() / 1000),
  };
}

export async function createCheckoutFor(caller: Caller, body: z.output<typeof CheckoutCreateSchema>) {
  if (body.sandbox_simulate && caller.livemode) throw new AppError("validation_failed", "sandbox_simulate: only sandbox (rk_test_) API keys may script an outcome.");
  const items = body.products.map((p) => {
    if ("id" in p) return { id: p.id, quantity: p.quantity };
    const unitAmountMinor = decimalToMinor(String(p.unit_price), body.currency);
    if (unitAmountMinor === null || unitAmountMinor <= 0) throw new AppError("validation_failed", `products: unit_price ${p.unit_price} is not an amount in ${body.currency}.`);
    return { name: p.name, unitAmountMinor, quantity: p.quantity };
  });
  const { transaction, checkoutUrl } = await createHostedCheckout({
    workspaceId: caller.workspaceId,
    source: "checkout",
    currency: body.currency,
    items,
    payer: { email: body.billing_email, name: `${body.billing_first_name} ${body.billing_last_name}` },
    successUrl: body.successUrl ?? null,
    failedUrl: body.failedUrl ?? null,
    cancelUrl: body.cancelUrl ?? null,
    sandboxSimulate: body.sandbox_simulate ?? null,
  });
  return checkoutCreated(transaction, checkoutUrl);
}

interface StoredProduct {
  id: string | null;
  name: string;
}

interface StoredAttempt {
  status: string;
  paymentId: string;
  attemptedAt: string;
  errorMessage: string | null;
  paymentMethod: string;
}

/** ND8's Payment. `amount` is net of fees: Recoup takes none, so it is the amount charged. */
export function paymentOf(transaction: Transaction) {
  return {
    id: transaction.publicId,
    amount: minorToDecimal(transaction.amountMinor, transaction.currency),
    status: transaction.status,
    currency: transaction.currency,
    ...(transaction.payerEmail ? { payer_email: transaction.payerEmail } : {}),
    products: (transaction.products as unknown as StoredProduct[]).map((p, i) => ({ id: p.id ?? `item_${i + 1}`, name: p.name })),
    created_at: transaction.createdAt.toISOString(),
    depositAttempts: (transaction.attempts as unknown as StoredAttempt[]).map((a) => ({
      status: a.status,
      paymentId: a.paymentId,
      attemptedAt: a.attemptedAt,
      errorMessage: a.errorMessage,
      paymentMethod: a.paymentMethod,
    })),
  };
}

export async function getPaymentFor(caller: Caller, id: string | undefined) {
  return paymentOf(await currentTransaction({ workspaceId: caller.workspaceId, ref: publicOrNumeric(id, "TX") }));
}

export const RefundCreateSchema = z.object({
  reason: z.string().trim().min(1).max(500),
  amount: z.string().max(20).optional(),
});

export async function refundFor(caller: Caller, id: string | undefined, body: z.output<typeof RefundCreateSchema>) {
  const transaction = await currentTransaction({ workspaceId: caller.workspaceId, ref: publicOrNumeric(id, "TX") });
  let amountMinor: number | null = null;
  if (body.amount !== undefined) {
    amountMinor = decimalToMinor(body.amount, transaction.currency);
    if (amountMinor === null) throw new AppError("validation_failed", `amount: "${body.amount}" is not an amount in ${transaction.currency} (e.g. "40.00").`);
  }
  const refund = await createRefund({ workspaceId: caller.workspaceId, transactionId: transaction.id, amountMinor, reason: body.reason });
  return {
    status: refund.status,
    refund_id: refund.numericId,
    refund_public_id: refund.publicId.replace(/^RF/, ""),
    transaction_id: transaction.numericId,
    amount: minorToDecimal(refund.amountMinor, refund.currency),
    currency: refund.currency,
    ...(refund.currency === "USD" ? { amount_usd: minorToDecimal(refund.amountMinor, "USD") } : {}),
    amount_in_cents: refund.amountMinor,
  };
}

function refundOf(refund: Refund & { transaction: { publicId: string } }) {
  return {
    id: refund.publicId,
    transaction_id: refund.transaction.publicId,
    amount: minorToDecimal(refund.amountMinor, refund.currency),
    currency: refund.currency,
    amount_in_cents: refund.amountMinor,
    amount_usd: refund.currency === "USD" ? minorToDecimal(refund.amountMinor, "USD") : null,
    reason: refund.reason,
    status: refund.status,
    created_at: refund.createdAt.toISOString(),
    updated_at: refund.updatedAt.toISOString(),
  };
}

export const RefundListQuerySchema = z.object({
  status: z.enum(["pending", "processing", "completed", "failed", "rejected"]).optional(),
  created_at__gte: z.iso.datetime({ offset: true }).optional(),
  created_at__lte: z.iso.datetime({ offset: true }).optional(),
  search: z.string().max(200).optional(),
  ordering: z.enum(REFUND_ORDERINGS).default("-created_at"),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
  page_size: z.coerce.number().int().min(1).max(100).default(50),
});

export async function listRefundsFor(caller: Caller, query: z.output<typeof RefundListQuerySchema>) {
  const { items, total } = await listRefunds({
    workspaceId: caller.workspaceId,
    status: query.status,
    createdFrom: query.created_at__gte ? new Date(query.created_at__gte) : undefined,
    createdTo: query.created_at__lte ? new Date(query.created_at__lte) : undefined,
    search: query.search,
    ordering: query.ordering,
    page: query.page,
    pageSize: query.page_size,
  });
  return { items: items.map(refundOf), total };
}

export async function getRefundFor(caller: Caller, id: string | undefined) {
  return refundOf(await findRefund({ workspaceId: caller.workspaceId, ref: publicOrNumeric(id, "RF") }));
}
