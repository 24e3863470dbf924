import { createApiKey, listApiKeys } from "~/domain/auth/api-keys.server";
import { ApiKeySchema, ApiKeyWithSecretSchema, CreateApiKeySchema } from "~/domain/auth/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { pageRequest, PageQuerySchema, pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/api-keys",
  scope: "admin",
  summary: "List API keys",
  description: "The workspace's keys, newest first, with their status. Never the keys themselves.",
  tags: ["API keys"],
  query: PageQuerySchema,
  response: pageSchema(ApiKeySchema),
  handler: ({ workspaceId, query }) => listApiKeys({ workspaceId, page: pageRequest(query) }),
});

const create = defineEndpoint({
  method: "POST",
  path: "/api/v1/api-keys",
  scope: "admin",
  summary: "Create an API key",
  description: "The raw key is in this response only; Recoup stores its hash.",
  tags: ["API keys"],
  body: CreateApiKeySchema,
  response: ApiKeyWithSecretSchema,
  status: 201,
  example: { body: { name: "Billing sync", scopes: ["read", "write:payments"] } },
  handler: ({ workspaceId, caller, body }) =>
    createApiKey({ workspaceId, name: body.name, scopes: body.scopes, livemode: body.livemode, actor: { apiKeyId: caller.apiKeyId } }),
});

const route = routeOf(list, create);
export const loader = route.loader;
export const action = route.action;
