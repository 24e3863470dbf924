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
  /** Parallel work loops per process. */
  concurrency?: number;
  handler: (data: z.infer<S>, ctx: JobContext) => Promise<unknown>;
}

export function defineJob<S extends z.ZodType>(def: JobDefinition<S>): JobDefinition<S> {
  return def;
}
