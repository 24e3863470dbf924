/**
 * Errors that mean "PostgreSQL is away for now" (restart, failover, network blip), as opposed to a
 * bug or a bad query. The web answers them with 503 + Retry-After, the worker lets pg-boss retry,
 * and the process entry does not die of them (app/bin/start.ts).
 */
// Node socket errors: the database's only when they name no other port than DATABASE_URL's (an SMTP
// server or a merchant's endpoint refusing a connection is not a database outage).
const SOCKET_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ETIMEDOUT", "EPIPE", "ENOTFOUND", "EHOSTUNREACH", "EAI_AGAIN"]);

const DATABASE_CODES = new Set([
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
const DATABASE_KINDS = new Set(["DatabaseNotReachable", "ConnectionClosed", "SocketTimeout", "TooManyConnections"]);

// node-postgres's and Prisma's own words for a lost or refused database connection.
const DATABASE_MESSAGES =
  /Connection terminated|terminating connection due to administrator command|the database system is (starting up|shutting down|in recovery mode)|Client has encountered a connection error|timeout exceeded when trying to connect|Can't reach database server|Server has closed the connection|Client was closed and is not queryable|Cannot use a pool after calling end/i;
const SOCKET_MESSAGE = /\b(?:connect|read|write) (ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH)\b(?: \S*:(\d+))?/;

function databasePort(): string | null {
  try {
    const url = new URL(process.env.DATABASE_URL ?? "");
    return url.port || "5432";
  } catch {
    return null;
  }
}

export function isDatabaseUnavailable(error: unknown): boolean {
  const port = databasePort();
  const samePort = (p: unknown) => p === undefined || p === null || port === null || String(p) === port;
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const e = queue.shift();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const o = e as Record<string, unknown>;
    for (const key of ["code", "originalCode"]) {
      const code = o[key];
      if (typeof code !== "string") continue;
      if (DATABASE_CODES.has(code)) return true;
      if (SOCKET_CODES.has(code) && samePort(o.port)) return true;
    }
    if (typeof o.kind === "string" && DATABASE_KINDS.has(o.kind)) return true;
    if (typeof o.message === "string") {
      if (DATABASE_MESSAGES.test(o.message)) return true;
      const socket = SOCKET_MESSAGE.exec(o.message);
      if (socket && samePort(socket[2])) return true;
    }
    queue.push(o.cause, o.meta, o.error, o.driverAdapterError, o.originalError);
    if (Array.isArray(o.errors)) queue.push(...(o.errors as unknown[]));
  }
  return false;
}

/** Prisma's P2025: an `update` or `delete` whose `where` (a row's id and the state it must be in) matched no row. */
export function isRecordNotFound(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2025";
}

/** Prisma's P2002: a unique constraint refused the row. */
export function isUniqueViolation(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === "P2002";
}
