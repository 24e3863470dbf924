import type { ActionFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body, nd8TokenCaller } from "~/contracts/nd8/http.server";
import { ApiKeyRotateSchema, rotateApiKeyFor } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's POST /api/organization/api-keys/rotate/ (seed 003): a replacement key (its raw_key this once); the old one keeps its grace period.
export const action = apiHandler<ActionFunctionArgs>(async ({ request }) => {
  if (request.method !== "POST") methodNotAllowed(request, ["POST"]);
  const caller = await nd8TokenCaller(request, "write");
  return json(await rotateApiKeyFor(caller, await nd8Body(request, ApiKeyRotateSchema)));
});

export const loader = apiHandler(async ({ request }) => methodNotAllowed(request, ["POST"]));
