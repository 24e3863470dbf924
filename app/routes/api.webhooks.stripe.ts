import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_EVENT_BYTES, receiveStripeEvent } from "~/providers/stripe/intake.server";
import { readRawBody } from "~/http/body.server";
import { apiHandler, json, problem } from "~/http/problem.server";

export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  const rawBody = await readRawBody(request, MAX_EVENT_BYTES);
  const result = await receiveStripeEvent({ rawBody, signature: request.headers.get("stripe-signature") });
  return json({ received: true, ...result });
});

export const loader = apiHandler(async () => {
  return problem("method_not_allowed", "POST Stripe events to this endpoint.", { headers: { Allow: "POST" } });
});
