import { z } from "zod";
import { getSubscription, SubscriptionSchema } from "~/contracts/api-v1/subscriptions.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/subscriptions/{id}",
  scope: "read:subscriptions",
  summary: "Get a subscription's status",
  description:
    "What Recoup knows of a PSP subscription from the failed payments it has worked on and its at-risk flags: `past_due` while a failed invoice is being recovered, `at_risk` when a risk (an expiring card) is flagged, `canceled` once Recoup saw it end, else `active`. A subscription Recoup has never seen is 404. Shopify contract GIDs go URL-encoded.",
  tags: ["Subscriptions and invoices"],
  params: z.object({ id: z.string().trim().min(1).max(200) }),
  query: z.object({}),
  response: SubscriptionSchema,
  errors: ["subscription_not_found"],
  example: { params: { id: "sub_1QxYz2AbCdEf" } },
  handler: ({ scope, params }) => getSubscription({ ...scope, id: params.id }),
});

const route = routeOf(get);
export const loader = route.loader;
