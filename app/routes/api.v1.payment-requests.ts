import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { documented } from "~/contracts/api-v1/endpoint.server";
import { flowArcBody, flowArcCaller, flowArcQuery } from "~/contracts/flow-arc/http.server";
import {
  CreateSchema,
  createForCaller,
  ListQuerySchema,
  listForCaller,
  PaymentRequestListSchema,
  PaymentRequestResponseSchema,
} from "~/contracts/flow-arc/payment-requests.server";
import { apiHandler, json, problem } from "~/http/problem.server";

// Flow Arc's POST and GET /api/v1/payment-requests (seed 001), exactly.
export const loader = documented(
  {
    method: "GET",
    path: "/api/v1/payment-requests",
    summary: "List payment requests (Flow Arc's contract)",
    description: "Newest first; `status` filters, `cursor`/`limit` (1–100, 20) page. Flow Arc's bare `{items, next_cursor}` and `{error, message}` errors.",
    tags: ["Pay-links"],
    auth: "required",
    scope: "read:payment_requests",
    query: ListQuerySchema,
    response: PaymentRequestListSchema,
    errors: ["unauthorized", "validation_failed", "insufficient_scope", "rate_limited"],
  },
  apiHandler<LoaderFunctionArgs>(async ({ request }) => {
    const caller = await flowArcCaller(request, "read:payment_requests");
    return json(await listForCaller(caller, flowArcQuery(request, ListQuerySchema)));
  }),
);

export const action = documented(
  {
    method: "POST",
    path: "/api/v1/payment-requests",
    summary: "Create a payment request (Flow Arc's contract)",
    description:
      "A pay-link with a 12-character short code, its URL and QR code. Routing is live on every click (override → fallback → primary/secondary). `customer_mobile` is parsed UK-first into E.164. 400 for a malformed body, 422 when `provider_override_id` is not a connected provider of this workspace. Recoup adds `recovery_id`: the link's payment settles that recovery.",
    tags: ["Pay-links"],
    auth: "required",
    scope: "write:payment_requests",
    body: CreateSchema,
    response: PaymentRequestResponseSchema,
    status: 201,
    errors: ["unauthorized", "validation_failed", "provider_connection_invalid", "insufficient_scope", "rate_limited"],
    example: { body: { amount_minor: 2499, description: "Invoice #42 – consultation", customer_mobile: "07911 123456" } },
  },
  apiHandler<ActionFunctionArgs>(async ({ request }) => {
    if (request.method !== "POST") return problem("method_not_allowed", "Use GET or POST here.", { headers: { Allow: "GET, POST" }, instance: new URL(request.url).pathname });
    const caller = await flowArcCaller(request, "write:payment_requests");
    return json(await createForCaller(caller, await flowArcBody(request, CreateSchema, 400)), 201);
  }),
);
