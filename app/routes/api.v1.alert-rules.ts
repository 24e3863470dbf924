import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { documented } from "~/contracts/api-v1/endpoint.server";
import {
  AlertRuleInputSchema,
  AlertRuleListQuerySchema,
  AlertRuleListSchema,
  AlertRuleResponseSchema,
  createForCaller,
  listForCaller,
} from "~/contracts/flow-arc/alert-rules.server";
import { flowArcBody, flowArcCaller } from "~/contracts/flow-arc/http.server";
import { apiHandler, json, problem } from "~/http/problem.server";

// Flow Arc's POST and GET /api/v1/alert-rules (seed 001), exactly.
export const loader = documented(
  {
    method: "GET",
    path: "/api/v1/alert-rules",
    summary: "List alert rules (Flow Arc's contract)",
    description: "The workspace's alert rules, newest first; `enabled`, `channel` and `event_type` filter, `limit` (1–200, 50) bounds. Flow Arc's bare `{items}` and `{error, message}` errors (422 for a bad filter).",
    tags: ["Alerts"],
    auth: "required",
    scope: "read:alert_rules",
    query: AlertRuleListQuerySchema,
    response: AlertRuleListSchema,
    errors: ["unauthorized", "unprocessable_entity", "insufficient_scope", "rate_limited"],
  },
  apiHandler<LoaderFunctionArgs>(async ({ request }) => {
    const caller = await flowArcCaller(request, "read:alert_rules");
    return json(await listForCaller(caller, new URL(request.url)));
  }),
);

export const action = documented(
  {
    method: "POST",
    path: "/api/v1/alert-rules",
    summary: "Create an alert rule (Flow Arc's contract)",
    description:
      "A rule fires on each matching event (`realtime`) or in a digest at 08:00 in the workspace's time zone (`daily_digest`: the previous day; `weekly_digest`: on Mondays, the previous week). Email rules need a recipient (an email or a role), SMS rules a phone (parsed UK-first into E.164), webhook rules one of this workspace's endpoints. Every validation error is 422, naming each field.",
    tags: ["Alerts"],
    auth: "required",
    scope: "write:alert_rules",
    body: AlertRuleInputSchema,
    response: AlertRuleResponseSchema,
    status: 201,
    errors: ["unauthorized", "unprocessable_entity", "insufficient_scope", "rate_limited"],
    example: { body: { name: "Failed payments over £50", event_type: "payment_failed", channel: "email", filter_json: { amountMinMinor: 5000 }, recipient_roles: ["owner"] } },
  },
  apiHandler<ActionFunctionArgs>(async ({ request }) => {
    if (request.method !== "POST") return problem("method_not_allowed", "Use GET or POST here.", { headers: { Allow: "GET, POST" }, instance: new URL(request.url).pathname });
    const caller = await flowArcCaller(request, "write:alert_rules");
    return json(await createForCaller(caller, await flowArcBody(request, AlertRuleInputSchema, 422)), 201);
  }),
);
