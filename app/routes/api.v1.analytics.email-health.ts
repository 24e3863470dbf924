import { EmailHealthQuerySchema, EmailHealthSchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { emailHealthReport } from "~/domain/analytics/email.server";

const emailHealth = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/email-health",
  scope: "analytics|email",
  summary: "Email health",
  description:
    "Deliverability of the dunning emails sent in the range (the key's mode): sent, delivered, bounced (a hard bounce within 3 days) and complained (within 30 days), their rates, a series by group_by, and per recipient domain the same with its suppressed addresses, flagged above 2 % bounces or 0.1 % complaints.",
  tags: ["Analytics"],
  query: EmailHealthQuerySchema,
  response: EmailHealthSchema,
  handler: ({ scope, query }) => emailHealthReport({ ...scope, from: query.start_date, to: query.end_date, groupBy: query.group_by }),
});

const route = routeOf(emailHealth);
export const loader = route.loader;
export const action = route.action;
