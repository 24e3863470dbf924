import { z } from "zod";
import { createExperiment, listExperiments } from "~/domain/experiments/experiments.server";
import { CreateExperimentSchema, ExperimentSchema } from "~/contracts/api-v1/experiments";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";
import { pageRequest, PageQuerySchema, pageSchema } from "~/contracts/api-v1/pagination.server";

const list = defineEndpoint({
  method: "GET",
  path: "/api/v1/experiments",
  scope: "read",
  summary: "List experiments",
  description: "The workspace's recovery experiments (retry timing, email cadence, campaign choice), newest first.",
  tags: ["Experiments"],
  query: PageQuerySchema.extend({ status: z.enum(["running", "stopped", "completed"]).optional() }),
  response: pageSchema(ExperimentSchema),
  handler: ({ workspaceId, query }) => listExperiments({ workspaceId, status: query.status, page: pageRequest(query) }),
});

const create = defineEndpoint({
  method: "POST",
  path: "/api/v1/experiments",
  scope: "write",
  summary: "Start an experiment",
  description:
    "Starts an experiment at once (one runs at a time: a second is a 409). New failed payments are assigned by customer, deterministically, to a variant by its `share`; the first variant is the control (empty `params`: what the workspace does today). Params by kind — retry_timing: max_retries, retry_window_days, preferred_local_hours, payday_aware; email_cadence: delay_scale; campaign_choice: campaign_id. Customers in the standing holdout join no experiment.",
  tags: ["Experiments"],
  body: CreateExperimentSchema,
  response: ExperimentSchema,
  status: 201,
  errors: ["experiment_state_conflict"],
  example: {
    body: {
      name: "Fewer retries",
      kind: "retry_timing",
      variants: [
        { key: "control", name: "Today", share: 0.5, params: {} },
        { key: "four", name: "Four retries", share: 0.5, params: { max_retries: 4 } },
      ],
    },
  },
  handler: ({ workspaceId, body }) => createExperiment({ workspaceId, experiment: body }),
});

const route = routeOf(list, create);
export const loader = route.loader;
export const action = route.action;
