import { authenticateStripeApp, stripeAppAction, stripeAppLoader } from "~/contracts/stripe-app/requests.server";
import { getStripeAppOverview } from "~/contracts/stripe-app/views.server";
import { json } from "~/http/problem.server";

// The Stripe Dashboard drawer: POST {user_id, account_id} signed by fetchStripeSignature().
export const loader = stripeAppLoader;

export const action = stripeAppAction(async ({ request }) => {
  const app = await authenticateStripeApp(request);
  return json({ created: app.created, connected: app.connected, ...(await getStripeAppOverview({ workspaceId: app.workspaceId })) });
});
