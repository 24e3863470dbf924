import type { ActionFunctionArgs, LoaderFunctionArgs, MetaFunction } from "@remix-run/node";
import { RecoveryDetailError, RecoveryDetailView } from "~/components/RecoveryDetailView";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { recoveryPayLinkAction, recoveryPayLinkPanel } from "~/contracts/dashboard/payments-pages.server";
import { recoveryDetailAction, recoveryDetailLoader } from "~/contracts/dashboard/recovery-detail.server";

const workspaceOf = async (request: Request) => (await requireDashboardSession(request)).workspaceId;

const recoveryAction = recoveryDetailAction(workspaceOf);
const payLinkAction = recoveryPayLinkAction(requireDashboardSession);

/** The recovery's page, with its pay-link card (null once the recovery is closed). */
export async function loader(args: LoaderFunctionArgs) {
  const session = await requireDashboardSession(args.request);
  const page = await recoveryDetailLoader(async () => session.workspaceId, "/dashboard")(args);
  return { ...page, payLink: await recoveryPayLinkPanel(session, args.params.id ?? "", "/dashboard") };
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
