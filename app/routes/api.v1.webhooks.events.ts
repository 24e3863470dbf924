import { listWebhookDeliveries } from "~/domain/webhooks/delivery.server";
import { DeliveryListQuerySchema, WebhookDeliverySchema } from "~/domain/webhooks/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { CursorPageQuerySchema, pageRequest, pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/webhooks/events",
  scope: "webhooks",
  summary: "List webhook deliveries",
  description:
    "The delivery log, newest first (cursor pages: `limit` 50 by default, at most 200): each event sent to each endpoint, its status, attempts and the last answer (status code, time, the first kilobyte of the body). A failing delivery is retried on a schedule over about three days (1 min, 5 min, 30 min, 1 h, 3 h, 6 h, 12 h, 24 h, 24 h): `next_attempt_at` says when.",
  tags: ["Webhooks"],
  query: CursorPageQuerySchema.extend(DeliveryListQuerySchema.shape),
  response: pageSchema(WebhookDeliverySchema),
  example: { query: { status: "failed", limit: "20" } },
  handler: ({ workspaceId, query }) =>
    listWebhookDeliveries({ workspaceId, endpointId: query.endpoint_id, status: query.status, page: pageRequest(query, "cursor") }),
});

const route = routeOf(list);
export const loader = route.loader;
export const action = route.action;
