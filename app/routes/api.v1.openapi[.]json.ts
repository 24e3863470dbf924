import type { LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { documented } from "~/contracts/api-v1/endpoint.server";
import { buildOpenApiDocument } from "~/contracts/api-v1/openapi.server";
import { allOperations } from "~/contracts/api-v1/registry.server";
import { apiHandler, json } from "~/http/problem.server";
import { env } from "~/utils/env.server";

export const loader = documented(
  {
    method: "GET",
    path: "/api/v1/openapi.json",
    summary: "This API's OpenAPI 3.1 document",
    tags: ["Status"],
    auth: "none",
    response: z.object({ openapi: z.literal("3.1.0") }).loose(),
  },
  apiHandler(async (_args: LoaderFunctionArgs) =>
    json(buildOpenApiDocument({ baseUrl: env().APP_URL, operations: allOperations() }), {
      headers: { "Cache-Control": "public, max-age=300", "Access-Control-Allow-Origin": "*" },
    }),
  ),
);
