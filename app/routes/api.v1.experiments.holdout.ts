import { z } from "zod";
import { incrementalRecovery, setHoldout } from "~/domain/experiments/experiments.server";
import { HoldoutSettingsSchema, IncrementalSchema } from "~/contracts/api-v1/experiments";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/experiments/holdout",
  scope: "read",
  summary: "Incremental recovery (standing holdout)",
  description:
    "The standing holdout's setting and what Recoup adds: the recovered share of the failures Recoup worked on minus that of the held-out ones (which got only the platform's own collection), with a 95 % interval, and the amount that is worth (\"recovered because of Recoup\"), over the last `days` (default 90).",
  tags: ["Experiments"],
  query: z.object({ days: z.coerce.number().int().min(1).max(365).default(90) }),
  response: IncrementalSchema,
  handler: ({ scope, query }) => incrementalRecovery({ ...scope, days: query.days }),
});

const set = defineEndpoint({
  method: "PUT",
  path: "/api/v1/experiments/holdout",
  scope: "write",
  summary: "Set the standing holdout",
  description: "The share of customers (0 = off, the default; 0.05 suggested; at most 0.2) whose new failures Recoup leaves to the platform, so that its incremental recovery can be measured.",
  tags: ["Experiments"],
  body: z.object({ share: z.number().min(0).max(0.2) }),
  response: HoldoutSettingsSchema,
  example: { body: { share: 0.05 } },
  handler: ({ workspaceId, body }) => setHoldout({ workspaceId, share: body.share }),
});

const route = routeOf(get, set);
export const loader = route.loader;
export const action = route.action;
