import { ListPaymentsQuerySchema, PaymentSchema } from "~/contracts/api-v1/payments";
import { listPayments } from "~/contracts/api-v1/payments.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { pageRequest, pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/payments",
  scope: "read:payments",
  summary: "List payments",
  description:
    "Failed payments Recoup has worked on, newest failure first. Filters combine; `created_after`/`created_before` take a date (midnight UTC) or an RFC 3339 time.",
  tags: ["Payments"],
  query: ListPaymentsQuerySchema,
  response: pageSchema(PaymentSchema),
  errors: ["invalid_cursor"],
  example: { query: { status: "failed", decline_category: "soft_retry", created_after: "2026-03-01", limit: "25" } },
  handler: ({ scope, query }) => listPayments({ ...scope, query, page: pageRequest(query) }),
});

const route = routeOf(list);
export const loader = route.loader;
export const action = route.action;
