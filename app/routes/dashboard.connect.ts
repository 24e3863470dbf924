import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { startStripeConnect } from "~/providers/stripe/connect.server";
import { can } from "~/domain/access/roles";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";
import { AppError } from "~/domain/errors";

// The dashboard's "Connect Stripe" button: off to Stripe's authorize page, back at
// /api/stripe/connect/callback, which lands on /dashboard with the outcome. Admins and the owner
// only (docs/decisions/0010-team-roles.md): a member lands back on /dashboard with why.
export async function action({ request }: ActionFunctionArgs) {
  const session = await requireDashboardSession(request).catch(() => null);
  if (!session) return redirect("/dashboard");
  if (!can(session.role, "manage_connections")) return redirect("/dashboard?connect=forbidden");
  try {
    const { redirectUrl } = await startStripeConnect({ workspaceId: session.workspaceId });
    return redirect(redirectUrl);
  } catch (error) {
    if (error instanceof AppError && error.code === "not_configured") return redirect("/dashboard?connect=not_configured");
    throw error;
  }
}

export const loader = () => redirect("/dashboard");
