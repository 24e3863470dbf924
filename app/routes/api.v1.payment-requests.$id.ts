import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { documented } from "~/contracts/api-v1/endpoint.server";
import { flowArcBody, flowArcCaller } from "~/contracts/flow-arc/http.server";
import { getForCaller, PatchSchema, patchForCaller, PaymentRequestResponseSchema } from "~/contracts/flow-arc/payment-requests.server";
import { apiHandler, json, problem } from "~/http/problem.server";

// Flow Arc's GET and PATCH /api/v1/payment-requests/{id} (seed 001), exactly.
export const loader = documented(
  {
    method: "GET",
    path: "/api/v1/payment-requests/{id}",
    summary: "Fetch a single payment request by id (Flow Arc's contract)",
    tags: ["Pay-links"],
    auth: "required",
    scope: "read:payment_requests",
    params: z.object({ id: z.uuid() }),
    response: PaymentRequestResponseSchema,
    errors: ["unauthorized", "payment_request_not_found", "insufficient_scope", "rate_limited"],
  },
  apiHandler<LoaderFunctionArgs>(async ({ request, params }) => {
    const caller = await flowArcCaller(request, "read:payment_requests");
    return json(await getForCaller(caller, params.id));
  }),
);

export const action = documented(
  {
    method: "PATCH",
    path: "/api/v1/payment-requests/{id}",
    summary: "Cancel or re-route a payment request (Flow Arc's contract)",
    description:
      'Exactly one of `{"status": "cancelled"}` or `{"provider_override_id": "<uuid>" | null}` (null returns the link to its routing chain and keeps `fallback_triggered_at`). Both need an open link (409 otherwise); both at once, or anything else, is 422. At most 3 override changes per link per 10 minutes: then 429 with `Retry-After`.',
    tags: ["Pay-links"],
    auth: "required",
    scope: "write:payment_requests",
    params: z.object({ id: z.uuid() }),
    body: PatchSchema,
    response: PaymentRequestResponseSchema,
    errors: ["unauthorized", "payment_request_not_found", "payment_request_state_conflict", "unprocessable_entity", "provider_connection_invalid", "override_rate_limited", "rate_limited"],
    example: { body: { status: "cancelled" } },
  },
  apiHandler<ActionFunctionArgs>(async ({ request, params }) => {
    if (request.method !== "PATCH") return problem("method_not_allowed", "Use GET or PATCH here.", { headers: { Allow: "GET, PATCH" }, instance: new URL(request.url).pathname });
    const caller = await flowArcCaller(request, "write:payment_requests");
    return json(await patchForCaller(caller, params.id, await flowArcBody(request, PatchSchema, 422)));
  }),
);
