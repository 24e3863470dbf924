import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body } from "~/contracts/nd8/http.server";
import { PaymentLinkStartSchema, startPaymentLinkFor } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";
import { clientAddress, countRequest } from "~/http/rate-limit.server";

// ND8's POST /api/payment-links/public/{token}/start/ (seed 003): the customer's hosted checkout from the
// link's snapshot (201, as a checkout's). No credential: counted by address; 410 when the link cannot be paid.
export const action = apiHandler<ActionFunctionArgs>(async ({ request, params }) => {
  if (request.method !== "POST") methodNotAllowed(request, ["POST"]);
  await countRequest(request, `ip:${clientAddress(request)}`, "api-v1");
  const started = await startPaymentLinkFor(params.token, await nd8Body(request, PaymentLinkStartSchema));
  return "gone" in started ? json({ detail: started.gone }, 410) : json(started.created, 201);
});

export const loader = apiHandler(async ({ request }) => methodNotAllowed(request, ["POST"]));
