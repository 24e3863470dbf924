import { z } from "zod";
import { rotateApiKey } from "~/domain/auth/api-keys.server";
import { ApiKeyWithSecretSchema, RotateApiKeySchema } from "~/domain/auth/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const rotate = defineEndpoint({
  method: "POST",
  path: "/api/v1/api-keys/{id}/rotate",
  scope: "admin",
  summary: "Rotate an API key",
  description:
    "Issues a replacement with the same name and scopes; the raw key is in this response only. The old key keeps working for `grace_period_hours` (default 24), then stops.",
  tags: ["API keys"],
  params: z.object({ id: z.string().min(1).max(100) }),
  body: RotateApiKeySchema,
  response: ApiKeyWithSecretSchema,
  status: 201,
  errors: ["api_key_not_found", "conflict"],
  example: { body: { grace_period_hours: 24 } },
  handler: ({ workspaceId, caller, params, body }) =>
    rotateApiKey({ workspaceId, id: params.id, graceHours: body.grace_period_hours, actor: { apiKeyId: caller.apiKeyId } }),
});

const route = routeOf(rotate);
export const loader = route.loader;
export const action = route.action;
