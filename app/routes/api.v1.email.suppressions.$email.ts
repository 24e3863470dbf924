import { lift } from "~/domain/deliverability/suppressions.server";
import { SuppressionEmailParamsSchema, SuppressionSchema } from "~/domain/deliverability/schemas";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const remove = defineEndpoint({
  method: "DELETE",
  path: "/api/v1/email/suppressions/{email}",
  scope: "email|write",
  summary: "Remove an email suppression",
  description:
    "Lifts the address's active suppression, so that emails may go to it again (URL-encode the address; any case matches). The suppression is kept, inactive, with when and by which key. An address with no active suppression is a 404. The next hard bounce or complaint suppresses it again.",
  tags: ["Email"],
  params: SuppressionEmailParamsSchema,
  response: SuppressionSchema,
  errors: ["suppression_not_found"],
  example: { params: { email: "jane@example.com" } },
  handler: ({ workspaceId, caller, params }) => lift({ workspaceId, email: params.email, by: `api_key:${caller.apiKeyId}` }),
});

const route = routeOf(remove);
export const loader = route.loader;
export const action = route.action;
