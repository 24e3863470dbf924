import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Query, nd8TokenCaller } from "~/contracts/nd8/http.server";
import { ListQuerySchema, paymentLinkPaymentsFor } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET /api/payment-links/{id}/payments/ (seed 003): the link's payments, newest first (X-Total-Count: how many in all).
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request, params }) => {
  const caller = await nd8TokenCaller(request, "read");
  const { items, total } = await paymentLinkPaymentsFor(caller, params.id, nd8Query(request, ListQuerySchema));
  return json(items, { headers: { "X-Total-Count": String(total) } });
});

export const action = apiHandler(async ({ request }) => methodNotAllowed(request, ["GET"]));
