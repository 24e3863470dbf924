import type { MetaFunction } from "@remix-run/node";
import { PaymentsTransaction, PaymentsTransactionError } from "~/components/PaymentsTransaction";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { transactionAction, transactionLoader } from "~/contracts/dashboard/payments-pages.server";

// /dashboard/payments/transactions/:id (TX…): one payment, its card attempts and refunds; refund it in full or in part.
export const loader = transactionLoader(requireDashboardSession, "/dashboard");
export const action = transactionAction(requireDashboardSession);

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Payment ${data.transaction.publicId} · Recoup` : "Payment · Recoup" }];

export default PaymentsTransaction;

export function ErrorBoundary() {
  return <PaymentsTransactionError basePath="/dashboard" />;
}
