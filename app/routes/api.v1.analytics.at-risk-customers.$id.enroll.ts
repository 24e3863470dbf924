import { AtRiskCustomerIdParamsSchema, AtRiskEnrollmentSchema, EnrollAtRiskBodySchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { enrollAtRiskCustomer } from "~/domain/analytics/customers.server";

const enroll = defineEndpoint({
  method: "POST",
  path: "/api/v1/analytics/at-risk-customers/{id}/enroll",
  scope: "write",
  summary: "Quick-enroll an at-risk customer",
  description:
    "Every open recovery of the customer follows the chosen campaign from now: its first step is scheduled and the previous campaign's waiting emails are not sent. 404 for a customer or campaign not in this workspace; 409 when the campaign is not active or the customer has nothing open.",
  tags: ["Analytics"],
  params: AtRiskCustomerIdParamsSchema,
  body: EnrollAtRiskBodySchema,
  response: AtRiskEnrollmentSchema,
  errors: ["customer_not_found", "campaign_not_found", "campaign_state_conflict", "conflict"],
  example: { params: { id: "cus_QxYz123" }, body: { campaign_id: "cmp_winback" } },
  handler: ({ scope, params, body }) => enrollAtRiskCustomer({ ...scope, customerId: params.id, campaignId: body.campaign_id }),
});

const route = routeOf(enroll);
export const loader = route.loader;
export const action = route.action;
