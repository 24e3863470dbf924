import type { MetaFunction } from "@remix-run/node";
import { PaymentsList, PaymentsListError } from "~/components/PaymentsList";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { paymentListAction, paymentListLoader } from "~/contracts/dashboard/payments-pages.server";

// /dashboard/payments: the workspace's pay-links by status, searched, a page at a time; "Create payment request".
export const loader = paymentListLoader(requireDashboardSession, "/dashboard", { exportPath: "/dashboard/export/payments.csv" });
export const action = paymentListAction(requireDashboardSession);

export const meta: MetaFunction = () => [{ title: "Payments · Recoup" }];

export default PaymentsList;
export const ErrorBoundary = PaymentsListError;
