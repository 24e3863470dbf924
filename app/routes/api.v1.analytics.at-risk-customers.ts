import { AtRiskCustomerSchema, AtRiskCustomersQuerySchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { DEFAULT_PER_PAGE, pageSchema } from "~/contracts/api-v1/pagination.server";
import { listAtRiskCustomers } from "~/domain/analytics/customers.server";

const atRiskCustomers = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/at-risk-customers",
  scope: "analytics|read",
  summary: "At-risk customers",
  description:
    "Customers with an open recovery or a card about to expire, most recent failure first (offset pages), by cohort: expiring_card, repeat_failure (2+ failures in 90 days), high_value (500+ units of a currency open). Each with its cohorts, open money per currency and open recoveries.",
  tags: ["Analytics"],
  query: AtRiskCustomersQuerySchema,
  response: pageSchema(AtRiskCustomerSchema),
  example: { query: { cohort: "high_value", per_page: "25" } },
  handler: ({ scope, query }) => listAtRiskCustomers({ ...scope, cohort: query.cohort, page: query.page ?? 1, perPage: query.per_page ?? DEFAULT_PER_PAGE }),
});

const route = routeOf(atRiskCustomers);
export const loader = route.loader;
export const action = route.action;
