// LostChurn's error body (seed 002, "Response Format"; ADR 0067) and the paths that answer in it.
// Kept in the HTTP layer because every error under /api/v1 is shaped by `problem()`, whoever raises
// it: the v1 pipeline, a 405, the unknown-path splat, the HTTP front's own refusals.
import type { ErrorCode } from "~/domain/errors";

import { speaksFlowArc } from "./flow-arc-errors";

/** Whether a path answers in LostChurn's format: all of /api/v1 but Flow Arc's operations. */
export function speaksLostChurn(pathname: string): boolean {
  return (pathname === "/api/v1" || pathname.startsWith("/api/v1/")) && !speaksFlowArc(pathname);
}

/**
 * LostChurn's stable upper-case codes. Codes for one kind of mistake share one name (every 404 is
 * NOT_FOUND, every malformed input VALIDATION_ERROR); `error.type` keeps Recoup's precise code.
 */
const CODES: Partial<Record<ErrorCode, string>> = {
  validation_failed: "VALIDATION_ERROR",
  invalid_json: "VALIDATION_ERROR",
  invalid_cursor: "INVALID_CURSOR",
  unsupported_version: "UNSUPPORTED_VERSION",
  unauthorized: "UNAUTHORIZED",
  forbidden: "FORBIDDEN",
  insufficient_scope: "INSUFFICIENT_SCOPE",
  method_not_allowed: "METHOD_NOT_ALLOWED",
  rate_limited: "RATE_LIMITED",
  internal_error: "INTERNAL_ERROR",
  service_unavailable: "SERVICE_UNAVAILABLE",
};

export function lostChurnCode(code: ErrorCode): string {
  if (CODES[code]) return CODES[code];
  if (code === "not_found" || code.endsWith("_not_found")) return "NOT_FOUND";
  return code.toUpperCase();
}

/**
 * `{error: {code, message, type, ...facts}, trace_id}`: LostChurn's two members first, then Recoup's
 * precise code and the error's facts (`errors[]` for a validation error, `required_scope`,
 * `retry_after`), and the trace id to quote to support.
 */
export function errorBody(code: ErrorCode, message: string, traceId: string, facts?: Record<string, unknown>) {
  return { error: { code: lostChurnCode(code), message, type: code, ...facts }, trace_id: traceId };
}
