/**
 * Errors that mean "PostgreSQL is away for now" (restart, failover, network blip), as opposed to a
 * bug or a bad query. The web answers them with 503 + Retry-After, the worker lets pg-boss retry,
 * and the process entry does not die of them (app/bin/start.ts).
 */
const TRANSIENT_CODES = new Set([
  // Node sockets
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EHOSTUNREACH",
  "EAI_AGAIN",
  // PostgreSQL: admin shutdown, crash shutdown, cannot connect now, too many connections, connection exceptions
  "57P01",
  "57P02",
  "57P03",
  "53300",
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
  // Prisma: can't reach server, timed out, server closed the connection, pool timeout
  "P1001",
  "P1002",
  "P1017",
  "P2024",
]);

// Prisma's driver-adapter error kinds (@prisma/driver-adapter-utils).
const TRANSIENT_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

const TRANSIENT_MESSAGES =
  /Connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|Connection refused|connect ECONNREFUSED|read ECONNRESET|write EPIPE|Client was closed and is not queryable|Cannot use a pool after calling end/i;

export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ["code", "originalCode", "errno"]) {
      if (typeof o[key] === "string" && TRANSIENT_CODES.has(o[key])) return true;
    }
    if (typeof o.kind === "string" && TRANSIENT_KINDS.has(o.kind)) return true;
    if (typeof o.message === "string" && TRANSIENT_MESSAGES.test(o.message)) return true;
    queue.push(o.cause, o.meta, o.error, o.driverAdapterError, o.originalError);
    if (Array.isArray(o.errors)) queue.push(...(o.errors as unknown[]));
  }
  return false;
}
