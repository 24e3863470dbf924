// The Payments pages' lists: the pay-links with the list's tab and search, and one pay-link's
// payments (the list on its page). Both modes, as the pages show them (ADR 0032).
import { z } from "zod";
import { payLinkUrl } from "~/contracts/flow-arc/payment-requests.server";
import {
  countTransactionsOfPaymentRequest,
  countWorkspacePaymentRequests,
  listWorkspacePaymentRequests,
  pageOfTransactionsOfPaymentRequest,
  paymentCountsOf,
  paymentRequestScope,
  type PaymentRequestFilter,
} from "~/domain/collect/reads.server";
import type { PaymentRequestView } from "~/domain/collect/payment-requests.server";
import { AppError } from "~/domain/errors";
import { csvDate, csvMoney } from "~/domain/exports/csv";
import { PaymentListQuerySchema } from "../payments-pages.server";
import { csvDownload, exportNotFound, exportZone } from "./csv-response.server";

const mode = (livemode: boolean) => (livemode ? "live" : "test");

const PAYMENT_REQUEST_HEADER = [
  "payment_request_id",
  "short_code",
  "pay_link_url",
  "description",
  "status",
  "mode",
  "setup_test",
  "amount",
  "currency",
  "customer_name",
  "customer_email",
  "customer_mobile",
  "reference",
  "recovery_id",
  "payments",
  "created_at",
  "expires_at",
  "paid_at",
  "cancelled_at",
];

/** The pay-links the URL's tab (`status`) and search (`q`) select, newest first, with how many payments each had. */
export async function exportPaymentRequestsCsv(input: { workspaceId: string; url: URL }): Promise<Response> {
  const { zone, filename } = await exportZone(input.workspaceId, "payments");
  const query = PaymentListQuerySchema.parse(Object.fromEntries(input.url.searchParams));
  const filter: PaymentRequestFilter = { workspaceId: input.workspaceId, status: query.status === "all" ? undefined : query.status, search: query.q || undefined };
  const total = await countWorkspacePaymentRequests(filter);
  return csvDownload({
    filename,
    header: PAYMENT_REQUEST_HEADER,
    total,
    fetch: async (after: (PaymentRequestView & { payments: number }) | null, size) => {
      const page = await listWorkspacePaymentRequests({ ...filter, page: { mode: "cursor", limit: size, after } });
      const counts = await paymentCountsOf({ workspaceId: input.workspaceId, paymentRequestIds: page.items.map((p) => p.id) });
      return page.items.map((p) => ({ ...p, payments: counts.get(p.id) ?? 0 }));
    },
    toCells: (p) => [
      p.id,
      p.shortCode,
      payLinkUrl(p.shortCode),
      p.description,
      p.status,
      mode(p.livemode),
      p.isSetupTest,
      csvMoney(p.amountMinor, p.currency),
      p.currency.toUpperCase(),
      p.customerName,
      p.customerEmail,
      p.customerMobile,
      p.customerReference,
      p.recoveryId,
      p.payments,
      csvDate(p.createdAt, zone),
      csvDate(p.expiresAt, zone),
      csvDate(p.succeededAt, zone),
      csvDate(p.cancelledAt, zone),
    ],
  });
}

const TRANSACTION_HEADER = [
  "payment_id",
  "payment_request_id",
  "status",
  "amount",
  "refunded_amount",
  "currency",
  "provider",
  "mode",
  "payer_name",
  "payer_email",
  "provider_payment_id",
  "failure",
  "created_at",
  "paid_at",
];

const PaymentRequestIdSchema = z.uuid();

/** Every payment of the pay-link `?payment=<id>` (its page lists the latest 100), newest first; another workspace's link is a 404. */
export async function exportTransactionsCsv(input: { workspaceId: string; url: URL }): Promise<Response> {
  const id = PaymentRequestIdSchema.safeParse(input.url.searchParams.get("payment") ?? "");
  const notFound = () => exportNotFound("No payment request with that id in this workspace.");
  if (!id.success) return notFound();
  const scope = await paymentRequestScope({ workspaceId: input.workspaceId, id: id.data }).catch((error: unknown) => {
    if (error instanceof AppError && error.code === "payment_request_not_found") return null;
    throw error;
  });
  if (!scope) return notFound();
  const { zone, filename } = await exportZone(input.workspaceId, "transactions");
  const of = { workspaceId: input.workspaceId, paymentRequestId: scope.id };
  const total = await countTransactionsOfPaymentRequest(of);
  return csvDownload({
    filename,
    header: TRANSACTION_HEADER,
    total,
    fetch: async (after: Awaited<ReturnType<typeof pageOfTransactionsOfPaymentRequest>>["items"][number] | null, size) =>
      (await pageOfTransactionsOfPaymentRequest({ ...of, page: { mode: "cursor", limit: size, after } })).items,
    toCells: (t) => [
      t.publicId,
      t.paymentRequestId,
      t.status,
      csvMoney(t.amountMinor, t.currency),
      csvMoney(t.refundedMinor, t.currency),
      t.currency.toUpperCase(),
      t.provider,
      mode(t.livemode),
      t.payerName,
      t.payerEmail,
      t.providerPaymentId,
      t.failure,
      csvDate(t.createdAt, zone),
      csvDate(t.paidAt, zone),
    ],
  });
}
