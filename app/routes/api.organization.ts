import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body, nd8TokenCaller } from "~/contracts/nd8/http.server";
import { getOrganizationFor, OrganizationPatchSchema, patchOrganizationFor } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET and PATCH /api/organization/ (seed 003): the profile; owners and admins edit it.
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await nd8TokenCaller(request, "read");
  return json(await getOrganizationFor(caller));
});

export const action = apiHandler<ActionFunctionArgs>(async ({ request }) => {
  if (request.method !== "PATCH") methodNotAllowed(request, ["GET", "PATCH"]);
  const caller = await nd8TokenCaller(request, "write");
  return json(await patchOrganizationFor(caller, await nd8Body(request, OrganizationPatchSchema)));
});
