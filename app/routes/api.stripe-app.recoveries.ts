import { z } from "zod";
import { authenticateStripeApp, SignedBodySchema, stripeAppAction, stripeAppLoader } from "~/contracts/stripe-app/requests.server";
import { getStripeAppRecoveries } from "~/contracts/stripe-app/views.server";
import { json } from "~/http/problem.server";

// The customer and invoice pages: that object's recoveries and the latest one's timeline.
const BodySchema = SignedBodySchema.extend({
  customer_id: z.string().regex(/^cus_[A-Za-z0-9]+$/, "must be a Stripe customer id (cus_…)").optional(),
  invoice_id: z.string().regex(/^in_[A-Za-z0-9]+$/, "must be a Stripe invoice id (in_…)").optional(),
});

export const loader = stripeAppLoader;

export const action = stripeAppAction(async ({ request }) => {
  const app = await authenticateStripeApp(request, BodySchema);
  const { customer_id: customerId, invoice_id: invoiceId } = app.body;
  return json(await getStripeAppRecoveries({ workspaceId: app.workspaceId, customerId, invoiceId }));
});
