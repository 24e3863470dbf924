import { rotateWebhookSecret } from "~/domain/webhooks/endpoints.server";
import { EndpointIdParamsSchema, RotateSecretBodySchema, RotatedWebhookEndpointSchema } from "~/domain/webhooks/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const rotate = defineEndpoint({
  method: "POST",
  path: "/api/v1/webhooks/endpoints/{id}/rotate-secret",
  scope: "webhooks",
  summary: "Rotate a webhook endpoint's signing secret",
  description:
    "Makes a new signing secret, returned this once. For `expires_in_hours` (default 24, at most 168) every delivery carries two `v1=` signatures in `Recoup-Signature`, the new secret's and the previous one's, so the receiver can switch without refusing an event; after that only the new secret signs.",
  tags: ["Webhooks"],
  params: EndpointIdParamsSchema,
  body: RotateSecretBodySchema,
  response: RotatedWebhookEndpointSchema,
  errors: ["webhook_endpoint_not_found"],
  example: { body: { expires_in_hours: 24 } },
  handler: ({ workspaceId, params, body }) => rotateWebhookSecret({ workspaceId, id: params.id, expiresInHours: body.expires_in_hours ?? 24 }),
});

const route = routeOf(rotate);
export const loader = route.loader;
export const action = route.action;
