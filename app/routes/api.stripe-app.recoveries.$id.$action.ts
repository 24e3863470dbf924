import { z } from "zod";
import { authenticateStripeApp, stripeAppAction, stripeAppLoader } from "~/contracts/stripe-app/requests.server";
import { runStripeAppAction, STRIPE_APP_ACTIONS } from "~/contracts/stripe-app/views.server";
import { json } from "~/http/problem.server";
import { AppError } from "~/domain/errors";

// Retry now, pause or resume one recovery from the Dashboard app; answers its timeline.
const ParamsSchema = z.object({ id: z.string().min(1).max(64), action: z.string() });

export const loader = stripeAppLoader;

export const action = stripeAppAction(async ({ request, params }) => {
  const app = await authenticateStripeApp(request);
  const { id, action } = ParamsSchema.parse(params);
  const known = STRIPE_APP_ACTIONS.find((a) => a === action);
  if (!known) throw new AppError("not_found", `Unknown action "${action}": use retry, pause or resume.`);
  return json(await runStripeAppAction({ workspaceId: app.workspaceId, recoveryId: id, action: known }));
});
