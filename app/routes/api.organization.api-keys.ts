import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body, nd8TokenCaller } from "~/contracts/nd8/http.server";
import { ApiKeyCreateSchema, createApiKeyFor, listApiKeysFor } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET and POST /api/organization/api-keys/ (seed 003): keys' metadata, and a new key (its raw_key this once). Owners and admins.
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await nd8TokenCaller(request, "write");
  return json(await listApiKeysFor(caller));
});

export const action = apiHandler<ActionFunctionArgs>(async ({ request }) => {
  if (request.method !== "POST") methodNotAllowed(request, ["GET", "POST"]);
  const caller = await nd8TokenCaller(request, "write");
  return json(await createApiKeyFor(caller, await nd8Body(request, ApiKeyCreateSchema)), 201);
});
