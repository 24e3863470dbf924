import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Query, nd8TokenCaller } from "~/contracts/nd8/http.server";
import { dashboardFor, DashboardQuerySchema } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET /api/organization/dashboard/ (seed 003): payments and refunds by status, the wallet, the newest payments.
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await nd8TokenCaller(request, "read");
  return json(await dashboardFor(caller, nd8Query(request, DashboardQuerySchema)));
});

export const action = apiHandler(async ({ request }) => methodNotAllowed(request, ["GET"]));
