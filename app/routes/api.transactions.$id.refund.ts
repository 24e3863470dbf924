import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body, nd8KeyCaller } from "~/contracts/nd8/http.server";
import { RefundCreateSchema, refundFor } from "~/contracts/nd8/payments.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's POST /api/transactions/{id}/refund/ (seed 003): full or partial; `refunds:write` or `payments:write`.
export const action = apiHandler<ActionFunctionArgs>(async ({ request, params }) => {
  if (request.method !== "POST") methodNotAllowed(request, ["POST"]);
  const caller = await nd8KeyCaller(request, ["refunds:write", "payments:write"]);
  return json(await refundFor(caller, params.id, await nd8Body(request, RefundCreateSchema)));
});

export const loader = apiHandler(async ({ request }) => methodNotAllowed(request, ["POST"]));
