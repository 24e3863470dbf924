import type { z } from "zod";
import type { QueueSpec } from "./queues";

export interface JobContext {
  jobId: string;
  /** No retry follows this run if it fails: pg-boss has retried it the queue's retryLimit times already. */
  lastAttempt: boolean;
}

/** A job: its queue (name, payload schema, options) and a handler that parses and makes one domain call. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  queue: QueueSpec<S>;
  /**
   * Jobs of this queue run at once per worker process (default 2). The worker fetches them in
   * batches, from two loops when there are 8 or more (jobs/worker.ts): size it to what one job waits
   * on (Stripe, SMTP, PostgreSQL), not to the cores, and keep bulk jobs at 1.
   */
  concurrency?: number;
  handler: (data: z.infer<S>, ctx: JobContext) => Promise<unknown>;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}
