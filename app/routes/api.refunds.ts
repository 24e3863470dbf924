import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8KeyCaller, nd8Query } from "~/contracts/nd8/http.server";
import { listRefundsFor, RefundListQuerySchema } from "~/contracts/nd8/payments.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET /api/refunds/ (seed 003): a bare array; X-Total-Count says how many match in all.
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await nd8KeyCaller(request, ["refunds:read", "payments:read"]);
  const { items, total } = await listRefundsFor(caller, nd8Query(request, RefundListQuerySchema));
  return json(items, { headers: { "X-Total-Count": String(total) } });
});

export const action = apiHandler(async ({ request }) => methodNotAllowed(request, ["GET"]));
