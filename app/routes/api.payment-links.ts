import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body, nd8Query, nd8TokenCaller } from "~/contracts/nd8/http.server";
import { createPaymentLinkFor, listPaymentLinksFor, ListQuerySchema, PaymentLinkCreateSchema } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET and POST /api/payment-links/ (seed 003): dashboard only. The list is a bare array; X-Total-Count says how many in all.
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await nd8TokenCaller(request, "read");
  const { items, total } = await listPaymentLinksFor(caller, nd8Query(request, ListQuerySchema));
  return json(items, { headers: { "X-Total-Count": String(total) } });
});

export const action = apiHandler<ActionFunctionArgs>(async ({ request }) => {
  if (request.method !== "POST") methodNotAllowed(request, ["GET", "POST"]);
  const caller = await nd8TokenCaller(request, "write");
  return json(await createPaymentLinkFor(caller, await nd8Body(request, PaymentLinkCreateSchema)), 201);
});
