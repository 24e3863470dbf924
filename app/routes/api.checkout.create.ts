import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body, nd8KeyCaller } from "~/contracts/nd8/http.server";
import { CheckoutCreateSchema, createCheckoutFor } from "~/contracts/nd8/payments.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's POST /api/checkout/create/ (seed 003): a hosted checkout; `checkout:create` scope.
export const action = apiHandler<ActionFunctionArgs>(async ({ request }) => {
  if (request.method !== "POST") methodNotAllowed(request, ["POST"]);
  const caller = await nd8KeyCaller(request, ["checkout:create"]);
  return json(await createCheckoutFor(caller, await nd8Body(request, CheckoutCreateSchema)), 201);
});

export const loader = apiHandler(async ({ request }) => methodNotAllowed(request, ["POST"]));
