import { z } from "zod";
import { promoteExperiment } from "~/domain/experiments/experiments.server";
import { PromotedExperimentSchema } from "~/contracts/api-v1/experiments";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const promote = defineEndpoint({
  method: "POST",
  path: "/api/v1/experiments/{id}/promote",
  scope: "write",
  summary: "Promote the winning variant",
  description:
    "Makes the winner (or the `variant` named) the default for all future recoveries: retry_timing writes its settings, email_cadence scales every active campaign's step delays, campaign_choice puts the campaign first in precedence. The experiment completes. Without a winner and without `variant`, a 409.",
  tags: ["Experiments"],
  params: z.object({ id: z.string().min(1).max(100) }),
  body: z.object({ variant: z.string().min(1).max(40).optional() }),
  response: PromotedExperimentSchema,
  errors: ["experiment_not_found", "experiment_state_conflict"],
  handler: ({ workspaceId, params, body }) => promoteExperiment({ workspaceId, id: params.id, variant: body.variant }),
});

const route = routeOf(promote);
export const loader = route.loader;
export const action = route.action;
