import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { RecoveryDetailError, RecoveryDetailView } from "~/components/RecoveryDetailView";
import { customerIdOfRecovery } from "~/contracts/dashboard/customers.server";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { recoveryPayLinkAction, recoveryPayLinkPanel } from "~/contracts/dashboard/payments-pages.server";
import { recoveryDetailAction, recoveryDetailLoader } from "~/contracts/dashboard/recovery-detail.server";

const workspaceOf = async (request: Request) => (await requireDashboardSession(request)).workspaceId;

const recoveryAction = recoveryDetailAction(workspaceOf);
const payLinkAction = recoveryPayLinkAction(requireDashboardSession);

/** The recovery's page, with its pay-link card (null once the recovery is closed) and a link to its customer's page. */
export async function loader(args: LoaderFunctionArgs) {
  const session = await requireDashboardSession(args.request);
  const page = await recoveryDetailLoader(async () => session.workspaceId, "/dashboard")(args);
  const [payLink, customerId] = await Promise.all([
    recoveryPayLinkPanel(session, args.params.id ?? "", "/dashboard"),
    customerIdOfRecovery({ workspaceId: session.workspaceId, recoveryId: page.attempt.id }),
  ]);
  return { ...page, payLink, customerPageUrl: customerId ? `/dashboard/customers/${customerId}` : null };
}

/** The recovery's buttons post forms; "Create pay-link" posts JSON. */
export async function action(args: ActionFunctionArgs) {
  if ((args.request.headers.get("content-type") ?? "").includes("json")) return payLinkAction(args);
  return recoveryAction(args);
}

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Recovery ${data.attempt.stripeInvoiceId} · Recoup` : "Recovery · Recoup" }];

export default RecoveryDetailView;

export function ErrorBoundary() {
  return <RecoveryDetailError basePath="/dashboard" />;
}
