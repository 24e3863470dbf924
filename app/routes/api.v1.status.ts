import { z } from "zod";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { buildInfo } from "~/utils/build-info.server";
import { API_SCHEMA_NAMES } from "~/utils/schema-names";

const StatusSchema = z
  .object({
    status: z.literal("ok"),
    version: z.string().describe("The Recoup release."),
    api_version: z.string().describe("The `Recoup-Version` this answer follows."),
    timestamp: z.iso.datetime().describe("Server time."),
    authenticated: z.boolean(),
    workspace_id: z.string().nullable().describe("The key's workspace, when a key was sent."),
    scopes: z.array(z.string()).describe("The key's scopes (empty without a key)."),
  })
  .register(API_SCHEMA_NAMES, { id: "Status" });

// LostChurn's connection check: works without a key; with one, confirms it (a wrong key is 401).
const status = defineEndpoint({
  method: "GET",
  path: "/api/v1/status",
  auth: "optional",
  summary: "Check the API connection",
  description: "No key needed. With a key, says it is valid and whose it is; an unknown, revoked or expired key is 401.",
  tags: ["Status"],
  response: StatusSchema,
  handler: async ({ caller, version }) => ({
    status: "ok" as const,
    version: buildInfo().version,
    apiVersion: version,
    timestamp: new Date(),
    authenticated: caller !== null,
    workspaceId: caller?.workspaceId ?? null,
    scopes: caller?.scopes ?? [],
  }),
});

export const loader = routeOf(status).loader;
