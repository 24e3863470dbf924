import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { methodNotAllowed, nd8Body, nd8TokenCaller } from "~/contracts/nd8/http.server";
import { putWebhookFor, webhookFor, WebhookPutSchema } from "~/contracts/nd8/merchant.server";
import { apiHandler, json } from "~/http/problem.server";

// ND8's GET and PUT /api/organization/webhook/ (seed 003): the organization's webhook; PUT sets its URL (a public https address).
export const loader = apiHandler<LoaderFunctionArgs>(async ({ request }) => {
  const caller = await nd8TokenCaller(request, "read");
  return json(await webhookFor(caller));
});

export const action = apiHandler<ActionFunctionArgs>(async ({ request }) => {
  if (request.method !== "PUT") methodNotAllowed(request, ["GET", "PUT"]);
  const caller = await nd8TokenCaller(request, "write");
  return json(await putWebhookFor(caller, await nd8Body(request, WebhookPutSchema)));
});
