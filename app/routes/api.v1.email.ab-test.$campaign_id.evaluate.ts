import { z } from "zod";
import { evaluateAbTest } from "~/domain/dunning/ab-tests.server";
import { AbTestEvaluationSchema } from "~/contracts/api-v1/ab-tests";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const evaluate = defineEndpoint({
  method: "POST",
  path: "/api/v1/email/ab-test/{campaign_id}/evaluate",
  scope: "write",
  summary: "Evaluate an email A/B test",
  description:
    "With at least 30 emails per variant and p < 0.05 (two-proportion z test on conversion), the best variant wins; with `promote` (default true) its subject and body become the campaign's email and the test completes. Otherwise it keeps running and the answer says why.",
  tags: ["Email"],
  params: z.object({ campaign_id: z.string().min(1).max(100) }),
  body: z.object({ promote: z.boolean().default(true) }),
  response: AbTestEvaluationSchema,
  errors: ["campaign_not_found", "ab_test_not_found", "ab_test_conflict"],
  handler: ({ workspaceId, params, body }) => evaluateAbTest({ workspaceId, campaignId: params.campaign_id, promote: body.promote }),
});

const route = routeOf(evaluate);
export const loader = route.loader;
export const action = route.action;
