import type { MetaFunction } from "@remix-run/node";
import { data } from "@remix-run/node";
import { RecoveryDetailError, RecoveryDetailView } from "~/components/RecoveryDetailView";
import { findSession } from "~/domain/auth/sessions.server";
import { sessionCookie } from "~/http/auth.server";
import { recoveryDetailAction, recoveryDetailLoader } from "~/http/recovery-detail.server";

async function workspaceOf(request: Request): Promise<string> {
  const token = sessionCookie(request);
  const session = token ? await findSession(token) : null;
  // The layout shows the sign-in page instead of this one.
  if (!session) throw data("Sign in to see the dashboard.", { status: 401 });
  return session.workspaceId;
}

export const loader = recoveryDetailLoader(workspaceOf, "/dashboard");
export const action = recoveryDetailAction(workspaceOf);

export const meta: MetaFunction<typeof loader> = ({ data }) => [{ title: data ? `Recovery ${data.attempt.stripeInvoiceId} · Recoup` : "Recovery · Recoup" }];

export default RecoveryDetailView;

export function ErrorBoundary() {
  return <RecoveryDetailError basePath="/dashboard" />;
}
