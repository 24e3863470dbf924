import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { z } from "zod";
import { documented } from "~/contracts/api-v1/endpoint.server";
import { AlertRuleResponseSchema, deleteForCaller, getForCaller, PatchAlertRuleSchema, patchForCaller } from "~/contracts/flow-arc/alert-rules.server";
import { flowArcBody, flowArcCaller } from "~/contracts/flow-arc/http.server";
import { apiHandler, json, problem } from "~/http/problem.server";

// Flow Arc's GET, PATCH and DELETE /api/v1/alert-rules/{id} (seed 001), exactly.
const params = z.object({ id: z.uuid() });

export const loader = documented(
  {
    method: "GET",
    path: "/api/v1/alert-rules/{id}",
    summary: "Fetch a single alert rule by id (Flow Arc's contract)",
    tags: ["Alerts"],
    auth: "required",
    scope: "read:alert_rules",
    params,
    response: AlertRuleResponseSchema,
    errors: ["unauthorized", "alert_rule_not_found", "insufficient_scope", "rate_limited"],
  },
  apiHandler<LoaderFunctionArgs>(async ({ request, params }) => {
    const caller = await flowArcCaller(request, "read:alert_rules");
    return json(await getForCaller(caller, params.id));
  }),
);

const patch = documented(
  {
    method: "PATCH",
    path: "/api/v1/alert-rules/{id}",
    summary: "Update an alert rule (Flow Arc's contract)",
    description: "Any subset of fields; the rule they make is checked whole (an email rule keeps a recipient). An empty body, or anything invalid, is 422.",
    tags: ["Alerts"],
    auth: "required",
    scope: "write:alert_rules",
    params,
    body: PatchAlertRuleSchema,
    response: AlertRuleResponseSchema,
    errors: ["unauthorized", "alert_rule_not_found", "unprocessable_entity", "insufficient_scope", "rate_limited"],
    example: { body: { enabled: false } },
  },
  async (request: Request, id: string | undefined) => {
    const caller = await flowArcCaller(request, "write:alert_rules");
    return json(await patchForCaller(caller, id, await flowArcBody(request, PatchAlertRuleSchema, 422)));
  },
);

const remove = documented(
  {
    method: "DELETE",
    path: "/api/v1/alert-rules/{id}",
    summary: "Delete an alert rule (Flow Arc's contract)",
    description: "204 with no body. Its pending alerts are not sent.",
    tags: ["Alerts"],
    auth: "required",
    scope: "write:alert_rules",
    params,
    response: z.null().describe("No body."),
    status: 204,
    errors: ["unauthorized", "alert_rule_not_found", "insufficient_scope", "rate_limited"],
  },
  async (request: Request, id: string | undefined) => {
    const caller = await flowArcCaller(request, "write:alert_rules");
    await deleteForCaller(caller, id);
    return new Response(null, { status: 204 });
  },
);

export const action = apiHandler<ActionFunctionArgs>(async ({ request, params }) => {
  if (request.method === "PATCH") return patch(request, params.id);
  if (request.method === "DELETE") return remove(request, params.id);
  return problem("method_not_allowed", "Use GET, PATCH or DELETE here.", { headers: { Allow: "GET, PATCH, DELETE" }, instance: new URL(request.url).pathname });
});
