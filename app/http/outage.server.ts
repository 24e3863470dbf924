import { isDatabaseUnavailable } from "~/utils/db-errors.server";
import { log } from "~/utils/logger.server";
import { DATABASE_RETRY_AFTER_SECONDS } from "./problem.server";

// Pages (HTML) whose loader failed because PostgreSQL is restarting answer 503 + Retry-After, not 500
// (docs/decisions/0026). API routes get the same from toProblem, in their own error shape.
const failedForOutage = new WeakSet<Request>();

/** Remix's `handleError` (app/entry.server.tsx): notes outage failures; logs the rest as Remix would. */
export function handleServerError(error: unknown, { request }: { request: Request }) {
  if (request.signal.aborted) return;
  if (isDatabaseUnavailable(error)) {
    failedForOutage.add(request);
    log.warn("database unavailable: page answered 503", { path: new URL(request.url).pathname });
    return;
  }
  const inner = (error as { error?: unknown } | null)?.error;
  console.error(inner instanceof Error ? inner : error);
}

/** The status a document response goes out with: 503 (and Retry-After) when the page failed for an outage. */
export function statusForOutage(request: Request, status: number, headers: Headers): number {
  if (!failedForOutage.has(request)) return status;
  headers.set("Retry-After", String(DATABASE_RETRY_AFTER_SECONDS));
  return 503;
}
