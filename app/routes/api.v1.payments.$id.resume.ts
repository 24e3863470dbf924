import { PaymentIdParamsSchema, PaymentPauseSchema } from "~/contracts/api-v1/payments";
import { resumePayment } from "~/contracts/api-v1/payments.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const resume = defineEndpoint({
  method: "POST",
  path: "/api/v1/payments/{id}/resume",
  scope: "write:payments",
  summary: "Resume recovery",
  description: "Recoup plans the next retry from now and picks the email sequence up where it stopped.",
  tags: ["Payments"],
  params: PaymentIdParamsSchema,
  response: PaymentPauseSchema,
  errors: ["payment_not_found", "conflict", "recovery_erased"],
  example: { params: { id: "in_1PxYz2AbCdEf" } },
  handler: ({ scope, params }) => resumePayment({ ...scope, id: params.id }),
});

const route = routeOf(resume);
export const loader = route.loader;
export const action = route.action;
