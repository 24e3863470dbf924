import { RecoveryDetailError, RecoveryDetailView } from "~/components/RecoveryDetailView";
import { recoveryDetailAction, recoveryDetailLoader } from "~/contracts/dashboard/recovery-detail.server";
import { authenticateShopAdmin } from "~/shopify.server";

// The recovery page inside the Shopify admin (the customer block links here): the dashboard's page.
const workspaceOf = async (request: Request) => (await authenticateShopAdmin(request)).workspaceId;

export const loader = recoveryDetailLoader(workspaceOf, "/app");
export const action = recoveryDetailAction(workspaceOf);

export default RecoveryDetailView;

export function ErrorBoundary() {
  return <RecoveryDetailError basePath="/app" />;
}
