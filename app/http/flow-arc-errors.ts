// Flow Arc's error body (seed 001, `ErrorResponse`): `{error, message}` as application/json on Flow
// Arc's operations under /api/v1. `error` is Recoup's stable code; a field error says which field.
import type { ErrorCode } from "~/domain/errors";

/** Flow Arc's operations under /api/v1 (seed 001): its own shapes win there. */
const FLOW_ARC = /^\/api\/v1\/(payment-requests|alert-rules|health)(\/|$)/;

export function speaksFlowArc(pathname: string): boolean {
  return FLOW_ARC.test(pathname);
}

export function errorBody(code: ErrorCode, message: string, facts?: Record<string, unknown>) {
  const retryAfter = facts?.retry_after_seconds ?? facts?.retry_after;
  return { error: code, message, ...(typeof retryAfter === "number" ? { retry_after_seconds: retryAfter } : {}) };
}
