import type { MetaFunction } from "@remix-run/node";
import { PaymentsDetail, PaymentsDetailError } from "~/components/PaymentsDetail";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { paymentDetailAction, paymentDetailLoader } from "~/contracts/dashboard/payments-pages.server";

// /dashboard/payments/:id: one pay-link, where it lands now, its history and payments; cancel it, pin it to a provider.
export const loader = paymentDetailLoader(requireDashboardSession, "/dashboard", { exportPath: "/dashboard/export/transactions.csv" });
export const action = paymentDetailAction(requireDashboardSession);

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `${data.link.amount} · ${data.link.description} · Payments · Recoup` : "Payment request · Recoup" }];

export default PaymentsDetail;

export function ErrorBoundary() {
  return <PaymentsDetailError basePath="/dashboard" />;
}
