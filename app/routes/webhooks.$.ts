import { unknownPathRoute } from "~/http/problem.server";

// Any /webhooks path no route serves, by any method.
const route = unknownPathRoute("webhook receiver");
export const loader = route.loader;
export const action = route.action;
