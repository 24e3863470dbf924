import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8KeyCaller } from "~/contracts/nd8/http.server";
import { getRefundFor } from "~/contracts/nd8/payments.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET /api/refunds/{id}/ (seed 003): by public (RF…) or numeric id.
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request, params }) => {
  const caller = await nd8KeyCaller(request, ["refunds:read", "payments:read"]);
  return json(await getRefundFor(caller, params.id));
});

export const action = apiHandler(async ({ request }) => methodNotAllowed(request, ["GET"]));
