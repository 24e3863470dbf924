import type { ActionFunctionArgs, LoaderFunctionArgs } from "@remix-run/node";

type RouteModule = {
  loader?: (args: LoaderFunctionArgs) => unknown;
  action?: (args: ActionFunctionArgs) => unknown;
};

export interface CallOptions {
  method?: string;
  params?: Record<string, string>;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string is sent as it is. */
  body?: unknown;
  token?: string;
}

/**
 * Calls a route module's loader (GET/HEAD) or action (anything else) with a
 * real Request, as Remix would, and returns the Response.
 */
export async function callRoute(mod: RouteModule, path: string, opts: CallOptions = {}): Promise<Response> {
  const method = opts.method ?? (opts.body === undefined ? "GET" : "POST");
  const headers = new Headers(opts.headers);
  let body: string | undefined;
  if (opts.body !== undefined) {
    body = typeof opts.body === "string" ? opts.body : JSON.stringify(opts.body);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
  }
  if (opts.token) headers.set("authorization", `Bearer ${opts.token}`);
  const request = new Request(new URL(path, "http://localhost:3000"), { method, headers, body });
  const fn = method === "GET" || method === "HEAD" ? mod.loader : mod.action;
  if (!fn) throw new Error(`route has no ${method === "GET" ? "loader" : "action"}`);
  const result = await fn({ request, params: opts.params ?? {}, context: {} } as never);
  if (!(result instanceof Response)) throw new Error("route did not return a Response");
  return result;
}

export async function jsonOf<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
