import { createAbTest } from "~/domain/dunning/ab-tests.server";
import { AbTestSchema, CreateAbTestSchema } from "~/contracts/api-v1/ab-tests";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const create = defineEndpoint({
  method: "POST",
  path: "/api/v1/email/ab-test",
  scope: "write",
  summary: "Create an email A/B test",
  description:
    "Tests subjects or templates of one email of a campaign (`step_position`, default 1). The first variant is the control; `traffic_split` (default 0.5) of recipients get the others, split evenly. Assignment is by customer and deterministic. One running test per campaign (409 otherwise).",
  tags: ["Email"],
  body: CreateAbTestSchema,
  response: AbTestSchema,
  status: 201,
  errors: ["campaign_not_found", "ab_test_conflict"],
  example: {
    body: {
      campaign_id: "camp_123",
      variants: [{ name: "Today's subject" }, { name: "Shorter", subject: "Quick fix needed for {{merchant_name}}" }],
      traffic_split: 0.5,
    },
  },
  handler: ({ workspaceId, body }) => createAbTest({ workspaceId, test: body }),
});

const route = routeOf(create);
export const loader = route.loader;
export const action = route.action;
