import { redirect, type ActionFunctionArgs } from "@remix-run/node";
import { replayInbox } from "~/domain/inbox/inbox.server";
import { stripeEvents } from "~/providers/stripe/events.server";
import { can } from "~/domain/access/roles";
import { requireDashboardSession } from "~/contracts/dashboard/dashboard-session.server";

// The overview's "Retry now" on Stripe events Recoup could not process (docs/decisions/0025): this
// workspace's failed and delayed events run again. Admins and the owner, like connecting Stripe.
export async function action({ request }: ActionFunctionArgs) {
  const session = await requireDashboardSession(request).catch(() => null);
  if (!session) return redirect("/dashboard");
  if (!can(session.role, "manage_connections")) return redirect("/dashboard?replay=forbidden");
  const { replayed } = await replayInbox(stripeEvents, { workspaceId: session.workspaceId });
  return redirect(`/dashboard?replayed=${replayed.length}`);
}

export const loader = () => redirect("/dashboard");
