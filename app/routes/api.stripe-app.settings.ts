import { authenticateStripeApp, stripeAppAction, stripeAppLoader } from "~/contracts/stripe-app/requests.server";
import { getStripeAppSettings } from "~/contracts/stripe-app/views.server";
import { json } from "~/http/problem.server";

// The app's settings page (and onboarding): the retry policy in force and the full dashboard's URL.
export const loader = stripeAppLoader;

export const action = stripeAppAction(async ({ request }) => {
  const app = await authenticateStripeApp(request);
  return json({ created: app.created, connected: app.connected, ...(await getStripeAppSettings({ workspaceId: app.workspaceId })) });
});
