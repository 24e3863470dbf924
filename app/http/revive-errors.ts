// Revive's error body (seed 004: "Error Response Format" and "Handling Rate Limits"; ADR 0068) on
// Revive's paths: `{error: {type, message, param, code}}`, and for a 429 `{error: {type:
// "rate_limit_error", message, retryAfter}}`. Shaped by `problem()`, whoever raises the error.
import type { ErrorCode } from "~/domain/errors";

/** Revive's operations: /api/health, /api/dashboard/stats and /api/recovery/… (status, retry). */
const REVIVE = /^\/api\/(health|dashboard\/stats)\/?$|^\/api\/recovery(\/|$)/;

export function speaksRevive(pathname: string): boolean {
  return REVIVE.test(pathname);
}

/** Revive's error types, by status, in the style of the API it was modelled on. */
function typeOf(status: number): string {
  if (status === 401) return "authentication_error";
  if (status === 403) return "permission_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "api_error";
  return "invalid_request_error";
}

/** The field a validation error is about, as the request named it (`invoiceId`, not `query.invoiceId`). */
function paramOf(facts: Record<string, unknown> | undefined): string | undefined {
  const first = (facts?.errors as Array<{ path?: unknown }> | undefined)?.[0]?.path;
  return typeof first === "string" && first !== "(body)" ? first.replace(/^(query|body|params)\./, "") : undefined;
}

export function errorBody(code: ErrorCode, status: number, message: string, traceId: string, facts?: Record<string, unknown>) {
  if (status === 429) {
    const retryAfter = typeof facts?.retry_after === "number" ? facts.retry_after : 60;
    return { error: { type: typeOf(status), message: `Too many requests. Please retry after ${retryAfter} seconds.`, retryAfter }, trace_id: traceId };
  }
  const param = paramOf(facts);
  return { error: { type: typeOf(status), message, ...(param ? { param } : {}), code }, trace_id: traceId };
}
