import { z } from "zod";
import { getAbTest } from "~/domain/dunning/ab-tests.server";
import { AbTestWithResultsSchema } from "~/contracts/api-v1/ab-tests";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/email/ab-test/{campaign_id}",
  scope: "read",
  summary: "Get an email A/B test",
  description: "The campaign's latest A/B test, its configuration and results: emails sent, opened, clicked and converted (recovered after the email) per variant, with intervals and p-values against the control.",
  tags: ["Email"],
  params: z.object({ campaign_id: z.string().min(1).max(100) }),
  response: AbTestWithResultsSchema,
  errors: ["campaign_not_found", "ab_test_not_found"],
  handler: ({ workspaceId, params }) => getAbTest({ workspaceId, campaignId: params.campaign_id }),
});

const route = routeOf(get);
export const loader = route.loader;
export const action = route.action;
