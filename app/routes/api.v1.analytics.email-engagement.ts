import { EmailEngagementQuerySchema, EmailEngagementSchema } from "~/contracts/api-v1/analytics";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { emailEngagementReport } from "~/domain/analytics/email.server";

const emailEngagement = defineEndpoint({
  method: "GET",
  path: "/api/v1/analytics/email-engagement",
  scope: "analytics|email",
  summary: "Email engagement",
  description:
    "Open, click and unsubscribe rates of the dunning emails sent in the range (the key's mode), as shares of the delivered ones with their counts, overall and per campaign; campaign_id narrows to one campaign (404 if not this workspace's).",
  tags: ["Analytics"],
  query: EmailEngagementQuerySchema,
  response: EmailEngagementSchema,
  errors: ["campaign_not_found"],
  handler: ({ scope, query }) => emailEngagementReport({ ...scope, from: query.start_date, to: query.end_date, campaignId: query.campaign_id }),
});

const route = routeOf(emailEngagement);
export const loader = route.loader;
export const action = route.action;
