import pg from "pg";
import rateLimiterFlexible from "rate-limiter-flexible";
import type { RateLimiterAbstract, RateLimiterRes } from "rate-limiter-flexible";
import { z } from "zod";
import { log } from "~/utils/logger.server";
import { AppError } from "~/domain/errors";
import { authenticate, type Caller } from "./auth.server";

const { RateLimiterMemory, RateLimiterPostgres } = rateLimiterFlexible;

/**
 * Rate limits per contract, each as its document states it (ADR 0012, ADR 0068):
 * - `/api/v1` (LostChurn): per API key, reads 200/min and writes 50/min, 5,000/h across both;
 * - DunningDog's paths (it documents 429 without numbers): the same budget, counted apart;
 * - Revive's paths: 100 requests/min and 5,000/h per key or session, reads and writes together.
 * Counted in PostgreSQL (rate-limiter-flexible's RateLimiterPostgres, table api_rate_limits from our
 * migrations), so every web process agrees; if the database cannot count, each process falls back
 * to its own memory rather than refusing traffic (ADR 0012).
 */
export type RatePolicy = "api-v1" | "dunningdog" | "revive";

const LimitsSchema = z.object({
  API_RATE_LIMIT_READ_PER_MINUTE: z.coerce.number().int().min(1).default(200),
  API_RATE_LIMIT_WRITE_PER_MINUTE: z.coerce.number().int().min(1).default(50),
  API_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(5000),
  REVIVE_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  REVIVE_RATE_LIMIT_PER_HOUR: z.coerce.number().int().min(1).default(5000),
});

function settings() {
  const source = Object.fromEntries(Object.keys(LimitsSchema.shape).map((k) => [k, process.env[k] || undefined]));
  const parsed = LimitsSchema.safeParse(source);
  if (!parsed.success) throw new Error(`Invalid rate limit configuration: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  return parsed.data;
}

/** /api/v1's limits (the OpenAPI document states them). */
export function rateLimits() {
  const s = settings();
  return { readPerMinute: s.API_RATE_LIMIT_READ_PER_MINUTE, writePerMinute: s.API_RATE_LIMIT_WRITE_PER_MINUTE, perHour: s.API_RATE_LIMIT_PER_HOUR };
}

/** A window: how many requests of which kinds, per how many seconds. */
interface Window {
  name: string;
  points: number;
  seconds: number;
  kinds: ReadonlyArray<"read" | "write">;
}

function windowsOf(policy: RatePolicy): Window[] {
  const s = settings();
  if (policy === "revive") {
    return [
      { name: "revive-min", points: s.REVIVE_RATE_LIMIT_PER_MINUTE, seconds: 60, kinds: ["read", "write"] },
      { name: "revive-hour", points: s.REVIVE_RATE_LIMIT_PER_HOUR, seconds: 3600, kinds: ["read", "write"] },
    ];
  }
  // /api/v1 keeps its counters' names (rows in api_rate_limits survive a deploy).
  const prefix = policy === "api-v1" ? "v1" : "dd";
  return [
    { name: `${prefix}-read-min`, points: s.API_RATE_LIMIT_READ_PER_MINUTE, seconds: 60, kinds: ["read"] },
    { name: `${prefix}-write-min`, points: s.API_RATE_LIMIT_WRITE_PER_MINUTE, seconds: 60, kinds: ["write"] },
    { name: `${prefix}-hour`, points: s.API_RATE_LIMIT_PER_HOUR, seconds: 3600, kinds: ["read", "write"] },
  ];
}

const globalForLimits = globalThis as unknown as { __recoupRateLimits?: { url: string; pool: pg.Pool; limiters: Map<string, RateLimiterAbstract> } };

/** The counter of one window (rebuilt when its configuration changes, as tests do). */
function limiterOf(window: Window): RateLimiterAbstract {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set");
  let store = globalForLimits.__recoupRateLimits;
  if (store?.url !== url) {
    if (store) void store.pool.end().catch(() => {});
    const pool = new pg.Pool({ connectionString: url, max: 4, allowExitOnIdle: true });
    pool.on("error", (error) => log.warn("rate limit pool error", { error: error.message }));
    store = globalForLimits.__recoupRateLimits = { url, pool, limiters: new Map() };
  }
  const id = `${window.name}:${window.points}:${window.seconds}`;
  let limiter = store.limiters.get(id);
  if (!limiter) {
    const { name: keyPrefix, points, seconds: duration } = window;
    limiter = new RateLimiterPostgres({
      storeClient: store.pool,
      storeType: "pool",
      tableName: "api_rate_limits",
      tableCreated: true,
      clearExpiredByTimeout: false,
      keyPrefix,
      points,
      duration,
      insuranceLimiter: new RateLimiterMemory({ keyPrefix, points, duration }),
    });
    store.limiters.set(id, limiter);
  }
  return limiter;
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
export async function consumeRateLimit(subject: string, kind: "read" | "write", policy: RatePolicy = "api-v1"): Promise<RateLimitState> {
  const windows = windowsOf(policy)
    .filter((w) => w.kinds.includes(kind))
    .map((w) => ({ limiter: limiterOf(w), limit: w.points }));
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

const states = new WeakMap<Request, RateLimitState>();

/** The caller's address as the front saw it (the first X-Forwarded-For hop), for requests without a valid credential. */
export function clientAddress(request: Request): string {
  return request.headers.get("x-forwarded-for")?.split(",")[0]?.trim() || "unknown";
}

/**
 * Counts `request` for `subject` under `policy` (a GET or HEAD is a read) and keeps the state, so
 * that `apiHandler` puts the `X-RateLimit-*` headers on its answer, whatever it is. Throws
 * `rate_limited` (429) when over.
 */
export async function countRequest(request: Request, subject: string, policy: RatePolicy): Promise<void> {
  const kind = request.method === "GET" || request.method === "HEAD" ? "read" : "write";
  try {
    states.set(request, await consumeRateLimit(subject, kind, policy));
  } catch (error) {
    if (error instanceof RateLimitedError) states.set(request, error.state);
    throw error;
  }
}

/** The rate-limit state counted for this request, if any. */
export function rateStateOf(request: Request): RateLimitState | null {
  return states.get(request) ?? null;
}

/**
 * `authenticate`, counted under the contract's `policy`: a key's or a session's own budget, or,
 * when the credential fails, the caller's address (so credentials cannot be guessed at speed).
 */
export function authenticateCounted(request: Request, policy: RatePolicy): Promise<Caller> {
  return countedCaller(request, policy, () => authenticate(request));
}

/**
 * A contract's own way of finding the caller (`find`), counted under `policy`: the caller's
 * budget, or the address's when `find` refuses the credentials or finds none (null).
 */
export async function countedCaller<C extends Caller | null>(request: Request, policy: RatePolicy, find: () => Promise<C>): Promise<C> {
  let caller: C;
  try {
    caller = await find();
  } catch (error) {
    await countRequest(request, `ip:${clientAddress(request)}`, policy);
    throw error;
  }
  await countRequest(request, caller ? subjectOf(caller) : `ip:${clientAddress(request)}`, policy);
  return caller;
}

/** Whose budget a request spends: its API key's, or its teammate's session in that workspace. */
export function subjectOf(caller: Caller): string {
  return caller.apiKeyId ? `key:${caller.apiKeyId}` : `session:${caller.userId}:${caller.workspaceId}`;
}
