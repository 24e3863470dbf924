import { testWebhookEndpoint } from "~/domain/webhooks/events.server";
import { EndpointIdParamsSchema, WebhookTestResultSchema } from "~/domain/webhooks/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const test = defineEndpoint({
  method: "POST",
  path: "/api/v1/webhooks/endpoints/{id}/test",
  scope: "webhooks",
  summary: "Test a webhook endpoint",
  description: "Sends a signed `webhook.test` event now and returns how the endpoint answered (2xx within 10 seconds is a success).",
  tags: ["Webhooks"],
  params: EndpointIdParamsSchema,
  response: WebhookTestResultSchema,
  errors: ["webhook_endpoint_not_found"],
  handler: ({ workspaceId, params }) => testWebhookEndpoint({ workspaceId, id: params.id }),
});

const route = routeOf(test);
export const loader = route.loader;
export const action = route.action;
