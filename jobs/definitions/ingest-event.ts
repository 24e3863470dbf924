import { processInbox } from "~/domain/inbox/inbox.server";
import { ingestEvents } from "~/domain/ingest/process.server";
import { defineJob } from "../define";
import { queues } from "../queues";

export const ingestEventJob = defineJob({
  queue: queues.ingestEvent,
  // Each waits on the network (the provider's API, an endpoint): many at once, not one per core.
  concurrency: 16,
  handler: (data, ctx) => processInbox(ingestEvents, data, ctx),
});
