import { z } from "zod";
import { getApiKey, revokeApiKey } from "~/domain/auth/api-keys.server";
import { ApiKeySchema } from "~/domain/auth/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const Params = z.object({ id: z.string().min(1).max(100) });

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/api-keys/{id}",
  scope: "admin",
  summary: "Get an API key",
  tags: ["API keys"],
  params: Params,
  response: ApiKeySchema,
  errors: ["api_key_not_found"],
  handler: ({ workspaceId, params }) => getApiKey({ workspaceId, id: params.id }),
});

const revoke = defineEndpoint({
  method: "DELETE",
  path: "/api/v1/api-keys/{id}",
  scope: "admin",
  summary: "Revoke an API key",
  description: "The key stops working at once. Revoking a revoked key answers it unchanged.",
  tags: ["API keys"],
  params: Params,
  response: ApiKeySchema,
  errors: ["api_key_not_found"],
  handler: ({ workspaceId, params }) => revokeApiKey({ workspaceId, id: params.id }),
});

const route = routeOf(get, revoke);
export const loader = route.loader;
export const action = route.action;
