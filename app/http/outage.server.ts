import { isDatabaseUnavailable } from "~/utils/db-errors.server";
import { log } from "~/utils/logger.server";
import { DATABASE_RETRY_AFTER_SECONDS } from "./problem.server";

// Pages (HTML) whose loader failed because PostgreSQL is restarting answer 503 + Retry-After, not 500
// (docs/decisions/0026). API routes get the same from toProblem, in their own error shape.
const failedForOutage = new WeakSet<Request>();

/**
 * From Remix's `handleError` (app/entry.server.tsx): true when the error means the database is away,
 * noted so that the page answers 503 (statusForOutage) and logged as a warning, not an error.
 */
export function noteOutage(error: unknown, request: Request): boolean {
  if (!isDatabaseUnavailable(error)) return false;
  failedForOutage.add(request);
  log.warn("database unavailable: page answered 503", { path: new URL(request.url).pathname });
  return true;
}

/** The status a document response goes out with: 503 (and Retry-After) when the page failed for an outage. */
export function statusForOutage(request: Request, status: number, headers: Headers): number {
  if (!failedForOutage.has(request)) return status;
  headers.set("Retry-After", String(DATABASE_RETRY_AFTER_SECONDS));
  return 503;
}
