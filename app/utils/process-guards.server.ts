import { isDatabaseUnavailable } from "./db-errors.server";
import { log } from "./logger.server";

/**
 * Keeps a long-running process (web, worker) alive through a database restart or failover
 * (ADR 0026). pg-boss 10 completes and fails jobs without awaiting the call
 * (node_modules/pg-boss/src/manager.js, `onFetch`): with PostgreSQL away, that promise rejects
 * with nobody to catch it, and Node's default for an unhandled rejection is to exit. Such an
 * error only means "not now": the job stays active and pg-boss runs it again once it expires, and
 * the pools reconnect on their next query. Anything else still ends the process, as before.
 */
export function installProcessGuards() {
  const onFault = (kind: string) => (error: unknown) => {
    if (isDatabaseUnavailable(error)) {
      log.warn(`database unavailable (${kind}); carrying on, work resumes when it is back`, { error: (error as Error)?.message ?? String(error) });
      return;
    }
    console.error(`${kind}:`, error);
    process.exit(1);
  };
  process.on("unhandledRejection", onFault("unhandled rejection"));
  process.on("uncaughtException", onFault("uncaught exception"));
}

/** The message a process prints when it cannot start. */
export function startupFailureMessage(error: unknown): string {
  // local-postgres.server.ts's own start-up problems are one sentence that says what to do already.
  if (error instanceof Error && error.name === "LocalPostgresError") return error.message;
  if (isDatabaseUnavailable(error)) {
    let where = "DATABASE_URL";
    try {
      const url = new URL(process.env.DATABASE_URL ?? "");
      where = `${url.hostname}:${url.port || 5432} (DATABASE_URL)`;
    } catch {
      // keep the variable's name
    }
    return `Recoup could not start: PostgreSQL at ${where} is not reachable (${(error as Error).message}). Check that it is running and try again.`;
  }
  return `Recoup could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
}
