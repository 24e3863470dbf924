import { createWebhookEndpoint, listWebhookEndpoints } from "~/domain/webhooks/endpoints.server";
import { CreateWebhookEndpointSchema, WebhookEndpointSchema, WebhookEndpointWithSecretSchema } from "~/domain/webhooks/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { CursorPageQuerySchema, pageRequest, pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/webhooks/endpoints",
  scope: "webhooks|read",
  summary: "List webhook endpoints",
  description: "The workspace's endpoints, newest first (cursor pages: `limit` 50 by default, at most 200). Never their signing secrets.",
  tags: ["Webhooks"],
  query: CursorPageQuerySchema,
  response: pageSchema(WebhookEndpointSchema),
  handler: ({ workspaceId, query }) => listWebhookEndpoints({ workspaceId, page: pageRequest(query, "cursor") }),
});

const create = defineEndpoint({
  method: "POST",
  path: "/api/v1/webhooks/endpoints",
  scope: "webhooks",
  summary: "Create a webhook endpoint",
  description:
    "Recoup POSTs each event as JSON, signed: `Recoup-Signature: t=<unix>,v1=<hex HMAC-SHA256 of \"<t>.<body>\" with the signing secret>`, with `Recoup-Event-Id` and an `Idempotency-Key` equal to it. Delivery is at least once: a failed attempt is retried 1 min, 5 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h and 24 h later (about three days) with the same event id, so answer 2xx to an id you have seen. The signing secret is in this response only. Each event type's body is documented under `webhooks` in this document.",
  tags: ["Webhooks"],
  body: CreateWebhookEndpointSchema,
  response: WebhookEndpointWithSecretSchema,
  status: 201,
  example: { body: { url: "https://example.com/webhooks/recoup", events: ["payment.retry_due"], description: "Billing service" } },
  handler: ({ workspaceId, body }) => createWebhookEndpoint({ workspaceId, url: body.url, events: body.events, description: body.description }),
});

const route = routeOf(list, create);
export const loader = route.loader;
export const action = route.action;
