import { z } from "zod";
import { stopExperiment } from "~/domain/experiments/experiments.server";
import { ExperimentSchema } from "~/contracts/api-v1/experiments";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const stop = defineEndpoint({
  method: "POST",
  path: "/api/v1/experiments/{id}/stop",
  scope: "write",
  summary: "Stop an experiment",
  description: "Stops a running experiment early: new failures join no variant; those already assigned keep theirs to the end. Nothing is promoted.",
  tags: ["Experiments"],
  params: z.object({ id: z.string().min(1).max(100) }),
  response: ExperimentSchema,
  errors: ["experiment_not_found", "experiment_state_conflict"],
  handler: ({ workspaceId, params }) => stopExperiment({ workspaceId, id: params.id }),
});

const route = routeOf(stop);
export const loader = route.loader;
export const action = route.action;
