import type { MetaFunction } from "@remix-run/node";
import { PaymentsProviders, PaymentsProvidersError } from "~/components/PaymentsProviders";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { providersAction, providersLoader } from "~/contracts/dashboard/payments-pages.server";

// /dashboard/payments/providers: the provider connections, the routing chain, adding Dojo, £0.01 test links.
export const loader = providersLoader(requireDashboardSession, "/dashboard");
export const action = providersAction(requireDashboardSession);

export const meta: MetaFunction = () => [{ title: "Payment providers · Recoup" }];

export default PaymentsProviders;
export const ErrorBoundary = PaymentsProvidersError;
