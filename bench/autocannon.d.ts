// autocannon ships no types; this covers the part of its API the bench uses
// (see node_modules/autocannon/README.md, "API").
declare module "autocannon" {
  import type { EventEmitter } from "node:events";

  export type Context = Record<string, unknown>;

  export interface Request {
    method?: string;
    path?: string;
    headers?: Record<string, string>;
    body?: string | Buffer;
    /** Called before every send of this request; returns the request to send. */
    setupRequest?: (request: Request, context: Context) => Request;
    onResponse?: (status: number, body: string, context: Context, headers: Record<string, string>) => void;
  }

  export interface Options {
    url: string;
    connections?: number;
    /** Seconds. */
    duration?: number;
    /** Seconds before a request counts as timed out. */
    timeout?: number;
    warmup?: { connections?: number; duration?: number };
    requests?: Request[];
  }

  export interface Histogram {
    average: number;
    stddev: number;
    min: number;
    max: number;
    total: number;
    p50: number;
    p90: number;
    p99: number;
  }

  export interface Result {
    requests: Histogram & { sent: number };
    latency: Histogram & { totalCount: number };
    duration: number;
    errors: number;
    timeouts: number;
    mismatches: number;
    non2xx: number;
    statusCodeStats: Record<string, { count: number }>;
    /** The warm-up run's own result, when `warmup` was given. */
    warmup?: Result;
  }

  export default function autocannon(options: Options): EventEmitter & PromiseLike<Result>;
}
