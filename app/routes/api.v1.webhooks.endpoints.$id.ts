import { deleteWebhookEndpoint, updateWebhookEndpoint } from "~/domain/webhooks/endpoints.server";
import { EndpointIdParamsSchema, DeletedWebhookEndpointSchema, UpdateWebhookEndpointSchema, WebhookEndpointSchema } from "~/domain/webhooks/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const params = EndpointIdParamsSchema;

const update = defineEndpoint({
  method: "PUT",
  path: "/api/v1/webhooks/endpoints/{id}",
  scope: "webhooks",
  summary: "Update a webhook endpoint",
  description: "Changes the URL, events, description or `enabled`; fields left out stay as they are. The signing secret does not change.",
  tags: ["Webhooks"],
  params,
  body: UpdateWebhookEndpointSchema,
  response: WebhookEndpointSchema,
  errors: ["webhook_endpoint_not_found"],
  example: { body: { enabled: false } },
  handler: ({ workspaceId, params, body }) => updateWebhookEndpoint({ workspaceId, id: params.id, ...body }),
});

const remove = defineEndpoint({
  method: "DELETE",
  path: "/api/v1/webhooks/endpoints/{id}",
  scope: "webhooks",
  summary: "Delete a webhook endpoint",
  description: "Permanently; events still waiting for it are not sent.",
  tags: ["Webhooks"],
  params,
  response: DeletedWebhookEndpointSchema,
  errors: ["webhook_endpoint_not_found"],
  handler: ({ workspaceId, params }) => deleteWebhookEndpoint({ workspaceId, id: params.id }),
});

const route = routeOf(update, remove);
export const loader = route.loader;
export const action = route.action;
