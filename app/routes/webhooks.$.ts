import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";
import { problem, traceIdFor } from "~/http/problem.server";

// Any /webhooks path no route serves: a 404 problem from a resource route, as under /api (see api.$.ts).
function notFound({ request }: LoaderFunctionArgs | ActionFunctionArgs): Response {
  const { pathname } = new URL(request.url);
  return problem("not_found", `There is no ${request.method} ${pathname} webhook receiver.`, { traceId: traceIdFor(request), instance: pathname });
}

export const loader = notFound;
export const action = notFound;
