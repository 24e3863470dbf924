import { z } from "zod";
import { experimentResults } from "~/domain/experiments/experiments.server";
import { ExperimentResultsSchema } from "~/contracts/api-v1/experiments";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const results = defineEndpoint({
  method: "GET",
  path: "/api/v1/experiments/{id}/results",
  scope: "read",
  summary: "Get experiment results",
  description:
    "Per variant: failures, recovered share with its 95 % Wilson interval, recovered amount per failure with its 95 % interval, and each variant against the control (Newcombe interval of the difference of shares). `winner` is a variant whose difference is above zero with 95 % confidence, else null.",
  tags: ["Experiments"],
  params: z.object({ id: z.string().min(1).max(100) }),
  response: ExperimentResultsSchema,
  errors: ["experiment_not_found"],
  handler: ({ workspaceId, params }) => experimentResults({ workspaceId, id: params.id }),
});

const route = routeOf(results);
export const loader = route.loader;
export const action = route.action;
