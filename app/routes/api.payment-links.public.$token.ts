import type { LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed } from "~/contracts/nd8/http.server";
import { publicPaymentLinkFor } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";
import { clientAddress, countRequest } from "~/http/rate-limit.server";

// ND8's GET /api/payment-links/public/{token}/ (seed 003): what the customer is asked to pay. No credential:
// counted by address; 404 for no such link, 410 with the reason when it cannot be paid.
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request, params }) => {
  await countRequest(request, `ip:${clientAddress(request)}`, "api-v1");
  const found = await publicPaymentLinkFor(params.token);
  return "gone" in found ? json({ detail: found.gone }, 410) : json(found.preview);
});

export const action = apiHandler(async ({ request }) => methodNotAllowed(request, ["GET"]));
