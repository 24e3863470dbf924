import { RecoveryDetailSchema, RecoveryIdParamsSchema } from "~/contracts/api-v1/recoveries";
import { getRecovery } from "~/contracts/api-v1/recoveries.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/recoveries/{id}",
  scope: "read:recoveries",
  summary: "Get a recovery",
  description: "With the campaign's steps (each sent, scheduled, skipped, failed or paused, and when) and the timeline. The id is the payment's.",
  tags: ["Recoveries"],
  params: RecoveryIdParamsSchema,
  response: RecoveryDetailSchema,
  errors: ["recovery_not_found"],
  handler: ({ scope, params }) => getRecovery({ ...scope, id: params.id }),
});

const route = routeOf(get);
export const loader = route.loader;
export const action = route.action;
