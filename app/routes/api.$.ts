import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { problem, traceIdFor } from "~/http/problem.server";

// Any /api path no route serves, by any method: a 404 in the API's shape from a resource route.
// Without it Remix answers an unknown path as a document request, whose own CSRF check throws (a
// 500) on a POST whose Origin is not this host: the front lets those through under /api/v1/,
// where keys, not cookies, authenticate (found by tests/fuzz/contracts.test.ts).
function notFound({ request }: LoaderFunctionArgs | ActionFunctionArgs): Response {
  const { pathname } = new URL(request.url);
  return problem("not_found", `There is no ${request.method} ${pathname} in this API.`, { traceId: traceIdFor(request), instance: pathname });
}

export const loader = notFound;
export const action = notFound;
