import { getExperiment } from "~/domain/experiments/experiments.server";
import { ExperimentSchema } from "~/contracts/api-v1/experiments";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { z } from "zod";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/experiments/{id}",
  scope: "read",
  summary: "Get an experiment",
  description: "The experiment's configuration and status.",
  tags: ["Experiments"],
  params: z.object({ id: z.string().min(1).max(100) }),
  response: ExperimentSchema,
  errors: ["experiment_not_found"],
  handler: ({ workspaceId, params }) => getExperiment({ workspaceId, id: params.id }),
});

const route = routeOf(get);
export const loader = route.loader;
export const action = route.action;
