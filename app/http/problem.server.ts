import { randomBytes } from "node:crypto";
import { z } from "zod";
import { isDatabaseUnavailable } from "~/utils/db-errors.server";
import { log } from "~/utils/logger.server";
import { ERROR_STATUS, titleFor } from "./errors";
import { AppError, type ErrorCode } from "~/domain/errors";
import { errorBody as lostChurnError, speaksLostChurn } from "./lostchurn-errors";
import { rateLimitHeaders, rateStateOf } from "./rate-limit.server";
import { errorBody as reviveError, speaksRevive } from "./revive-errors";
import { errorBody as flowArcError, speaksFlowArc } from "./flow-arc-errors";
import { errorBody as nd8Error, speaksNd8 } from "./nd8-errors";

export function traceIdFor(request: Request): string {
  return traceIdFrom(request.headers.get("traceparent"));
}

/** The trace id of a W3C `traceparent` header, or a fresh one (for callers holding no fetch Request). */
export function traceIdFrom(traceparent: string | null | undefined): string {
  const parent = traceparent?.split("-")[1];
  return parent && /^[0-9a-f]{32}$/.test(parent) ? parent : randomBytes(16).toString("hex");
}

/**
 * application/problem+json (RFC 9457) with DunningDog's `code` and `traceId`,
 * plus `error`/`message` for Flow Arc-style clients. On LostChurn's paths (`instance` under
 * /api/v1 but Flow Arc's), LostChurn's `{error: {code, message}}` instead (ADR 0067); on Revive's,
 * Revive's `{error: {type, message, param, code}}` (ADR 0068).
 */
export function problem(
  code: ErrorCode,
  detail: string,
  opts: { traceId?: string; meta?: Record<string, unknown>; headers?: HeadersInit; instance?: string } = {},
): Response {
  const status = ERROR_STATUS[code];
  const traceId = opts.traceId ?? randomBytes(16).toString("hex");
  const ownShape = opts.instance ? contractErrorBody(opts.instance, code, status, detail, traceId, opts.meta) : null;
  if (ownShape) {
    const headers = new Headers(opts.headers);
    headers.set("Content-Type", "application/json; charset=utf-8");
    headers.set("X-Trace-Id", traceId);
    if (code === "method_not_allowed" && typeof opts.meta?.allow === "string" && !headers.has("Allow")) headers.set("Allow", opts.meta.allow);
    const retryAfter = opts.meta?.retry_after_seconds;
    if (typeof retryAfter === "number" && !headers.has("Retry-After")) headers.set("Retry-After", String(retryAfter));
    return new Response(JSON.stringify(ownShape), { status, headers });
  }
  const body = {
    type: `urn:recoup:problem:${code}`,
    title: titleFor(code),
    status,
    code,
    detail,
    traceId,
    ...(opts.instance ? { instance: opts.instance } : {}),
    ...(opts.meta ? { meta: opts.meta } : {}),
    error: code,
    message: detail,
  };
  const headers = new Headers(opts.headers);
  headers.set("Content-Type", "application/problem+json");
  headers.set("X-Trace-Id", traceId);
  return new Response(JSON.stringify(body), { status, headers });
}

/** The error body of a contract with its own shape on this path (LostChurn's, Revive's); null for problem+json. */
function contractErrorBody(path: string, code: ErrorCode, status: number, detail: string, traceId: string, meta?: Record<string, unknown>) {
  if (speaksFlowArc(path)) return flowArcError(code, detail, meta);
  if (speaksNd8(path)) return nd8Error(code, detail, meta);
  if (speaksLostChurn(path)) return lostChurnError(code, detail, traceId, meta);
  if (speaksRevive(path)) return reviveError(code, status, detail, traceId, meta);
  return null;
}

export function zodDetail(error: z.ZodError): { detail: string; errors: Array<{ path: string; message: string }> } {
  const errors = error.issues.map((i) => ({ path: i.path.join(".") || "(body)", message: i.message }));
  const first = errors[0];
  return { detail: first ? `${first.path}: ${first.message}` : "Invalid request", errors };
}

/** What a 503 asks the client to wait: a PostgreSQL restart or failover takes seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** Maps anything thrown by a route to a Response; unknown errors become an opaque, logged 500. */
export function toProblem(error: unknown, request: Request, traceId = traceIdFor(request)): Response {
  if (error instanceof Response) return error;
  const instance = new URL(request.url).pathname;
  if (error instanceof AppError) {
    return problem(error.code, error.message, { traceId, meta: error.meta, instance });
  }
  if (error instanceof z.ZodError) {
    const { detail, errors } = zodDetail(error);
    return problem("validation_failed", detail, { traceId, meta: { errors }, instance });
  }
  if (isDatabaseUnavailable(error)) {
    // A database restart or failover: nothing was stored, and the caller should simply retry (ADR 0026).
    log.warn("database unavailable: answered 503", { traceId, path: instance, method: request.method, error: (error as Error)?.message });
    return problem("service_unavailable", "Recoup is briefly unavailable (its database is restarting). Nothing was saved; retry in a few seconds.", {
      traceId,
      instance,
      headers: { "Retry-After": String(DATABASE_RETRY_AFTER_SECONDS) },
    });
  }
  log.error("unhandled error", { traceId, path: instance, method: request.method, error });
  return problem("internal_error", "Something went wrong on our side. Quote the traceId if you contact support.", {
    traceId,
    instance,
  });
}

/**
 * Wraps a loader/action so that every failure answers in the path's error shape, and every answer
 * carries the `X-RateLimit-*` headers of the request's count (`countRequest`), if it was counted.
 */
export function apiHandler<A extends { request: Request }>(fn: (args: A & { traceId: string }) => Promise<Response>) {
  return async (args: A): Promise<Response> => {
    const traceId = traceIdFor(args.request);
    let response: Response;
    try {
      response = await fn({ ...args, traceId });
      // A problem built inside the handler carries its own trace id in body and header: keep them one.
      if (!response.headers.has("X-Trace-Id")) response.headers.set("X-Trace-Id", traceId);
    } catch (error) {
      response = toProblem(error, args.request, traceId);
    }
    for (const [name, value] of Object.entries(rateLimitHeaders(rateStateOf(args.request)))) response.headers.set(name, value);
    return response;
  };
}

export function json(data: unknown, init: number | ResponseInit = 200): Response {
  const opts = typeof init === "number" ? { status: init } : init;
  const headers = new Headers(opts.headers);
  headers.set("Content-Type", "application/json; charset=utf-8");
  return new Response(JSON.stringify(data), { ...opts, headers });
}

/**
 * A resource route's loader and action for any path under a prefix no route serves (`api.$.ts`,
 * `webhooks.$.ts`): a 404 problem. Without one Remix answers an unknown path as a document request,
 * whose own CSRF check throws (a 500) on a POST from another origin, which the front lets through
 * where keys, not cookies, authenticate (found by tests/fuzz/contracts.test.ts).
 */
export function unknownPathRoute(what: string) {
  const notFound = ({ request }: { request: Request }): Response => {
    const { pathname } = new URL(request.url);
    return problem("not_found", `There is no ${request.method} ${pathname} ${what}.`, { traceId: traceIdFor(request), instance: pathname });
  };
  return { loader: notFound, action: notFound };
}
