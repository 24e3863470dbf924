import { unknownPathRoute } from "~/http/problem.server";

// Any /api path no route serves, by any method.
const route = unknownPathRoute("in this API");
export const loader = route.loader;
export const action = route.action;
