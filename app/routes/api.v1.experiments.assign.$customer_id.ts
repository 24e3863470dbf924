import { z } from "zod";
import { assignmentOf } from "~/domain/experiments/experiments.server";
import { AssignmentSchema } from "~/contracts/api-v1/experiments";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const assign = defineEndpoint({
  method: "GET",
  path: "/api/v1/experiments/assign/{customer_id}",
  scope: "read",
  summary: "Get a customer's assignment",
  description:
    "The variant of the running experiment (or `experiment_id`'s) this customer's failures get, and whether they are in the standing holdout. Deterministic: the same answer as the engine gives when their payment fails. `customer_id` is Recoup's or the PSP's.",
  tags: ["Experiments"],
  params: z.object({ customer_id: z.string().min(1).max(200) }),
  query: z.object({ experiment_id: z.string().min(1).max(100).optional() }),
  response: AssignmentSchema,
  errors: ["experiment_not_found"],
  handler: ({ workspaceId, params, query }) => assignmentOf({ workspaceId, customerId: params.customer_id, experimentId: query.experiment_id }),
});

const route = routeOf(assign);
export const loader = route.loader;
export const action = route.action;
