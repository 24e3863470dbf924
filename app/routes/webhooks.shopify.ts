import type { ActionFunctionArgs } from "@remix-run/node";
import { receiveShopifyWebhook } from "~/providers/shopify/webhooks.server";
import { apiHandler, json, problem } from "~/http/problem.server";
import { shopify } from "~/shopify.server";
import { AppError } from "~/domain/errors";

const MAX_BYTES = 512 * 1024;
const REFUSALS: Record<number, [ "invalid_signature" | "malformed_event" | "method_not_allowed", string]> = {
  401: ["invalid_signature", "X-Shopify-Hmac-Sha256 does not match this payload."],
  400: ["malformed_event", "Not a Shopify webhook: a required X-Shopify-* header is missing."],
  405: ["method_not_allowed", "POST Shopify webhooks to this endpoint."],
};

// Every topic in shopify.app.toml posts here: verify (HMAC), store (unique webhook id), enqueue, answer 200.
export const action = apiHandler(async ({ request }: ActionFunctionArgs) => {
  if (Number(request.headers.get("content-length") ?? 0) > MAX_BYTES) throw new AppError("payload_too_large", "The body is too large for a webhook.");
  let ctx;
  try {
    ctx = await shopify().authenticate.webhook(request);
  } catch (error) {
    // The library answers with bare status codes; ours are problem+json.
    if (error instanceof Response && REFUSALS[error.status]) throw new AppError(...REFUSALS[error.status]!);
    if (error instanceof SyntaxError) throw new AppError("malformed_event", "The body is not valid JSON.");
    throw error;
  }
  // The header keeps Shopify's own spelling (app/uninstalled); ctx.topic is an enum name.
  const topic = request.headers.get("x-shopify-topic") ?? String(ctx.topic);
  const result = await receiveShopifyWebhook({ webhookId: ctx.webhookId, topic, shop: ctx.shop, apiVersion: ctx.apiVersion, payload: ctx.payload });
  return json({ received: true, ...result });
});

export const loader = apiHandler(async () => problem("method_not_allowed", "POST Shopify webhooks to this endpoint.", { headers: { Allow: "POST" } }));
