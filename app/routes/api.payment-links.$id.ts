import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body, nd8TokenCaller } from "~/contracts/nd8/http.server";
import { deletePaymentLinkFor, getPaymentLinkFor, patchPaymentLinkFor, PaymentLinkPatchSchema } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET, PATCH and DELETE /api/payment-links/{id}/ (seed 003): a link with its stats; DELETE is soft (204).
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request, params }) => {
  const caller = await nd8TokenCaller(request, "read");
  return json(await getPaymentLinkFor(caller, params.id));
});

export const action = apiHandler<ActionFunctionArgs>(async ({ request, params }) => {
  if (request.method === "PATCH") {
    const caller = await nd8TokenCaller(request, "write");
    return json(await patchPaymentLinkFor(caller, params.id, await nd8Body(request, PaymentLinkPatchSchema)));
  }
  if (request.method === "DELETE") {
    const caller = await nd8TokenCaller(request, "write");
    await deletePaymentLinkFor(caller, params.id);
    return new Response(null, { status: 204 });
  }
  return methodNotAllowed(request, ["GET", "PATCH", "DELETE"]);
});
