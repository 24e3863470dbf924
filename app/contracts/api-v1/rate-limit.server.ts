import pg from "pg";
import rateLimiterFlexible from "rate-limiter-flexible";
import type { RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import { log } from "~/utils/logger.server";
import { AppError } from "~/domain/errors";

const { RateLimiterMemory, RateLimiterPostgres } = rateLimiterFlexible;

/**
 * Per API key: reads 200/min and writes 50/min (LostChurn), and 5,000/h across both (Revive).
 * Counted in PostgreSQL (rate-limiter-flexible's RateLimiterPostgres, table api_rate_limits from our
 * migrations), so every web process agrees; if the database cannot count, each process falls back
 * to its own memory rather than refusing traffic (ADR 0012).
 */
const LimitsSchema = z.object({
  API_RATE_LIMIT_READ_PER_MINUTE: z.coerce.number().int().min(1).default(200),
  API_RATE_LIMIT_WRITE_PER_MINUTE: z.coerce.number().int().min(1).default(50),
  API_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(5000),
});

export function rateLimits() {
  const source = Object.fromEntries(Object.keys(LimitsSchema.shape).map((k) => [k, process.env[k] || undefined]));
  const parsed = LimitsSchema.safeParse(source);
  if (!parsed.success) throw new Error(`Invalid rate limit configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return {
    readPerMinute: parsed.data.API_RATE_LIMIT_READ_PER_MINUTE,
    writePerMinute: parsed.data.API_RATE_LIMIT_WRITE_PER_MINUTE,
    perHour: parsed.data.API_RATE_LIMIT_PER_HOUR,
  };
}

type Limits = ReturnType<typeof rateLimits>;
type Limiters = { read: RateLimiterAbstract; write: RateLimiterAbstract; hour: RateLimiterAbstract };
const globalForLimits = globalThis as unknown as { __recoupRateLimits?: { id: string; pool: pg.Pool; limiters: Limiters } };

/** The configured limits and their counters (rebuilt when the configuration changes, as tests do). */
function limiters(): { limits: Limits; limiters: Limiters } {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  const limits = rateLimits();
  const id = JSON.stringify([url, limits]);
  const cached = globalForLimits.__recoupRateLimits;
  if (cached?.id === id) return { limits, limiters: cached.limiters };
  if (cached) void cached.pool.end().catch(() => {});
  const pool = new pg.Pool({ connectionString: url, max: 4, allowExitOnIdle: true });
  pool.on("error", (error) => log.warn("rate limit pool error", { error: error.message }));
  const make = (keyPrefix: string, points: number, duration: number) =>
    new RateLimiterPostgres({
      storeClient: pool,
      storeType: "pool",
      tableName: "api_rate_limits",
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
    });
  const built = {
    read: make("v1-read-min", limits.readPerMinute, 60),
    write: make("v1-write-min", limits.writePerMinute, 60),
    hour: make("v1-hour", limits.perHour, 3600),
  };
  globalForLimits.__recoupRateLimits = { id, pool, limiters: built };
  return { limits, limiters: built };
}

export interface RateLimitState {
  limit: number;
  remaining: number;
  /** Unix seconds when the reported window starts afresh. */
  reset: number;
  /** Seconds to wait, when refused. */
  retryAfter?: number;
}

function isRes(value: unknown): value is RateLimiterRes {
  return !!value && typeof value === "object" && "msBeforeNext" in value && "remainingPoints" in value;
}

/**
 * Counts one request for `subject` (an API key id, or the caller's address when there is no valid
 * key) and reports the tightest window. Throws `rate_limited` (429) with the headers when over.
 */
export async function consumeRateLimit(subject: string, kind: "read" | "write"): Promise<RateLimitState> {
  const { limits, limiters: all } = limiters();
  const windows = [
    { limiter: kind === "read" ? all.read : all.write, limit: kind === "read" ? limits.readPerMinute : limits.writePerMinute },
    { limiter: all.hour, limit: limits.perHour },
  ];
  const results = await Promise.all(
    windows.map(({ limiter, limit }) =>
      limiter.consume(subject).then(
        (res) => ({ res, limit, refused: false }),
        (error: unknown) => {
          if (isRes(error)) return { res: error, limit, refused: true };
          throw error;
        },
      ),
    ),
  );
  const now = Date.now();
  const refused = results.filter((r) => r.refused);
  const tightest = (refused.length ? refused : results).reduce((a, b) =>
    a.res.remainingPoints < b.res.remainingPoints || (a.res.remainingPoints === b.res.remainingPoints && a.res.msBeforeNext > b.res.msBeforeNext) ? a : b,
  );
  const state: RateLimitState = {
    limit: tightest.limit,
    remaining: Math.max(0, tightest.res.remainingPoints),
    reset: Math.ceil((now + Math.max(0, tightest.res.msBeforeNext)) / 1000),
  };
  if (refused.length) {
    const wait = Math.max(...refused.map((r) => r.res.msBeforeNext));
    state.retryAfter = Math.max(1, Math.ceil(wait / 1000));
    throw new RateLimitedError(state);
  }
  return state;
}

export class RateLimitedError extends AppError {
  constructor(readonly state: RateLimitState) {
    super("rate_limited", `Too many requests for this API key. Retry after ${state.retryAfter} seconds.`, {
      retry_after: state.retryAfter,
      limit: state.limit,
    });
  }
}

export function rateLimitHeaders(state: RateLimitState | null): Record<string, string> {
  if (!state) return {};
  return {
    "X-RateLimit-Limit": String(state.limit),
    "X-RateLimit-Remaining": String(state.remaining),
    "X-RateLimit-Reset": String(state.reset),
    ...(state.retryAfter !== undefined ? { "Retry-After": String(state.retryAfter) } : {}),
  };
}
