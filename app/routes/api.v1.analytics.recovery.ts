import { recoveryAnalyticsEndpoint } from "~/contracts/api-v1/analytics-recovery.server";
import { routeOf } from "~/contracts/api-v1/endpoint.server";

const route = routeOf(recoveryAnalyticsEndpoint("/api/v1/analytics/recovery", "Recovery metrics"));
export const loader = route.loader;
export const action = route.action;
