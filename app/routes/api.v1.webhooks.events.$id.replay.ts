import { replayWebhookDelivery } from "~/domain/webhooks/delivery.server";
import { DeliveryIdParamsSchema, WebhookDeliveryDetailSchema } from "~/domain/webhooks/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const replay = defineEndpoint({
  method: "POST",
  path: "/api/v1/webhooks/events/{id}/replay",
  scope: "webhooks",
  summary: "Replay a webhook delivery",
  description:
    "Sends the delivery's event to its endpoint again now, with the same event id (receivers that saw it answer 2xx and do nothing), as a new attempt marked `replay`. Answers 202 with the delivery; the attempt follows within seconds. A disabled endpoint must be enabled first (409).",
  tags: ["Webhooks"],
  params: DeliveryIdParamsSchema,
  response: WebhookDeliveryDetailSchema,
  status: 202,
  errors: ["webhook_delivery_not_found", "conflict"],
  handler: ({ workspaceId, params }) => replayWebhookDelivery({ workspaceId, id: params.id }),
});

const route = routeOf(replay);
export const loader = route.loader;
export const action = route.action;
