import { getWebhookDelivery } from "~/domain/webhooks/delivery.server";
import { DeliveryIdParamsSchema, WebhookDeliveryDetailSchema } from "~/domain/webhooks/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/webhooks/events/{id}",
  scope: "webhooks",
  summary: "Get a webhook delivery",
  description: "One delivery of the log with the event as sent and every attempt, oldest first (replays marked).",
  tags: ["Webhooks"],
  params: DeliveryIdParamsSchema,
  response: WebhookDeliveryDetailSchema,
  errors: ["webhook_delivery_not_found"],
  handler: ({ workspaceId, params }) => getWebhookDelivery({ workspaceId, id: params.id }),
});

const route = routeOf(get);
export const loader = route.loader;
export const action = route.action;
