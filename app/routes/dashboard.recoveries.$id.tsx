import type { MetaFunction } from "@remix-run/node";
import { RecoveryDetailError, RecoveryDetailView } from "~/components/RecoveryDetailView";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { recoveryDetailAction, recoveryDetailLoader } from "~/contracts/dashboard/recovery-detail.server";

const workspaceOf = async (request: Request) => (await requireDashboardSession(request)).workspaceId;

export const loader = recoveryDetailLoader(workspaceOf, "/dashboard");
export const action = recoveryDetailAction(workspaceOf);

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Recovery ${data.attempt.stripeInvoiceId} · Recoup` : "Recovery · Recoup" }];

export default RecoveryDetailView;

export function ErrorBoundary() {
  return <RecoveryDetailError basePath="/dashboard" />;
}
