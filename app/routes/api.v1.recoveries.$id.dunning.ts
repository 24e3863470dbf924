import { DunningSentSchema, RecoveryIdParamsSchema, TriggerDunningBodySchema } from "~/contracts/api-v1/recoveries";
import { sendDunningNow } from "~/contracts/api-v1/recoveries.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const dunning = defineEndpoint({
  method: "POST",
  path: "/api/v1/recoveries/{id}/dunning",
  scope: "write:recoveries",
  summary: "Send a dunning email now",
  description:
    "Outside the campaign's schedule: a step's template (`template_id`; default: the campaign's next email) with an optional `subject`. One manual email per recovery per hour: another within the hour is a 409 saying when the first went out. Send an `Idempotency-Key` to retry the request safely.",
  tags: ["Recoveries"],
  params: RecoveryIdParamsSchema,
  body: TriggerDunningBodySchema,
  response: DunningSentSchema,
  errors: ["recovery_not_found", "template_not_found", "unknown_placeholder", "conflict", "recovery_erased"],
  example: { params: { id: "cm3recovery0001" }, body: { subject: "{{customer_name}}, your payment to {{merchant_name}} didn't go through" } },
  handler: ({ scope, params, body }) => sendDunningNow({ ...scope, id: params.id, templateId: body.template_id, subject: body.subject }),
});

const route = routeOf(dunning);
export const loader = route.loader;
export const action = route.action;
