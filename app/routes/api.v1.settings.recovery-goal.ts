import { getRecoveryGoal, RecoveryGoalSchema, setRecoveryGoal, SetRecoveryGoalSchema } from "~/contracts/api-v1/settings.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const PROGRESS =
  "Progress is this calendar period's (in the workspace's timezone) recovered revenue over failed revenue, in the reporting currency, as the dashboard counts it.";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/settings/recovery-goal",
  scope: "read:settings",
  summary: "Get the recovery goal and its progress",
  description: `${PROGRESS} Before a goal is set, \`configured\` is false and the progress is still shown.`,
  tags: ["Settings"],
  response: RecoveryGoalSchema,
  handler: ({ workspaceId }) => getRecoveryGoal(workspaceId),
});

const set = defineEndpoint({
  method: "POST",
  path: "/api/v1/settings/recovery-goal",
  scope: "write:settings",
  summary: "Set the recovery goal",
  description: `A target recovery rate per month, quarter or year, and optionally an amount to recover. ${PROGRESS}`,
  tags: ["Settings"],
  body: SetRecoveryGoalSchema,
  response: RecoveryGoalSchema,
  example: { body: { target_rate: 0.35, period: "monthly", target_amount_cents: 500000 } },
  handler: ({ workspaceId, body }) => setRecoveryGoal({ workspaceId, body }),
});

const route = routeOf(get, set);
export const loader = route.loader;
export const action = route.action;
