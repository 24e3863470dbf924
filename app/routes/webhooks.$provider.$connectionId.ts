import type { ActionFunctionArgs } from "@remix-run/node";
import { MAX_PROCESSOR_WEBHOOK_BYTES, receiveProcessorWebhook } from "~/domain/collect/events.server";
import { readRawBody } from "~/http/body.server";
import { apiHandler, json, problem } from "~/http/problem.server";

// POST /webhooks/<processor>/<connection id>: a processor's payment events (Dojo's, ADR 0075).
// Verify (the connection's signing secret), store (unique event id), enqueue, answer 200.
export const action = apiHandler(async ({ request, params }: ActionFunctionArgs) => {
  const rawBody = await readRawBody(request, MAX_PROCESSOR_WEBHOOK_BYTES);
  const result = await receiveProcessorWebhook({ provider: params.provider ?? "", connectionId: params.connectionId ?? "", headers: request.headers, rawBody });
  return json({ received: true, ...result });
});

export const loader = apiHandler(async () => problem("method_not_allowed", "POST processor webhooks to this endpoint.", { headers: { Allow: "POST" } }));
