import { getQuietHours, QUIET_HOURS_DOC, QuietHoursSchema, setQuietHours, SetQuietHoursSchema } from "~/contracts/api-v1/settings.server";
import { defineEndpoint, routeOf } from "~/contracts/api-v1/endpoint.server";

const get = defineEndpoint({
  method: "GET",
  path: "/api/v1/settings/quiet-hours",
  scope: "read:settings",
  summary: "Get quiet hours",
  description: QUIET_HOURS_DOC,
  tags: ["Settings"],
  response: QuietHoursSchema,
  handler: ({ workspaceId }) => getQuietHours(workspaceId),
});

const set = defineEndpoint({
  method: "POST",
  path: "/api/v1/settings/quiet-hours",
  scope: "write:settings",
  summary: "Set quiet hours",
  description: `${QUIET_HOURS_DOC} Refused when quiet hours would cover every retry hour of the retry policy.`,
  tags: ["Settings"],
  body: SetQuietHoursSchema,
  response: QuietHoursSchema,
  example: { body: { start_hour: 22, end_hour: 8, timezone: "America/New_York" } },
  handler: ({ workspaceId, body }) => setQuietHours({ workspaceId, body }),
});

const route = routeOf(get, set);
export const loader = route.loader;
export const action = route.action;
