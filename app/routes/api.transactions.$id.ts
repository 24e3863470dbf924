import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8KeyCaller } from "~/contracts/nd8/http.server";
import { getPaymentFor } from "~/contracts/nd8/payments.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET /api/transactions/{id}/ (seed 003): a payment by public (TX…) or numeric id, deposit attempts newest first.
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request, params }) => {
  const caller = await nd8KeyCaller(request, ["payments:read"]);
  return json(await getPaymentFor(caller, params.id));
});

export const action = apiHandler(async ({ request }) => methodNotAllowed(request, ["GET"]));
